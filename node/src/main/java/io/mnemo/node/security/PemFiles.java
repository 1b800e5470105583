package io.mnemo.node.security;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the PEM files of the TLS settings with the JDK alone, and checks a private key against a certificate. Each
 * failure is a {@link PemException} whose message says what is wrong with the file and how to fix it (the caller
 * adds the setting's key).
 */
public final class PemFiles {
    /** Larger files are not PEM certificates or keys we mean to read. */
    private static final long MAX_BYTES = 1 << 20;
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)\\s*-----END \\1-----");

    private PemFiles() {
    }

    /** A PEM file that cannot be used; the message says why, for a person. */
    public static final class PemException extends Exception {
        private static final long serialVersionUID = 1L;

        PemException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * The certificates of a PEM file, in file order (a chain: the leaf first).
     *
     * @throws PemException if the file is missing, unreadable, or holds no certificate
     */
    public static List<X509Certificate> readCertificates(Path file) throws PemException {
        String text = read(file);
        List<X509Certificate> out = new ArrayList<>();
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            for (Block b : blocks(file, text)) {
                if (b.type.equals("CERTIFICATE")) {
                    out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(b.der)));
                }
            }
        } catch (CertificateException e) {
            throw new PemException(file + " holds a CERTIFICATE block that is not a valid X.509 certificate (" + e
                    .getMessage() + ")", e);
        }
        if (out.isEmpty()) {
            throw new PemException(file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)", null);
        }
        return List.copyOf(out);
    }

    /**
     * The private key of a PEM file: unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}) of the algorithm of
     * {@code algorithm} (RSA, EC, Ed25519...).
     *
     * @throws PemException if the file is missing, unreadable, encrypted, in another format, or not such a key
     */
    public static PrivateKey readPrivateKey(Path file, String algorithm) throws PemException {
        String text = read(file);
        for (Block b : blocks(file, text)) {
            switch (b.type) {
                case "PRIVATE KEY":
                    try {
                        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(b.der));
                    } catch (GeneralSecurityException e) {
                        throw new PemException(file + " holds a PRIVATE KEY that is not a " + algorithm + " key in "
                                + "PKCS#8 form (" + e.getMessage() + "); the certificate's key is " + algorithm, e);
                    }
                case "ENCRYPTED PRIVATE KEY":
                    throw new PemException(file + " holds an encrypted private key; give an unencrypted PKCS#8 key "
                            + "(BEGIN PRIVATE KEY) readable only by the node's user", null);
                case "RSA PRIVATE KEY":
                case "EC PRIVATE KEY":
                    throw new PemException(file + " holds a " + b.type + " (PKCS#1/SEC1 form); convert it to PKCS#8, "
                            + "e.g. openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8", null);
                default:
                    break;
            }
        }
        throw new PemException(file + " holds no PEM private key (-----BEGIN PRIVATE KEY-----)", null);
    }

    /** True when {@code key} is the private half of {@code cert}'s public key (a signature made with one verifies). */
    public static boolean matches(PrivateKey key, X509Certificate cert) {
        PublicKey pub = cert.getPublicKey();
        String alg;
        switch (pub.getAlgorithm()) {
            case "RSA":
                alg = "SHA256withRSA";
                break;
            case "EC":
                alg = "SHA256withECDSA";
                break;
            case "DSA":
                alg = "SHA256withDSA";
                break;
            default:
                alg = pub.getAlgorithm(); // Ed25519, Ed448, EdDSA name their signature the same way
                break;
        }
        byte[] challenge = new byte[32];
        new SecureRandom().nextBytes(challenge);
        try {
            Signature signer = Signature.getInstance(alg);
            signer.initSign(key);
            signer.update(challenge);
            byte[] sig = signer.sign();
            Signature verifier = Signature.getInstance(alg);
            verifier.initVerify(pub);
            verifier.update(challenge);
            return verifier.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String read(Path file) throws PemException {
        try {
            if (Files.isDirectory(file)) {
                throw new PemException(file + " is a directory, not a PEM file", null);
            }
            if (Files.size(file) > MAX_BYTES) {
                throw new PemException(file + " is larger than " + MAX_BYTES + " bytes: not a PEM certificate or key",
                        null);
            }
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new PemException(file.toAbsolutePath() + " does not exist", e);
        } catch (IOException e) {
            throw new PemException(file.toAbsolutePath() + " cannot be read (" + e + "); check the file's "
                    + "permissions for the node's user", e);
        }
    }

    private record Block(String type, byte[] der) {
    }

    private static List<Block> blocks(Path file, String text) throws PemException {
        List<Block> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            try {
                out.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
            } catch (IllegalArgumentException e) {
                throw new PemException(file + " has a " + m.group(1) + " block whose base64 body is damaged", e);
            }
        }
        if (out.isEmpty()) {
            throw new PemException(file + " is not a PEM file (no -----BEGIN ...----- block)", null);
        }
        return out;
    }
}
