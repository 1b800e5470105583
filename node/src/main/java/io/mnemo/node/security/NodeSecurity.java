package io.mnemo.node.security;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.mnemo.node.config.ConfigException;
import io.mnemo.node.config.NodeConfig;
import io.mnemo.node.config.Setting;
import io.mnemo.node.config.Settings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * A node's TLS and authentication, from its {@code mnemo.tls.*} and {@code mnemo.auth.*} settings: the gRPC server's
 * credentials, the interceptors that check callers, and the channels the node opens to its peers. Immutable and
 * thread-safe; the PEM files are read once, by {@link #from}, and a node restart picks up renewed files.
 *
 * <p><b>Who is accepted where.</b>
 * <ul>
 *   <li>Client-facing services ({@code MnemoService}, {@code AdminService}) demand authentication only when a token
 *       is configured; then a caller passes with the token or with a client certificate the node verified against
 *       {@code mnemo.tls.trust-certs} (client auth {@code optional} or {@code require}).</li>
 *   <li>Node-to-node services ({@code ReplicaService}, {@code HandoverService}) demand it when a token is configured
 *       or client auth is on; a caller passes with the token or a verified client certificate. Nodes present their
 *       own certificate on every call to a peer and send the token when there is one, so either way works.</li>
 *   <li>With neither a token nor client auth, every caller is accepted (the default, as before TLS existed).</li>
 * </ul>
 * Any certificate signed by a trusted CA counts as a node's or an authorized client's: give the cluster its own CA.
 * Not covered: Ignite discovery and communication and the JGroups Raft traffic stay plaintext (run them on a
 * private network), and the health/metrics HTTP endpoint is plain HTTP.
 */
public final class NodeSecurity {
    /** The metadata key of the bearer token: {@code authorization: Bearer TOKEN}. */
    public static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final int MAX_TOKEN_BYTES = 4096;

    private final KeyManager[] keyManagers;
    private final TrustManager[] trustManagers;
    private final ClientAuth clientAuth;
    private final String token;
    private final String summary;

    private NodeSecurity(KeyManager[] keyManagers, TrustManager[] trustManagers, ClientAuth clientAuth, String token,
                         String summary) {
        this.keyManagers = keyManagers;
        this.trustManagers = trustManagers;
        this.clientAuth = clientAuth;
        this.token = token;
        this.summary = summary;
    }

    /** Plaintext, no authentication: the default. */
    public static NodeSecurity plaintext() {
        return new NodeSecurity(null, null, ClientAuth.NONE, null, "plaintext gRPC, no authentication");
    }

    /**
     * Checks the TLS and token settings against each other and reads their files.
     *
     * @throws ConfigException naming each setting, its file and what is wrong: a missing or unreadable file, a file
     *                         that is not the PEM it should be, a key that does not match the certificate, an
     *                         expired certificate, a setting that needs another one
     */
    public static NodeSecurity from(NodeConfig c) {
        List<ConfigException.Problem> problems = new ArrayList<>();
        Optional<Path> chainFile = c.tlsCertChain();
        Optional<Path> keyFile = c.tlsPrivateKey();
        Optional<Path> trustFile = c.tlsTrustCerts();
        ClientAuth auth = c.tlsClientAuth();
        if (chainFile.isPresent() && keyFile.isEmpty()) {
            problems.add(problem(c, Settings.TLS_CERT_CHAIN, "needs its private key: set " + Settings.TLS_PRIVATE_KEY
                    .key() + " too"));
        }
        if (keyFile.isPresent() && chainFile.isEmpty()) {
            problems.add(problem(c, Settings.TLS_PRIVATE_KEY, "needs its certificate chain: set "
                    + Settings.TLS_CERT_CHAIN.key() + " too"));
        }
        if (trustFile.isPresent() && chainFile.isEmpty()) {
            problems.add(problem(c, Settings.TLS_TRUST_CERTS, "is only used with TLS, which is off: set "
                    + Settings.TLS_CERT_CHAIN.key() + " and " + Settings.TLS_PRIVATE_KEY.key()));
        }
        if (auth != ClientAuth.NONE && (chainFile.isEmpty() || trustFile.isEmpty())) {
            problems.add(problem(c, Settings.TLS_CLIENT_AUTH, "checks client certificates, which needs TLS ("
                    + Settings.TLS_CERT_CHAIN.key() + ", " + Settings.TLS_PRIVATE_KEY.key() + ") and the CAs to check "
                    + "them against (" + Settings.TLS_TRUST_CERTS.key() + ")"));
        }
        List<X509Certificate> chain = null;
        PrivateKey key = null;
        List<X509Certificate> trusted = null;
        if (chainFile.isPresent()) {
            try {
                chain = PemFiles.readCertificates(chainFile.get());
                X509Certificate leaf = chain.get(0);
                leaf.checkValidity();
            } catch (PemFiles.PemException e) {
                problems.add(problem(c, Settings.TLS_CERT_CHAIN, e.getMessage()));
            } catch (CertificateExpiredException | CertificateNotYetValidException e) {
                X509Certificate leaf = chain.get(0);
                problems.add(problem(c, Settings.TLS_CERT_CHAIN, "the certificate " + leaf.getSubjectX500Principal()
                        + " is valid only from " + leaf.getNotBefore() + " to " + leaf.getNotAfter() + "; renew it"));
                chain = null;
            }
        }
        if (keyFile.isPresent() && chain != null) {
            X509Certificate leaf = chain.get(0);
            try {
                key = PemFiles.readPrivateKey(keyFile.get(), leaf.getPublicKey().getAlgorithm());
                if (!PemFiles.matches(key, leaf)) {
                    problems.add(problem(c, Settings.TLS_PRIVATE_KEY, "is not the key of the certificate "
                            + leaf.getSubjectX500Principal() + " in " + Settings.TLS_CERT_CHAIN.key() + " = "
                            + chainFile.get() + ": give the key the certificate was issued for"));
                    key = null;
                }
            } catch (PemFiles.PemException e) {
                problems.add(problem(c, Settings.TLS_PRIVATE_KEY, e.getMessage()));
            }
        }
        if (trustFile.isPresent()) {
            try {
                trusted = PemFiles.readCertificates(trustFile.get());
            } catch (PemFiles.PemException e) {
                problems.add(problem(c, Settings.TLS_TRUST_CERTS, e.getMessage()));
            }
        }
        String token = null;
        if (c.authTokenFile().isPresent()) {
            try {
                token = readToken(c.authTokenFile().get());
            } catch (IllegalArgumentException e) {
                problems.add(problem(c, Settings.AUTH_TOKEN_FILE, e.getMessage()));
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        KeyManager[] kms = null;
        TrustManager[] tms = null;
        try {
            if (chain != null) {
                kms = keyManagers(key, chain);
            }
            if (trusted != null) {
                tms = trustManagers(trusted);
            }
        } catch (GeneralSecurityException | IOException e) {
            throw ConfigException.of(Settings.TLS_CERT_CHAIN.key(), chainFile.map(Path::toString).orElse(""),
                    c.sourceOf(Settings.TLS_CERT_CHAIN), "the JDK refused the key material: " + e);
        }
        String summary = (chain == null ? "plaintext gRPC" : "TLS as " + chain.get(0).getSubjectX500Principal()
                + (trusted == null ? ", peers checked against the JVM's trust store" : ", trusting "
                + trusted.size() + " CA certificate(s)") + ", client certificates " + auth.settingValue())
                + (token == null ? ", no token" : ", token required on client calls");
        return new NodeSecurity(kms, tms, auth, token, summary);
    }

    private static String readToken(Path file) {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_TOKEN_BYTES) {
                throw new IllegalArgumentException(file + " is larger than " + MAX_TOKEN_BYTES + " bytes: not a token");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file.toAbsolutePath() + " does not exist", e);
        } catch (IOException e) {
            throw new IllegalArgumentException(file.toAbsolutePath() + " cannot be read (" + e + "); check the file's "
                    + "permissions for the node's user", e);
        }
        String t = new String(bytes, StandardCharsets.US_ASCII).strip();
        if (t.isEmpty()) {
            throw new IllegalArgumentException(file + " is empty: write the token in it (one line)");
        }
        if (!t.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f)) {
            throw new IllegalArgumentException(file + " holds characters a token may not have: printable ASCII "
                    + "without spaces only");
        }
        return t;
    }

    private static KeyManager[] keyManagers(PrivateKey key, List<X509Certificate> chain)
            throws GeneralSecurityException, IOException {
        char[] password = new char[16];
        SecureRandom r = new SecureRandom();
        for (int i = 0; i < password.length; i++) {
            password[i] = (char) ('a' + r.nextInt(26));
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("node", key, password, chain.toArray(new X509Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        return kmf.getKeyManagers();
    }

    private static TrustManager[] trustManagers(List<X509Certificate> cas) throws GeneralSecurityException,
            IOException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        for (int i = 0; i < cas.size(); i++) {
            ks.setCertificateEntry("ca-" + i, cas.get(i));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        return tmf.getTrustManagers();
    }

    private static <T> ConfigException.Problem problem(NodeConfig c, Setting<T> s, String reason) {
        return new ConfigException.Problem(s.key(), s.format(c.get(s)), c.sourceOf(s), reason);
    }

    /** True when the gRPC server and the peer channels use TLS. */
    public boolean isTls() {
        return keyManagers != null;
    }

    /** True when callers of the client-facing services must send the token (or a verified certificate). */
    public boolean hasToken() {
        return token != null;
    }

    /** For the start-up log: TLS or not, whose certificate, client auth, token. Never the token itself. */
    @Override
    public String toString() {
        return summary;
    }

    /** The gRPC server's credentials: TLS with this node's certificate and client-certificate policy, or plaintext. */
    public ServerCredentials serverCredentials() {
        if (!isTls()) {
            return InsecureServerCredentials.create();
        }
        TlsServerCredentials.Builder b = TlsServerCredentials.newBuilder().keyManager(keyManagers);
        if (trustManagers != null) {
            b.trustManager(trustManagers);
        }
        switch (clientAuth) {
            case OPTIONAL:
                b.clientAuth(TlsServerCredentials.ClientAuth.OPTIONAL);
                break;
            case REQUIRE:
                b.clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
                break;
            default:
                b.clientAuth(TlsServerCredentials.ClientAuth.NONE);
                break;
        }
        return b.build();
    }

    /** Checks callers of {@code MnemoService} and {@code AdminService} (see the class comment). */
    public ServerInterceptor clientServices() {
        return new AuthInterceptor(token, clientAuth != ClientAuth.NONE, token != null);
    }

    /** Checks callers of {@code ReplicaService} and {@code HandoverService} (see the class comment). */
    public ServerInterceptor peerServices() {
        return new AuthInterceptor(token, clientAuth != ClientAuth.NONE, token != null || clientAuth != ClientAuth.NONE);
    }

    /** The credentials of this node's calls to peers: TLS presenting its certificate, or plaintext. */
    public ChannelCredentials peerCredentials() {
        if (!isTls()) {
            return InsecureChannelCredentials.create();
        }
        TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder().keyManager(keyManagers);
        if (trustManagers != null) {
            b.trustManager(trustManagers);
        }
        return b.build();
    }

    /** A channel to the peer at {@code host:port}: {@link #peerCredentials()}, plus the token when there is one. */
    public ManagedChannel peerChannel(String host, int port) {
        NettyChannelBuilder b = NettyChannelBuilder.forAddress(host, port, peerCredentials());
        if (token != null) {
            b.intercept(bearer(token));
        }
        return b.build();
    }

    /** A channel to the peer at {@code endpoint} ({@code host:port}), as {@link #peerChannel(String, int)}. */
    public ManagedChannel peerChannel(String endpoint) {
        io.mnemo.node.config.HostPort hp = io.mnemo.node.config.HostPort.parse(endpoint);
        return peerChannel(hp.host(), hp.port());
    }

    /** Adds {@code authorization: Bearer token} to every call. */
    public static ClientInterceptor bearer(String token) {
        String value = "Bearer " + token;
        return new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options,
                                                         Channel next) {
                return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                    @Override
                    public void start(Listener<R> listener, Metadata headers) {
                        headers.put(AUTHORIZATION, value);
                        super.start(listener, headers);
                    }
                };
            }
        };
    }
}
