package io.mnemo.node.security;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away PKI for tests, made with the JDK's own {@code keytool} (run from the test JDK's {@code bin}) and
 * {@code java.security}: a CA, and one certificate signed by it for {@code 127.0.0.1} and {@code localhost} usable
 * as server and client certificate (EC P-256, valid two days). Nothing is checked in: every run makes new keys.
 * The client module's tests use it through the node's test-jar.
 *
 * @param dir       where the files are
 * @param caCert    PEM of the CA certificate (what clients and peers trust)
 * @param certChain PEM of the certificate, then the CA's
 * @param key       PEM (PKCS#8) of the certificate's private key
 */
public record TestCertificates(Path dir, Path caCert, Path certChain, Path key) {
    private static final String PASSWORD = "changeit";

    /**
     * Makes a CA and a certificate under {@code dir} (created if needed).
     *
     * @throws IllegalStateException if keytool fails (its output is in the message)
     */
    public static TestCertificates create(Path dir) {
        try {
            Files.createDirectories(dir);
            Path caStore = dir.resolve("ca.p12");
            Path nodeStore = dir.resolve("node.p12");
            Path csr = dir.resolve("node.csr");
            Path leaf = dir.resolve("node-cert.pem");
            Path ca = dir.resolve("ca.pem");
            keytool(dir, "-genkeypair", "-alias", "ca", "-keyalg", "EC", "-keysize", "256", "-dname", "CN=Mnemo Test CA",
                    "-ext", "bc:c", "-validity", "2", "-keystore", caStore.toString(), "-storetype", "PKCS12",
                    "-storepass", PASSWORD, "-keypass", PASSWORD);
            keytool(dir, "-exportcert", "-rfc", "-alias", "ca", "-keystore", caStore.toString(), "-storepass", PASSWORD,
                    "-file", ca.toString());
            keytool(dir, "-genkeypair", "-alias", "node", "-keyalg", "EC", "-keysize", "256", "-dname",
                    "CN=mnemo-test-node", "-validity", "2", "-keystore", nodeStore.toString(), "-storetype", "PKCS12",
                    "-storepass", PASSWORD, "-keypass", PASSWORD);
            keytool(dir, "-certreq", "-alias", "node", "-keystore", nodeStore.toString(), "-storepass", PASSWORD,
                    "-file", csr.toString());
            keytool(dir, "-gencert", "-rfc", "-alias", "ca", "-keystore", caStore.toString(), "-storepass", PASSWORD,
                    "-infile", csr.toString(), "-outfile", leaf.toString(), "-validity", "2",
                    "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-ext", "EKU=serverAuth,clientAuth");
            Path chain = dir.resolve("node-chain.pem");
            Files.writeString(chain, Files.readString(leaf, StandardCharsets.US_ASCII).strip() + "\n"
                    + Files.readString(ca, StandardCharsets.US_ASCII).strip() + "\n", StandardCharsets.US_ASCII);
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(nodeStore)) {
                ks.load(in, PASSWORD.toCharArray());
            }
            Key k = ks.getKey("node", PASSWORD.toCharArray());
            Path key = dir.resolve("node-key.pem");
            Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(k.getEncoded())
                    + "\n-----END PRIVATE KEY-----\n", StandardCharsets.US_ASCII);
            return new TestCertificates(dir, ca, chain, key);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("making test certificates under " + dir + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while making test certificates", e);
        }
    }

    private static void keytool(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        // A short-lived tool: skip the optimizing JIT, which only slows it down on a busy machine.
        cmd.add("-J-XX:TieredStopAtLevel=1");
        cmd.add("-J-XX:+UseSerialGC");
        cmd.addAll(List.of(args));
        cmd.add("-noprompt");
        Path log = Files.createTempFile(dir, "keytool", ".log");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("keytool " + args[0] + " did not finish in 120 s");
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        Files.delete(log);
        if (p.exitValue() != 0) {
            throw new IOException("keytool " + String.join(" ", args) + " exited with " + p.exitValue() + ": " + out);
        }
    }
}
