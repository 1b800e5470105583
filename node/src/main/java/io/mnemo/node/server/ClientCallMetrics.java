package io.mnemo.node.server;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.mnemo.node.replication.WrongOwnerException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Counts what this node did with the client's keyed operations, so a test or an operator can see whether clients
 * route straight to the owners: every keyed operation (a store, recall or remove, or one item of a batch) that
 * reached the replicator ends as either coordinated here or refused as wrong owner. Scans opened here are counted
 * too. Exported on {@code /metrics} as {@code mnemo_client_ops_coordinated_total},
 * {@code mnemo_client_ops_wrong_owner_total} and {@code mnemo_client_scans_total}.
 *
 * <p>Thread-safe: adders only.
 */
final class ClientCallMetrics implements MeterBinder {
    private final LongAdder coordinated = new LongAdder();
    private final LongAdder wrongOwner = new LongAdder();
    private final LongAdder scans = new LongAdder();

    /**
     * Runs one keyed operation and counts its outcome when it completes: refused as wrong owner, or coordinated
     * (whatever else happened: success, not found, quorum lost). A synchronous throw becomes a failed future.
     */
    <T> CompletableFuture<T> keyed(Supplier<CompletableFuture<T>> operation) {
        CompletableFuture<T> f;
        try {
            f = operation.get();
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        return f.whenComplete((value, error) -> {
            if (error != null && unwrap(error) instanceof WrongOwnerException) {
                wrongOwner.increment();
            } else {
                coordinated.increment();
            }
        });
    }

    void scanOpened() {
        scans.increment();
    }

    long coordinated() {
        return coordinated.sum();
    }

    long wrongOwner() {
        return wrongOwner.sum();
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("mnemo.client.ops.coordinated", coordinated, LongAdder::sum)
                .description("Client keyed operations (batch items counted one by one) this node coordinated")
                .register(registry);
        FunctionCounter.builder("mnemo.client.ops.wrong.owner", wrongOwner, LongAdder::sum)
                .description("Client keyed operations this node refused because it does not replicate the key")
                .register(registry);
        FunctionCounter.builder("mnemo.client.scans", scans, LongAdder::sum)
                .description("Client scan streams opened on this node").register(registry);
    }
}
