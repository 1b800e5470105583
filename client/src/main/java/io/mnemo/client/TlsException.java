package io.mnemo.client;

/**
 * The TLS handshake with a node failed: its certificate is not signed by a CA the client trusts
 * ({@code trustCertificates}), does not name the address the client connects to, or has expired; or one side
 * speaks TLS and the other plaintext; or the node wants a client certificate the client did not present. The
 * message carries the TLS layer's own reason. Fix the certificates or the builder's TLS settings.
 *
 * <pre>{@code
 * catch (TlsException e) { log.error("TLS to Mnemo misconfigured: {}", e.getMessage()); }
 * }</pre>
 */
public class TlsException extends MnemoException {
    private static final long serialVersionUID = 1L;
    private final String endpoint;

    public TlsException(String message, String endpoint, Throwable cause) {
        super(message, cause);
        this.endpoint = endpoint;
    }

    /** The node the handshake was with, {@code host:port}. */
    public String endpoint() {
        return endpoint;
    }
}
