package io.mnemo.node.cli;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.mnemo.node.config.HostPort;
import io.mnemo.node.security.NodeSecurity;
import io.mnemo.node.security.PemFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * How {@code mnemo admin} reaches a node that serves TLS or checks a token: the CAs to trust, an optional client
 * certificate (for {@code mnemo.tls.client-auth = require}) and the token file. Without {@code --trust-certs} the
 * channel is plaintext.
 */
final class TlsOptions {
    @Option(names = "--trust-certs", paramLabel = "PEM", description = "Use TLS, trusting the CA certificates in this "
            + "PEM file (the node's mnemo.tls.trust-certs, or the CA that signed its certificate).")
    Path trustCerts;

    @Option(names = "--cert", paramLabel = "PEM", description = "TLS client certificate chain (PEM), for nodes with "
            + "mnemo.tls.client-auth = require, or to authenticate without a token.")
    Path cert;

    @Option(names = "--key", paramLabel = "PEM", description = "Private key of --cert (PEM, PKCS#8).")
    Path key;

    @Option(names = "--token-file", paramLabel = "FILE", description = "File holding the bearer token the node "
            + "expects (its mnemo.auth.token-file); sent as 'authorization: Bearer TOKEN'.")
    Path tokenFile;

    /**
     * A channel to {@code endpoint} with these options.
     *
     * @throws IllegalArgumentException naming the option and the file when a file cannot be used
     */
    ManagedChannel open(String endpoint) {
        HostPort hp = HostPort.parse(endpoint);
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress(hp.host(), hp.port(), credentials());
        if (tokenFile != null) {
            builder.intercept(NodeSecurity.bearer(readToken()));
        }
        return builder.build();
    }

    /**
     * Checks the options and reads their files, without connecting.
     *
     * @throws IllegalArgumentException naming the option and the file when something cannot be used
     */
    void check() {
        credentials();
        if (tokenFile != null) {
            readToken();
        }
    }

    private ChannelCredentials credentials() {
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException("--cert and --key go together: give both or neither");
        }
        if (cert != null && trustCerts == null) {
            throw new IllegalArgumentException("--cert needs TLS: give --trust-certs too");
        }
        if (trustCerts == null) {
            return InsecureChannelCredentials.create();
        }
        TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder();
        try {
            PemFiles.readCertificates(trustCerts);
            b.trustManager(trustCerts.toFile());
        } catch (PemFiles.PemException | IOException e) {
            throw new IllegalArgumentException("--trust-certs: " + e.getMessage(), e);
        }
        if (cert != null) {
            try {
                List<X509Certificate> chain = PemFiles.readCertificates(cert);
                PrivateKey k = PemFiles.readPrivateKey(key, chain.get(0).getPublicKey().getAlgorithm());
                if (!PemFiles.matches(k, chain.get(0))) {
                    throw new IllegalArgumentException("--key " + key + " is not the key of the certificate in --cert "
                            + cert);
                }
                b.keyManager(cert.toFile(), key.toFile());
            } catch (PemFiles.PemException | IOException e) {
                throw new IllegalArgumentException("--cert/--key: " + e.getMessage(), e);
            }
        }
        return b.build();
    }

    private String readToken() {
        try {
            String t = Files.readString(tokenFile, StandardCharsets.US_ASCII).strip();
            if (t.isEmpty()) {
                throw new IllegalArgumentException("--token-file " + tokenFile + " is empty");
            }
            return t;
        } catch (IOException e) {
            throw new IllegalArgumentException("--token-file " + tokenFile + " cannot be read: " + e, e);
        }
    }
}
