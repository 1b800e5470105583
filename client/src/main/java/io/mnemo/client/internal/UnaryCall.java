package io.mnemo.client.internal;

import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.concurrent.CompletableFuture;

/**
 * Adapts one gRPC unary call to a {@link CompletableFuture}; {@link #cancel} cancels the call on the wire (a lost
 * hedge, a closed client). Thread-safe: gRPC calls the observer methods serially, and {@code cancel} may come from
 * any thread.
 *
 * @param <T> the reply type
 */
public final class UnaryCall<T> implements ClientResponseObserver<Object, T> {
    private final CompletableFuture<T> result = new CompletableFuture<>();
    private final String endpoint;
    private volatile ClientCallStreamObserver<Object> call;
    private volatile boolean cancelRequested;
    private T value;

    public UnaryCall(String endpoint) {
        this.endpoint = endpoint;
    }

    public String endpoint() {
        return endpoint;
    }

    /** Completes with the reply, or exceptionally with the status exception the call failed with. */
    public CompletableFuture<T> result() {
        return result;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<Object> requestStream) {
        this.call = requestStream;
        if (cancelRequested) {
            requestStream.cancel("cancelled by the client", null);
        }
    }

    @Override
    public void onNext(T reply) {
        this.value = reply;
    }

    @Override
    public void onError(Throwable t) {
        result.completeExceptionally(t);
    }

    @Override
    public void onCompleted() {
        result.complete(value);
    }

    /** Cancels the call if it is still running. */
    public void cancel(String why) {
        cancelRequested = true;
        ClientCallStreamObserver<Object> c = call;
        if (c != null && !result.isDone()) {
            c.cancel(why, null);
        }
    }
}
