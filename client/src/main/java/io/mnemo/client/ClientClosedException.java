package io.mnemo.client;

/**
 * The client was closed before or during the call. Build a new client; a closed one stays closed.
 *
 * <pre>{@code
 * client.close();
 * client.recall("m-1");   // throws ClientClosedException
 * }</pre>
 */
public class ClientClosedException extends MnemoException {
    private static final long serialVersionUID = 1L;

    public ClientClosedException(String operation) {
        super(operation + " refused: this MnemoClient is closed; build a new one");
    }
}
