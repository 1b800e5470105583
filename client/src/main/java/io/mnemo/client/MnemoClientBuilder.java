package io.mnemo.client;

import io.mnemo.client.internal.ClientCore;
import io.mnemo.client.internal.HostPort;
import io.mnemo.client.internal.SafeListener;
import io.mnemo.client.internal.Settings;
import io.mnemo.client.internal.Validation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Builds a {@link MnemoClient}. Each setter checks its value at once (the message names the value) and may be
 * called only once; {@link #build()} checks the settings against each other, then connects.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>setter</th><th>default</th><th>rule</th></tr>
 *   <tr><td>{@link #seeds}</td><td>required</td><td>{@code host:port} ({@code [v6]:port}), at least one</td></tr>
 *   <tr><td>{@link #defaultSpace}</td><td>none</td><td>{@code [a-z0-9][a-z0-9_-]{0,63}}</td></tr>
 *   <tr><td>{@link #connectTimeout}</td><td>2 s</td><td>positive, at most the request timeout</td></tr>
 *   <tr><td>{@link #requestTimeout}</td><td>5 s</td><td>positive; bounds one attempt</td></tr>
 *   <tr><td>{@link #retryPolicy}</td><td>{@link RetryPolicy#DEFAULT} (4 attempts, 25 ms..1 s)</td><td></td></tr>
 *   <tr><td>{@link #trustCertificates}</td><td>none: plaintext</td><td>a readable PEM file of CA certificates</td></tr>
 *   <tr><td>{@link #clientCertificate}</td><td>none</td><td>PEM chain and PKCS#8 key, for nodes that ask for
 *       client certificates; needs TLS</td></tr>
 *   <tr><td>{@link #bearerToken}</td><td>none</td><td>printable ASCII without spaces; needs TLS unless
 *       {@link #allowTokenWithoutTls} is called</td></tr>
 *   <tr><td>{@link #zone}</td><td>none</td><td>replicas in this zone are preferred</td></tr>
 *   <tr><td>{@link #executor}</td><td>gRPC's shared pool</td><td>runs callbacks and completes futures</td></tr>
 *   <tr><td>{@link #listener}</td><td>none</td><td>metrics hook</td></tr>
 *   <tr><td>{@link #topologyRefreshPeriod}</td><td>30 s</td><td>zero turns the background refresher off;
 *       otherwise at least the request timeout</td></tr>
 *   <tr><td>{@link #maxInboundMessageBytes}</td><td>64 MiB</td><td>at least 1 MiB (one memory's content)</td></tr>
 * </table>
 *
 * <pre>{@code
 * MnemoClient client = MnemoClient.builder()
 *         .seeds("10.0.0.1:7400", "10.0.0.2:7400")
 *         .defaultSpace("demo")
 *         .trustCertificates(Path.of("/etc/mnemo/ca.pem"))
 *         .bearerToken(System.getenv("MNEMO_TOKEN"))
 *         .zone("eu-west-1a")
 *         .build();
 * }</pre>
 */
public final class MnemoClientBuilder {
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);
    static final Duration DEFAULT_REFRESH_PERIOD = Duration.ofSeconds(30);
    static final int DEFAULT_MAX_INBOUND_BYTES = 64 << 20;
    private static final int MIN_INBOUND_BYTES = 1 << 20;

    private List<HostPort> seeds;
    private String defaultSpace;
    private Duration connectTimeout;
    private Duration requestTimeout;
    private RetryPolicy retryPolicy;
    private Path trustCertFile;
    private Path clientCertChain;
    private Path clientKey;
    private String bearerToken;
    private boolean tokenWithoutTls;
    private String zone;
    private Executor executor;
    private ClientListener listener;
    private Duration refreshPeriod;
    private Integer maxInboundBytes;

    MnemoClientBuilder() {
    }

    /** The endpoints to fetch the topology from at start; any live member will do. */
    public MnemoClientBuilder seeds(String... endpoints) {
        return seeds(Arrays.asList(Objects.requireNonNull(endpoints, "endpoints")));
    }

    /** The endpoints to fetch the topology from at start; any live member will do. */
    public MnemoClientBuilder seeds(List<String> endpoints) {
        once("seeds", seeds);
        Objects.requireNonNull(endpoints, "endpoints");
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("seeds must name at least one host:port, got none");
        }
        List<HostPort> parsed = new ArrayList<>();
        for (String e : endpoints) {
            HostPort hp = HostPort.parse(Objects.requireNonNull(e, "a seed is null in " + endpoints));
            if (parsed.contains(hp)) {
                throw new IllegalArgumentException("seed " + e + " is listed twice in " + endpoints);
            }
            parsed.add(hp);
        }
        this.seeds = List.copyOf(parsed);
        return this;
    }

    /** The space of calls that name none. */
    public MnemoClientBuilder defaultSpace(String space) {
        once("defaultSpace", defaultSpace);
        if (space == null || !Validation.SPACE_NAME.matcher(space).matches()) {
            throw new IllegalArgumentException("defaultSpace must match " + Validation.SPACE_NAME.pattern() + ", got '"
                    + space + "'");
        }
        this.defaultSpace = space;
        return this;
    }

    /** Bound on opening one connection to a node. */
    public MnemoClientBuilder connectTimeout(Duration timeout) {
        once("connectTimeout", connectTimeout);
        this.connectTimeout = positive("connectTimeout", timeout);
        return this;
    }

    /** Bound on one attempt of a call (retries get their own). */
    public MnemoClientBuilder requestTimeout(Duration timeout) {
        once("requestTimeout", requestTimeout);
        this.requestTimeout = positive("requestTimeout", timeout);
        return this;
    }

    /** Attempt cap and backoff; which failures are retried is fixed (see the README's retry rules). */
    public MnemoClientBuilder retryPolicy(RetryPolicy policy) {
        once("retryPolicy", retryPolicy);
        this.retryPolicy = Objects.requireNonNull(policy, "retryPolicy");
        return this;
    }

    /** Use TLS, trusting the CA certificates in this PEM file. */
    public MnemoClientBuilder trustCertificates(Path pemFile) {
        once("trustCertificates", trustCertFile);
        Objects.requireNonNull(pemFile, "pemFile");
        if (!Files.isRegularFile(pemFile) || !Files.isReadable(pemFile)) {
            throw new IllegalArgumentException("trustCertificates must be a readable PEM file, got " + pemFile.toAbsolutePath());
        }
        this.trustCertFile = pemFile;
        return this;
    }

    /**
     * Presents this certificate to nodes (TLS client authentication): for clusters with
     * {@code mnemo.tls.client-auth = require}, or to authenticate by certificate instead of a token.
     *
     * @param certChain PEM file, the client's certificate first
     * @param privateKey PEM file of its private key, unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY})
     */
    public MnemoClientBuilder clientCertificate(Path certChain, Path privateKey) {
        once("clientCertificate", clientCertChain);
        readable("clientCertificate certChain", certChain);
        readable("clientCertificate privateKey", privateKey);
        this.clientCertChain = certChain;
        this.clientKey = privateKey;
        return this;
    }

    private static void readable(String name, Path file) {
        Objects.requireNonNull(file, name);
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException(name + " must be a readable PEM file, got " + file.toAbsolutePath());
        }
    }

    /** Sent as {@code authorization: Bearer <token>} on every call. */
    public MnemoClientBuilder bearerToken(String token) {
        once("bearerToken", bearerToken);
        if (token == null || token.isEmpty() || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("bearerToken must be non-empty printable ASCII without spaces, got "
                    + (token == null ? "null" : token.isEmpty() ? "''" : "a value of " + token.length() + " chars"));
        }
        this.bearerToken = token;
        return this;
    }

    /** Allows a bearer token over plaintext connections (a local cluster, a test); otherwise build() refuses. */
    public MnemoClientBuilder allowTokenWithoutTls() {
        once("allowTokenWithoutTls", tokenWithoutTls ? Boolean.TRUE : null);
        this.tokenWithoutTls = true;
        return this;
    }

    /** The client's zone: replicas in it are tried first. */
    public MnemoClientBuilder zone(String zone) {
        once("zone", this.zone);
        if (zone == null || zone.isBlank()) {
            throw new IllegalArgumentException("zone must be a non-blank name, got '" + zone + "'");
        }
        this.zone = zone;
        return this;
    }

    /** Runs gRPC callbacks and completes the futures the client returns. The client does not shut it down. */
    public MnemoClientBuilder executor(Executor executor) {
        once("executor", this.executor);
        this.executor = Objects.requireNonNull(executor, "executor");
        return this;
    }

    /** The metrics hook. */
    public MnemoClientBuilder listener(ClientListener listener) {
        once("listener", this.listener);
        this.listener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /** How often to ask for a newer topology in the background; {@link Duration#ZERO} turns it off. */
    public MnemoClientBuilder topologyRefreshPeriod(Duration period) {
        once("topologyRefreshPeriod", refreshPeriod);
        Objects.requireNonNull(period, "topologyRefreshPeriod");
        if (period.isNegative()) {
            throw new IllegalArgumentException("topologyRefreshPeriod must be zero (off) or positive, got " + period);
        }
        this.refreshPeriod = period;
        return this;
    }

    /** The largest reply accepted (a scan chunk, a recall with a large content). */
    public MnemoClientBuilder maxInboundMessageBytes(int bytes) {
        once("maxInboundMessageBytes", maxInboundBytes);
        if (bytes < MIN_INBOUND_BYTES) {
            throw new IllegalArgumentException("maxInboundMessageBytes must be at least " + MIN_INBOUND_BYTES
                    + " (one memory's largest content), got " + bytes);
        }
        this.maxInboundBytes = bytes;
        return this;
    }

    /**
     * Checks the settings against each other, connects to a seed, fetches the topology and returns the client.
     *
     * @throws IllegalStateException naming the conflicting settings
     * @throws UnavailableException if no seed answered with a topology
     */
    public MnemoClient build() {
        if (seeds == null) {
            throw new IllegalStateException("seeds are required: call seeds(\"host:port\", ...)");
        }
        Duration connect = connectTimeout != null ? connectTimeout : DEFAULT_CONNECT_TIMEOUT;
        Duration request = requestTimeout != null ? requestTimeout : DEFAULT_REQUEST_TIMEOUT;
        Duration period = refreshPeriod != null ? refreshPeriod : DEFAULT_REFRESH_PERIOD;
        if (connect.compareTo(request) > 0) {
            throw new IllegalStateException("connectTimeout " + connect + " is longer than requestTimeout " + request
                    + ": the first call on a new connection would time out before the connection does");
        }
        if (!period.isZero() && period.compareTo(request) < 0) {
            throw new IllegalStateException("topologyRefreshPeriod " + period + " is shorter than requestTimeout "
                    + request + ": refresh rounds could pile up; use a longer period or Duration.ZERO");
        }
        if (bearerToken != null && trustCertFile == null && !tokenWithoutTls) {
            throw new IllegalStateException("a bearerToken without trustCertificates would travel in plaintext: "
                    + "configure TLS, or call allowTokenWithoutTls() for a local cluster");
        }
        if (clientCertChain != null && trustCertFile == null) {
            throw new IllegalStateException("clientCertificate is presented in a TLS handshake: set trustCertificates "
                    + "to turn TLS on");
        }
        if (tokenWithoutTls && bearerToken == null) {
            throw new IllegalStateException("allowTokenWithoutTls() was called but no bearerToken is set");
        }
        Settings s = new Settings(seeds, defaultSpace, connect, request,
                retryPolicy != null ? retryPolicy : RetryPolicy.DEFAULT, trustCertFile, clientCertChain, clientKey,
                bearerToken, zone, executor,
                listener != null ? listener : SafeListener.NONE, period,
                maxInboundBytes != null ? maxInboundBytes : DEFAULT_MAX_INBOUND_BYTES, System::nanoTime);
        return new MnemoClient(ClientCore.start(s));
    }

    private static void once(String name, Object current) {
        if (current != null) {
            throw new IllegalStateException(name + " is already set (to " + current + "): each setting is set once");
        }
    }

    private static Duration positive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + d);
        }
        return d;
    }
}
