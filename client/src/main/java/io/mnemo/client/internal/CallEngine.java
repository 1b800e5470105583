package io.mnemo.client.internal;

import io.mnemo.client.CallOptions;
import io.mnemo.client.ClientClosedException;
import io.mnemo.client.MnemoException;
import io.mnemo.client.MnemoTimeoutException;
import io.mnemo.client.Operation;
import io.mnemo.client.UnavailableException;
import io.mnemo.protocol.v1.MnemoServiceGrpc;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * Runs one unary call to completion: routes each attempt by the current topology, bounds it by the request timeout
 * (and the call's overall deadline), hedges reads when asked, and on failure asks {@link RetryRule} what to do:
 * give up with a typed error, retry on the next replica after a jittered backoff, or refresh the topology and retry.
 *
 * <p>Nothing here blocks: attempts start from gRPC callbacks or from the scheduler thread, and backoffs are
 * scheduled, not slept.
 */
public final class CallEngine {

    /** Starts one attempt: builds the request with {@code epoch} and calls the stub with {@code call} as observer. */
    public interface Sender<T> {
        void send(MnemoServiceGrpc.MnemoServiceStub stub, long epoch, UnaryCall<T> call);
    }

    /** The endpoints that can answer a call, preferred first, in a topology. */
    public interface Route {
        List<String> targets(TopologyView view);
    }

    private final Settings settings;
    private final Channels channels;
    private final TopologyManager topology;
    private final ScheduledExecutorService scheduler;
    private final SafeListener listener;
    private final BooleanSupplier closed;

    public CallEngine(Settings settings, Channels channels, TopologyManager topology, ScheduledExecutorService scheduler,
                      SafeListener listener, BooleanSupplier closed) {
        this.settings = settings;
        this.channels = channels;
        this.topology = topology;
        this.scheduler = scheduler;
        this.listener = listener;
        this.closed = closed;
    }

    /**
     * Runs a call.
     *
     * @param op what the call is, for the listener and messages
     * @param idempotent whether it may be resent after an unknown outcome ({@link RetryRule})
     * @param hedgeable whether {@link CallOptions#hedgeDelay()} applies (reads only)
     * @return completes with the reply, or exceptionally with a {@link MnemoException}
     */
    public <T> CompletableFuture<T> call(Operation op, boolean idempotent, boolean hedgeable, CallOptions options,
                                         Route route, Sender<T> sender) {
        return call(op, idempotent, hedgeable, options, route, sender, null);
    }

    /**
     * Runs a call whose gRPC callbacks run on {@code callbacks} ({@code null}: the channel's executor); a blocking
     * call passes the {@link CallerThreadExecutor} its thread waits on.
     */
    public <T> CompletableFuture<T> call(Operation op, boolean idempotent, boolean hedgeable, CallOptions options,
                                         Route route, Sender<T> sender, java.util.concurrent.Executor callbacks) {
        RetryingCall<T> c = new RetryingCall<>(op, idempotent, hedgeable, options, route, sender, callbacks);
        c.start();
        return c.result;
    }

    /** Completes {@code f} on the configured executor, if any, so application stages never run on gRPC threads. */
    <T> void complete(CompletableFuture<T> f, T value, Throwable error) {
        Runnable r = () -> {
            if (error == null) {
                f.complete(value);
            } else {
                f.completeExceptionally(error);
            }
        };
        if (settings.executor() == null) {
            r.run();
            return;
        }
        try {
            settings.executor().execute(r);
        } catch (RejectedExecutionException shutDown) {
            r.run();
        }
    }

    /** An attempt failure tagged with the endpoint it came from. */
    private static final class AttemptError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String endpoint;

        AttemptError(String endpoint, Throwable cause) {
            super(cause.toString(), cause, false, false);
            this.endpoint = endpoint;
        }
    }

    /** The state of one call across its attempts. Attempts run one at a time, so the plain fields are safe. */
    private final class RetryingCall<T> {
        private final Operation op;
        private final boolean idempotent;
        private final boolean hedgeable;
        private final CallOptions options;
        private final Route route;
        private final Sender<T> sender;
        private final java.util.concurrent.Executor callbacks;
        private final CompletableFuture<T> result = new CompletableFuture<>();
        private final AtomicBoolean finished = new AtomicBoolean();
        /** The calls of a hedged attempt; a plain attempt's one call is {@link #single}. */
        private final List<UnaryCall<T>> inFlight = new CopyOnWriteArrayList<>();
        /** The call of the plain attempt in flight, for cancellation; null between attempts. */
        private volatile UnaryCall<T> single;
        private final long startNs;
        private final long deadlineNs;
        private volatile int attempt;
        private volatile int offset;
        private volatile Failure lastFailure;

        RetryingCall(Operation op, boolean idempotent, boolean hedgeable, CallOptions options, Route route,
                     Sender<T> sender, java.util.concurrent.Executor callbacks) {
            this.callbacks = callbacks;
            this.op = op;
            this.idempotent = idempotent;
            this.hedgeable = hedgeable;
            this.options = options;
            this.route = route;
            this.sender = sender;
            this.startNs = settings.nanoClock().getAsLong();
            this.deadlineNs = options.timeout().isPresent() ? startNs + options.timeout().get().toNanos() : Long.MAX_VALUE;
        }

        void start() {
            listener.callStarted(op);
            result.whenComplete((v, e) -> {
                if (result.isCancelled()) {
                    finished.set(true);
                    inFlight.forEach(c -> c.cancel("cancelled by the application"));
                    UnaryCall<T> c = single;
                    if (c != null) {
                        c.cancel("cancelled by the application");
                    }
                }
            });
            attempt();
        }

        private void attempt() {
            if (finished.get()) {
                return;
            }
            attempt++;
            if (closed.getAsBoolean()) {
                finish(null, new ClientClosedException(op.name().toLowerCase(java.util.Locale.ROOT)));
                return;
            }
            long remaining = deadlineNs == Long.MAX_VALUE ? Long.MAX_VALUE : deadlineNs - settings.nanoClock().getAsLong();
            if (remaining <= 0) {
                finishTimedOut(attempt - 1);
                return;
            }
            long attemptNs = Math.min(settings.requestTimeout().toNanos(), remaining);
            TopologyView view;
            List<String> targets;
            try {
                view = topology.current();
                targets = route.targets(view);
            } catch (MnemoException e) {
                finish(null, e);
                return;
            }
            if (targets.isEmpty()) {
                finish(null, new UnavailableException("no member of topology epoch " + view.epoch() + " can serve "
                        + op, attempt, null));
                return;
            }
            if (hedgeable && options.hedgeDelay().isPresent() && targets.size() > 1) {
                hedged(targets, view.epoch(), attemptNs, options.hedgeDelay().get()).whenComplete((value, error) -> {
                    inFlight.forEach(c -> c.cancel("another replica answered first"));
                    inFlight.clear();
                    if (error == null) {
                        finish(value, null);
                    } else if (error instanceof AttemptError) {
                        failed(Failure.of(error.getCause(), ((AttemptError) error).endpoint));
                    } else {
                        failed(Failure.of(error, ""));
                    }
                });
                return;
            }
            // The common case, one replica per attempt: no hedge bookkeeping, no wrapping of the attempt's future.
            String endpoint = targets.get(offset % targets.size());
            UnaryCall<T> call = start(endpoint, view.epoch(), attemptNs);
            single = call;
            call.result().whenComplete((value, error) -> {
                single = null;
                if (error == null) {
                    finish(value, null);
                } else {
                    failed(Failure.of(error, endpoint));
                }
            });
        }

        /** Starts one gRPC call to {@code endpoint}; its failure to start becomes its result. */
        private UnaryCall<T> start(String endpoint, long epoch, long attemptNs) {
            UnaryCall<T> call = new UnaryCall<>(endpoint);
            try {
                MnemoServiceGrpc.MnemoServiceStub stub = channels.stub(endpoint)
                        .withDeadlineAfter(attemptNs, TimeUnit.NANOSECONDS);
                if (callbacks != null) {
                    stub = stub.withExecutor(callbacks);
                }
                sender.send(stub, epoch, call);
            } catch (RuntimeException e) {
                call.onError(e);
            }
            return call;
        }

        /** Starts a hedged attempt's call to {@code endpoint}; a failure is tagged with the endpoint. */
        private CompletableFuture<T> send(String endpoint, long epoch, long attemptNs) {
            UnaryCall<T> call = start(endpoint, epoch, attemptNs);
            inFlight.add(call);
            CompletableFuture<T> tagged = new CompletableFuture<>();
            call.result().whenComplete((v, e) -> {
                if (e == null) {
                    tagged.complete(v);
                } else {
                    tagged.completeExceptionally(new AttemptError(endpoint, e));
                }
            });
            return tagged;
        }

        /** First to the replica in turn; after {@code delay} without an answer, to the next one too. */
        private CompletableFuture<T> hedged(List<String> targets, long epoch, long attemptNs, Duration delay) {
            CompletableFuture<T> winner = new CompletableFuture<>();
            AtomicInteger outstanding = new AtomicInteger(1);
            AtomicReference<Throwable> firstError = new AtomicReference<>();
            java.util.function.BiConsumer<T, Throwable> onResult = (v, e) -> {
                if (e == null) {
                    winner.complete(v);
                    return;
                }
                firstError.compareAndSet(null, e);
                if (outstanding.decrementAndGet() == 0) {
                    winner.completeExceptionally(firstError.get());
                }
            };
            int first = offset % targets.size();
            send(targets.get(first), epoch, attemptNs).whenComplete(onResult);
            ScheduledFuture<?> timer = scheduler.schedule(() -> {
                // Hedge only while the first call is still out: once it failed, the retry rule takes over.
                if (winner.isDone() || outstanding.getAndUpdate(n -> n == 0 ? 0 : n + 1) == 0) {
                    return;
                }
                long left = attemptNs - delay.toNanos();
                send(targets.get((first + 1) % targets.size()), epoch, Math.max(1, left)).whenComplete(onResult);
            }, delay.toNanos(), TimeUnit.NANOSECONDS);
            winner.whenComplete((v, e) -> timer.cancel(false));
            return winner;
        }

        private void failed(Failure f) {
            lastFailure = f;
            RetryRule.Action action = RetryRule.decide(f.kind(), idempotent, attempt, settings.retryPolicy().maxAttempts());
            if (action == RetryRule.Action.GIVE_UP || finished.get()) {
                finish(null, ErrorMapper.toException(op, f, attempt, elapsed()));
                return;
            }
            Duration backoff = settings.retryPolicy().backoffBefore(attempt + 1);
            if (f.retryAfterMs() > backoff.toMillis()) {
                backoff = Duration.ofMillis(f.retryAfterMs());
            }
            if (action == RetryRule.Action.REFRESH_AND_RETRY) {
                long before = topology.current().epoch();
                Duration ifNotMoved = backoff;
                topology.refresh(f.currentEpoch(), f.suggestedEndpoints()).whenComplete((view, e) -> {
                    offset = 0;
                    boolean moved = e == null && view.epoch() > before;
                    retryAfter(moved ? Duration.ZERO : ifNotMoved, f);
                });
            } else {
                offset++;
                retryAfter(backoff, f);
            }
        }

        private void retryAfter(Duration backoff, Failure cause) {
            long now = settings.nanoClock().getAsLong();
            if (deadlineNs != Long.MAX_VALUE && now + backoff.toNanos() >= deadlineNs) {
                finishTimedOut(attempt);
                return;
            }
            listener.retrying(op, attempt + 1, backoff, cause.cause());
            if (backoff.isZero()) {
                attempt();
                return;
            }
            try {
                scheduler.schedule(this::attempt, backoff.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException shutDown) {
                finish(null, new ClientClosedException(op.name().toLowerCase(java.util.Locale.ROOT)));
            }
        }

        private void finishTimedOut(int attempts) {
            Failure f = lastFailure;
            finish(null, new MnemoTimeoutException(op.name().toLowerCase(java.util.Locale.ROOT) + " (call deadline "
                    + options.timeout().orElseThrow() + ")", attempts, elapsed(), f == null ? null : f.cause()));
        }

        private Duration elapsed() {
            return Duration.ofNanos(settings.nanoClock().getAsLong() - startNs);
        }

        private void finish(T value, MnemoException error) {
            if (!finished.compareAndSet(false, true)) {
                return;
            }
            listener.callFinishedNs(op, settings.nanoClock().getAsLong() - startNs, error);
            complete(result, value, error);
        }
    }
}
