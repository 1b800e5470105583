package io.mnemo.client.internal;

import io.mnemo.client.UnavailableException;
import io.mnemo.protocol.v1.MnemoServiceGrpc;
import io.mnemo.protocol.v1.TopologyRequest;
import io.mnemo.protocol.v1.TopologyResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Holds the client's current {@link TopologyView} and replaces it with newer ones: at start (from the seeds), when a
 * call is redirected (from the reply's suggested endpoints first), and periodically in the background.
 *
 * <p>Concurrency: {@code current} is a volatile immutable snapshot that only moves to higher epochs (installed under
 * {@code lock}). At most one fetch runs at a time; concurrent refresh requests share it ({@code inFlight}, guarded
 * by {@code lock}). No lock is held while calling a node or the listener.
 */
public final class TopologyManager {
    private final Settings settings;
    private final Channels channels;
    private final SafeListener listener;
    private final Object lock = new Object();
    private volatile TopologyView current;
    private CompletableFuture<TopologyView> inFlight;
    private volatile ScheduledFuture<?> refresher;

    public TopologyManager(Settings settings, Channels channels, SafeListener listener) {
        this.settings = settings;
        this.channels = channels;
        this.listener = listener;
    }

    /**
     * The current topology.
     *
     * @throws IllegalStateException before the first topology was fetched
     */
    public TopologyView current() {
        TopologyView v = current;
        if (v == null) {
            throw new IllegalStateException("no topology fetched yet");
        }
        return v;
    }

    /**
     * Asks nodes for a topology newer than the current one, trying {@code hints} first, then the current members,
     * then the seeds, until one at {@code minEpoch} or later is found (0: any answer will do). Completes with the
     * current topology afterwards, newer or not; fails only when there is no topology at all.
     */
    public CompletableFuture<TopologyView> refresh(long minEpoch, List<String> hints) {
        TopologyView v = current;
        if (v != null && minEpoch > 0 && v.epoch() >= minEpoch) {
            return CompletableFuture.completedFuture(v);
        }
        CompletableFuture<TopologyView> f;
        boolean starter = false;
        synchronized (lock) {
            if (inFlight == null) {
                inFlight = new CompletableFuture<>();
                starter = true;
            }
            f = inFlight;
        }
        if (starter) {
            CompletableFuture<TopologyView> mine = f;
            mine.whenComplete((t, e) -> {
                synchronized (lock) {
                    if (inFlight == mine) {
                        inFlight = null;
                    }
                }
            });
            fetch(candidates(hints), 0, minEpoch, mine, null);
        }
        return f;
    }

    private List<String> candidates(List<String> hints) {
        Set<String> c = new LinkedHashSet<>(hints);
        TopologyView v = current;
        if (v != null) {
            c.addAll(v.members());
        }
        settings.seeds().forEach(s -> c.add(s.toString()));
        return new ArrayList<>(c);
    }

    private void fetch(List<String> candidates, int i, long minEpoch, CompletableFuture<TopologyView> f, Throwable last) {
        if (i >= candidates.size()) {
            TopologyView v = current;
            if (v != null) {
                f.complete(v);
                return;
            }
            // Every candidate failed: a refused token or a failed handshake says more than "unavailable".
            Failure lastFailure = last == null ? null : Failure.of(last, candidates.get(candidates.size() - 1));
            if (lastFailure != null && lastFailure.kind() == Failure.Kind.UNAUTHENTICATED) {
                f.completeExceptionally(ErrorMapper.authentication("fetching the topology", lastFailure));
            } else if (lastFailure != null && lastFailure.kind() == Failure.Kind.TLS) {
                f.completeExceptionally(ErrorMapper.tls("fetching the topology", lastFailure, settings.trustCertFile()));
            } else {
                f.completeExceptionally(new UnavailableException("no seed answered with a topology (tried " + candidates
                        + (last == null ? "" : "; last error: " + last) + "): check the seed addresses and that the "
                        + "nodes are up" + (settings.trustCertFile() == null ? " (if they serve TLS, set "
                        + "trustCertificates)" : ""), candidates.size(), last));
            }
            return;
        }
        String endpoint = candidates.get(i);
        TopologyView known = current;
        // The first fetch also opens the first connection (and warms a cold JVM): it gets the connect timeout too.
        long deadlineNs = settings.requestTimeout().toNanos() + (known == null ? settings.connectTimeout().toNanos() : 0);
        UnaryCall<TopologyResponse> call = new UnaryCall<>(endpoint);
        try {
            MnemoServiceGrpc.newStub(channels.get(endpoint))
                    .withDeadlineAfter(deadlineNs, TimeUnit.NANOSECONDS)
                    .topology(TopologyRequest.newBuilder().setKnownEpoch(known == null ? 0 : known.epoch()).build(), call);
        } catch (RuntimeException e) {
            call.onError(e);
        }
        call.result().whenComplete((reply, error) -> {
            if (error != null) {
                fetch(candidates, i + 1, minEpoch, f, error);
                return;
            }
            if (reply.hasTopology()) {
                try {
                    install(TopologyView.of(reply.getTopology(), settings.zone()), endpoint);
                } catch (IllegalArgumentException unusable) {
                    fetch(candidates, i + 1, minEpoch, f, unusable);
                    return;
                }
            }
            TopologyView now = current;
            if (now != null && now.epoch() >= minEpoch) {
                f.complete(now);
            } else {
                fetch(candidates, i + 1, minEpoch, f, last);
            }
        });
    }

    private void install(TopologyView v, String endpoint) {
        long oldEpoch;
        synchronized (lock) {
            TopologyView old = current;
            if (old != null && old.epoch() >= v.epoch()) {
                return;
            }
            oldEpoch = old == null ? 0 : old.epoch();
            current = v;
        }
        Set<String> keep = new HashSet<>(v.members());
        settings.seeds().forEach(s -> keep.add(s.toString()));
        channels.retainOnly(keep);
        listener.topologyRefreshed(oldEpoch, v.epoch(), endpoint);
    }

    /**
     * Starts the background refresher on {@code scheduler} (no-op when the period is zero). A failed round is
     * reported to the listener and counted; the next round runs on schedule.
     */
    public void startRefresher(ScheduledExecutorService scheduler) {
        long periodNs = settings.topologyRefreshPeriod().toNanos();
        if (periodNs == 0) {
            return;
        }
        refresher = scheduler.scheduleWithFixedDelay(() -> {
            try {
                refresh(0, List.of()).whenComplete((v, e) -> {
                    if (e != null) {
                        listener.backgroundFailure(e);
                    }
                });
            } catch (Throwable t) {
                listener.backgroundFailure(t);
                if (t instanceof Error) {
                    throw (Error) t;
                }
            }
        }, periodNs, periodNs, TimeUnit.NANOSECONDS);
    }

    /** Stops the background refresher. */
    public void stop() {
        ScheduledFuture<?> r = refresher;
        if (r != null) {
            r.cancel(false);
        }
    }
}
