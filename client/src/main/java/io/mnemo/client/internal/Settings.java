package io.mnemo.client.internal;

import io.mnemo.client.ClientListener;
import io.mnemo.client.RetryPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

/**
 * Everything a client was built with, validated by {@code MnemoClientBuilder}. Immutable.
 *
 * @param seeds where to fetch the first topology, at least one
 * @param defaultSpace the space of calls that name none, or {@code null}
 * @param connectTimeout bound on opening one connection
 * @param requestTimeout bound on one attempt of a call
 * @param retryPolicy attempt cap and backoff
 * @param trustCertFile PEM file of the CAs to trust for TLS, or {@code null} for plaintext
 * @param clientCertChain PEM file of the client certificate chain presented to nodes, or {@code null}
 * @param clientKey PEM file (PKCS#8) of the private key of {@code clientCertChain}, or {@code null}
 * @param bearerToken sent as {@code authorization: Bearer ...} on every call, or {@code null}
 * @param zone the client's zone, preferred among replicas, or {@code null}
 * @param executor runs gRPC callbacks and completes futures, or {@code null} for gRPC's default
 * @param listener the metrics hook, never null
 * @param topologyRefreshPeriod how often the background refresher asks for a newer topology; zero turns it off
 * @param maxInboundMessageBytes the largest reply accepted
 * @param nanoClock monotonic nanoseconds, for latencies and deadlines
 */
public record Settings(List<HostPort> seeds, String defaultSpace, Duration connectTimeout, Duration requestTimeout,
                       RetryPolicy retryPolicy, Path trustCertFile, Path clientCertChain, Path clientKey,
                       String bearerToken, String zone, Executor executor,
                       ClientListener listener, Duration topologyRefreshPeriod, int maxInboundMessageBytes,
                       LongSupplier nanoClock) {

    /** Copies the seeds and checks the required fields are present. */
    public Settings {
        seeds = List.copyOf(seeds);
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("at least one seed is required");
        }
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(retryPolicy, "retryPolicy");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(topologyRefreshPeriod, "topologyRefreshPeriod");
        Objects.requireNonNull(nanoClock, "nanoClock");
    }

    public Optional<String> defaultSpaceOpt() {
        return Optional.ofNullable(defaultSpace);
    }
}
