package io.mnemo.client;

/**
 * Root of every error a {@link MnemoClient} throws (unchecked). Async calls complete exceptionally with the same
 * types. Each message says what to do next. A plain {@code MnemoException} (not a subclass) is an error the
 * cluster reported without a Mnemo error kind, e.g. a refused bearer token; its message names the gRPC status.
 *
 * <pre>{@code
 * try {
 *     client.store(memory);
 * } catch (InvalidArgumentException e) {
 *     System.err.println("fix " + e.field() + ": " + e.getMessage());
 * } catch (MnemoException e) {
 *     System.err.println(e.getMessage());
 * }
 * }</pre>
 */
public class MnemoException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MnemoException(String message) {
        super(message);
    }

    public MnemoException(String message, Throwable cause) {
        super(message, cause);
    }
}
