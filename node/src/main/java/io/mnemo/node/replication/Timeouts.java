package io.mnemo.node.replication;

import java.util.concurrent.CompletableFuture;

/** Deadlines on transport calls, driven by the injected {@link Scheduler}. */
final class Timeouts {
    private Timeouts() {
    }

    /**
     * A future that completes as {@code call} does, or fails with {@link ReplicaUnavailableException} after
     * {@code timeoutNs}, whichever is first. The call itself is not cancelled (it may still apply remotely).
     */
    static <T> CompletableFuture<T> within(CompletableFuture<T> call, long timeoutNs, Scheduler scheduler, int target,
                                           String what) {
        CompletableFuture<T> out = new CompletableFuture<>();
        Scheduler.Cancellable timer = scheduler.schedule(() -> out.completeExceptionally(
                new ReplicaUnavailableException(target, what + " timed out after " + timeoutNs / 1_000_000 + " ms")), timeoutNs);
        call.whenComplete((v, e) -> {
            timer.cancel();
            if (e != null) {
                out.completeExceptionally(Failures.unwrap(e));
            } else {
                out.complete(v);
            }
        });
        return out;
    }
}
