package io.mnemo.client;

/**
 * A node refused the client's credentials (gRPC UNAUTHENTICATED or PERMISSION_DENIED): the bearer token is missing
 * or not the one the node accepts, or the node wants a client certificate. Never retried: asking again with the
 * same credentials gets the same answer. Fix the builder's {@code bearerToken} (or {@code clientCertificate}).
 *
 * <pre>{@code
 * catch (AuthenticationException e) { log.error("check MNEMO_TOKEN: {}", e.getMessage()); }
 * }</pre>
 */
public class AuthenticationException extends MnemoException {
    private static final long serialVersionUID = 1L;
    private final String endpoint;

    public AuthenticationException(String message, String endpoint, Throwable cause) {
        super(message, cause);
        this.endpoint = endpoint;
    }

    /** The node that refused, {@code host:port}. */
    public String endpoint() {
        return endpoint;
    }
}
