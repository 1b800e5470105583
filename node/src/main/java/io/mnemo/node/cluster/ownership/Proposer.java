package io.mnemo.node.cluster.ownership;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.jgroups.protocols.raft.RaftLeaderException;

/**
 * Drives one proposal to a committed result: submits the encoded command, waits for the reply with a
 * per-attempt deadline, resubmits on failures that a new leader or a healed partition can cure, and
 * gives up with {@link NoQuorumException} at the proposal's deadline.
 *
 * <p>Resubmitting is safe because every command is idempotent: if an earlier attempt did commit, the
 * later one is UNCHANGED and still returns the state in which the command is in effect.
 *
 * <p>Threads: attempts are started and their replies handled on {@code timer} (replies arrive on JGroups
 * threads and are handed over at once); the caller's future is completed on {@code completions}, so no
 * caller code ever runs on a JGroups or RAFT thread. Pending proposals are tracked so {@link #close()} can
 * fail them.
 */
final class Proposer {
    /** Sends encoded command bytes to the Raft group (jgroups-raft's {@code Settable.setAsync}). */
    @FunctionalInterface
    interface Submitter {
        CompletableFuture<byte[]> submit(byte[] command) throws Exception;
    }

    private static final long FIRST_BACKOFF_NS = TimeUnit.MILLISECONDS.toNanos(25);
    private static final long MAX_BACKOFF_NS = TimeUnit.MILLISECONDS.toNanos(400);

    private final Submitter submitter;
    private final ScheduledExecutorService timer;
    private final Executor completions;
    private final LongSupplier nanoClock;
    private final long proposeTimeoutNs;
    private final long attemptTimeoutNs;
    private final Supplier<BaselineState> current;
    private final Supplier<Optional<String>> leaderHint;
    private final Set<CompletableFuture<BaselineState>> pending = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    Proposer(Submitter submitter, ScheduledExecutorService timer, Executor completions, LongSupplier nanoClock,
            Duration proposeTimeout, Duration attemptTimeout, Supplier<BaselineState> current,
            Supplier<Optional<String>> leaderHint) {
        this.submitter = submitter;
        this.timer = timer;
        this.completions = completions;
        this.nanoClock = nanoClock;
        this.proposeTimeoutNs = proposeTimeout.toNanos();
        this.attemptTimeoutNs = attemptTimeout.toNanos();
        this.current = current;
        this.leaderHint = leaderHint;
    }

    CompletableFuture<BaselineState> propose(BaselineCommand command) {
        CompletableFuture<BaselineState> result = new CompletableFuture<>();
        pending.add(result);
        result.whenComplete((s, e) -> pending.remove(result));
        Proposal p = new Proposal(command, BaselineCodec.encodeCommand(command), result, nanoClock.getAsLong());
        if (closed) {
            result.completeExceptionally(new IllegalStateException("ownership log is closed"));
            return result;
        }
        try {
            timer.execute(guarded(p, () -> attempt(p)));
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new IllegalStateException("ownership log is closed", e));
        }
        return result;
    }

    /** Fails every pending proposal; later attempts are not started. */
    void close() {
        closed = true;
        for (CompletableFuture<BaselineState> f : pending) {
            f.completeExceptionally(new IllegalStateException("ownership log closed before the proposal completed"));
        }
    }

    /**
     * Whether a failed attempt is worth resubmitting before the deadline. One rule per failure kind.
     */
    static boolean isRetryable(Throwable failure) {
        Throwable t = unwrap(failure);
        // REDIRECT: no leader is known, or the known leader is not in this node's view. An election is
        // running, or this node is in a minority; either can end before the deadline.
        if (t instanceof RaftLeaderException) {
            return true;
        }
        // RAFT: "I'm not the leader" (leadership moved between the lookup and the append, possibly on the
        // node we forwarded to, which sends the exception back), a leader stepping down fails its pending
        // requests the same way, and "processing queue is full". A new or less busy leader can take it.
        if (t instanceof IllegalStateException) {
            return true;
        }
        // Our own attempt deadline: the leader crashed or lost its majority while holding the request.
        if (t instanceof TimeoutException) {
            return true;
        }
        // Anything else (a reply that does not decode, a bug) will not improve by resubmitting.
        return false;
    }

    private void attempt(Proposal p) {
        if (p.result.isDone()) {
            return;
        }
        long now = nanoClock.getAsLong();
        long remaining = p.startNs + proposeTimeoutNs - now;
        if (closed) {
            p.result.completeExceptionally(new IllegalStateException("ownership log closed before the proposal completed"));
            return;
        }
        if (remaining <= 0) {
            giveUp(p, now);
            return;
        }
        p.attempts++;
        CompletableFuture<byte[]> reply;
        try {
            reply = submitter.submit(p.bytes);
        } catch (Exception e) {
            retryOrFail(p, e);
            return;
        }
        CompletableFuture<byte[]> bounded = new CompletableFuture<>();
        reply.whenComplete((bytes, error) -> {
            if (error != null) {
                bounded.completeExceptionally(error);
            } else {
                bounded.complete(bytes);
            }
        });
        long attemptNs = Math.min(attemptTimeoutNs, remaining);
        ScheduledFuture<?> deadline = timer.schedule(() -> bounded.completeExceptionally(new TimeoutException(
                "no commit within " + Duration.ofNanos(attemptNs))), attemptNs, TimeUnit.NANOSECONDS);
        bounded.whenComplete((bytes, error) -> deadline.cancel(false));
        bounded.whenCompleteAsync((bytes, error) -> guarded(p, () -> {
            if (error != null) {
                retryOrFail(p, error);
            } else {
                finish(p, bytes);
            }
        }).run(), timer);
    }

    private void retryOrFail(Proposal p, Throwable error) {
        p.lastError = unwrap(error);
        if (!isRetryable(error)) {
            complete(p, null, p.lastError);
            return;
        }
        long now = nanoClock.getAsLong();
        long remaining = p.startNs + proposeTimeoutNs - now;
        if (remaining <= 0) {
            giveUp(p, now);
            return;
        }
        long delay = Math.min(p.backoffNs, remaining);
        p.backoffNs = Math.min(p.backoffNs * 2, MAX_BACKOFF_NS);
        try {
            timer.schedule(guarded(p, () -> attempt(p)), delay, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            complete(p, null, new IllegalStateException("ownership log closed before the proposal completed", e));
        }
    }

    private void finish(Proposal p, byte[] bytes) {
        if (bytes == null) {
            complete(p, null, new IllegalStateException("the Raft leader sent no reply for " + p.command.kind()));
            return;
        }
        CommandResult r;
        try {
            r = BaselineCodec.decodeResult(bytes, 0, bytes.length);
        } catch (BaselineFormatException e) {
            complete(p, null, e);
            return;
        }
        if (r.outcome() == CommandResult.Outcome.REJECTED) {
            complete(p, null, new BaselineRejectedException(p.command, r.reason(), r.message(), r.state().epoch()));
        } else {
            complete(p, r.state(), null);
        }
    }

    private void giveUp(Proposal p, long now) {
        Duration waited = Duration.ofNanos(now - p.startNs);
        String leader = leaderHint.get().orElse(null);
        long epoch = current.get().epoch();
        complete(p, null, new NoQuorumException("no Raft majority committed " + p.command.kind() + " within "
                + Duration.ofNanos(proposeTimeoutNs) + " (" + p.attempts + " attempts, leader " + (leader == null ? "unknown"
                : "'" + leader + "'") + ", this node at epoch " + epoch + "; last error: " + p.lastError
                + "). The command may still commit; retrying is safe", epoch, waited, leader, p.lastError));
    }

    private void complete(Proposal p, BaselineState state, Throwable error) {
        Runnable task = () -> {
            if (error != null) {
                p.result.completeExceptionally(error);
            } else {
                p.result.complete(state);
            }
        };
        try {
            completions.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    /**
     * Runs a step of a proposal so that nothing it throws is lost in an executor: a bug fails the proposal
     * with the exception instead of leaving the caller waiting forever. Errors are rethrown after that.
     */
    private Runnable guarded(Proposal p, Runnable step) {
        return () -> {
            try {
                step.run();
            } catch (Throwable t) {
                p.result.completeExceptionally(t);
                if (t instanceof Error) {
                    throw (Error) t;
                }
            }
        };
    }

    private static Throwable unwrap(Throwable t) {
        Throwable cur = t;
        while ((cur instanceof CompletionException || cur instanceof ExecutionException) && cur.getCause() != null) {
            cur = cur.getCause();
        }
        return cur;
    }

    /** One proposal's progress; touched only by tasks on the timer thread after construction. */
    private static final class Proposal {
        final BaselineCommand command;
        final byte[] bytes;
        final CompletableFuture<BaselineState> result;
        final long startNs;
        int attempts;
        long backoffNs = FIRST_BACKOFF_NS;
        Throwable lastError;

        Proposal(BaselineCommand command, byte[] bytes, CompletableFuture<BaselineState> result, long startNs) {
            this.command = command;
            this.bytes = bytes;
            this.result = result;
            this.startNs = startNs;
        }
    }
}
