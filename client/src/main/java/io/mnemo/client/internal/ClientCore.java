package io.mnemo.client.internal;

import io.mnemo.client.CallOptions;
import io.mnemo.client.Counts;
import io.mnemo.client.CueResult;
import io.mnemo.client.Memory;
import io.mnemo.client.MnemoException;
import io.mnemo.client.NotFoundException;
import io.mnemo.client.Operation;
import io.mnemo.client.ScanOptions;
import io.mnemo.client.SpaceInfo;
import io.mnemo.client.Stats;
import io.mnemo.client.StoreResult;
import io.mnemo.client.UnavailableException;
import io.mnemo.client.Version;
import io.mnemo.protocol.v1.CountsRequest;
import io.mnemo.protocol.v1.CreateSpaceRequest;
import io.mnemo.protocol.v1.DropSpaceRequest;
import io.mnemo.protocol.v1.ListSpacesRequest;
import io.mnemo.protocol.v1.RecallByCueRequest;
import io.mnemo.protocol.v1.RecallRequest;
import io.mnemo.protocol.v1.RemoveRequest;
import io.mnemo.protocol.v1.ScoredMemory;
import io.mnemo.protocol.v1.StatsRequest;
import io.mnemo.protocol.v1.StoreRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The client's machinery behind {@code MnemoClient}: owns the channels, the topology, the scheduler thread, and
 * turns each operation into routed calls. Every method checks its input and returns a future that completes with
 * the answer or a {@link MnemoException}; none blocks except {@link #start} and {@link #close}.
 */
public final class ClientCore implements AutoCloseable {
    private final Settings settings;
    private final SafeListener listener;
    private final Channels channels;
    private final TopologyManager topology;
    private final ScheduledThreadPoolExecutor scheduler;
    private final CallEngine engine;
    private final BatchWriter batches;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ClientCore(Settings settings) {
        this.settings = settings;
        this.listener = new SafeListener(settings.listener());
        this.channels = new Channels(settings);
        this.topology = new TopologyManager(settings, channels, listener);
        this.scheduler = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "mnemo-client-scheduler");
            t.setDaemon(true);
            return t;
        });
        this.scheduler.setRemoveOnCancelPolicy(true);
        this.engine = new CallEngine(settings, channels, topology, scheduler, listener, closed::get);
        this.batches = new BatchWriter(settings, channels, topology, scheduler, listener, engine, closed::get);
    }

    /**
     * Connects: fetches the first topology from the seeds (waiting at most the connect plus request timeout per
     * seed) and starts the background refresher.
     *
     * @throws UnavailableException if no seed answered with a usable topology
     */
    public static ClientCore start(Settings settings) {
        ClientCore core = new ClientCore(settings);
        long waitNs = (settings.connectTimeout().toNanos() + settings.requestTimeout().toNanos()) * settings.seeds().size();
        try {
            core.topology.refresh(1, List.of()).get(waitNs, TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            core.close();
            throw e.getCause() instanceof MnemoException ? (MnemoException) e.getCause()
                    : new UnavailableException("could not fetch the topology from " + settings.seeds(), 1, e.getCause());
        } catch (TimeoutException e) {
            core.close();
            throw new UnavailableException("no seed of " + settings.seeds() + " answered within "
                    + TimeUnit.NANOSECONDS.toMillis(waitNs) + " ms", 1, e);
        } catch (InterruptedException e) {
            core.close();
            Thread.currentThread().interrupt();
            throw new MnemoException("interrupted while fetching the first topology", e);
        }
        core.topology.startRefresher(core.scheduler);
        return core;
    }

    public Settings settings() {
        return settings;
    }

    public boolean isClosed() {
        return closed.get();
    }

    /** The epoch of the topology the client routes by. */
    public long topologyEpoch() {
        return topology.current().epoch();
    }

    /** How often background work failed (the refresher), for tests and diagnostics. */
    public long backgroundFailures() {
        return listener.backgroundFailures();
    }

    public CompletableFuture<Version> store(io.mnemo.protocol.v1.Memory m, CallOptions o) {
        return store(m, o, null);
    }

    /** A store whose gRPC callbacks run on {@code callbacks} (null: the channel's executor); see {@link CallEngine}. */
    public CompletableFuture<Version> store(io.mnemo.protocol.v1.Memory m, CallOptions o, Executor callbacks) {
        return engine.<io.mnemo.protocol.v1.StoreResponse>call(Operation.STORE, true, false, o,
                v -> v.replicasOf(m.getSpace(), m.getId()),
                (stub, epoch, call) -> stub.store(StoreRequest.newBuilder().setMemory(m).setTopologyEpoch(epoch).build(), call),
                callbacks)
                .thenApply(r -> Codec.fromWire(r.getVersion()));
    }

    public CompletableFuture<List<StoreResult>> storeAll(List<io.mnemo.protocol.v1.Memory> items) {
        return batches.storeAll(items);
    }

    /** A recall; a missing memory is an empty result, a missing space a {@link NotFoundException}. */
    public CompletableFuture<Optional<Memory>> recall(String space, String id, CallOptions o) {
        return recall(space, id, o, null);
    }

    /** A recall whose gRPC callbacks run on {@code callbacks} (null: the channel's executor); see {@link CallEngine}. */
    public CompletableFuture<Optional<Memory>> recall(String space, String id, CallOptions o, Executor callbacks) {
        io.mnemo.protocol.v1.Consistency consistency = o.consistency().isPresent() ? Codec.toWire(o.consistency().get())
                : io.mnemo.protocol.v1.Consistency.CONSISTENCY_UNSPECIFIED;
        // Built per attempt: a hedged attempt may build two requests on two threads at once.
        return engine.<io.mnemo.protocol.v1.RecallResponse>call(Operation.RECALL, true, true, o,
                v -> v.replicasOf(space, id),
                (stub, epoch, call) -> stub.recall(RecallRequest.newBuilder().setSpace(space).setId(id)
                        .setConsistency(consistency).setTopologyEpoch(epoch).build(), call), callbacks)
                .handle((r, e) -> {
                    if (e == null) {
                        return Optional.of(Codec.fromWire(r.getMemory()));
                    }
                    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    if (cause instanceof NotFoundException && !((NotFoundException) cause).id().isEmpty()) {
                        return Optional.<Memory>empty();
                    }
                    throw cause instanceof MnemoException ? (MnemoException) cause : new CompletionException(cause);
                });
    }

    /** Removes; completes with whether a live memory was there. */
    public CompletableFuture<Boolean> remove(String space, String id, CallOptions o) {
        return remove(space, id, o, null);
    }

    /** A remove whose gRPC callbacks run on {@code callbacks} (null: the channel's executor); see {@link CallEngine}. */
    public CompletableFuture<Boolean> remove(String space, String id, CallOptions o, Executor callbacks) {
        return engine.<io.mnemo.protocol.v1.RemoveResponse>call(Operation.REMOVE, true, false, o,
                v -> v.replicasOf(space, id),
                (stub, epoch, call) -> stub.remove(RemoveRequest.newBuilder().setSpace(space).setId(id)
                        .setTopologyEpoch(epoch).build(), call), callbacks)
                .thenApply(io.mnemo.protocol.v1.RemoveResponse::getExisted);
    }

    public ScanIterator scan(String space, ScanOptions options) {
        return new ScanIterator(settings, channels, topology, listener, closed::get, space, options);
    }

    public CompletableFuture<CueResult> recallByCue(String space, float[] cue, int k, float minConfidence, CallOptions o) {
        RecallByCueRequest.Builder req = RecallByCueRequest.newBuilder().setSpace(space).setK(k)
                .setMinConfidence(minConfidence);
        for (float f : cue) {
            req.addCue(f);
        }
        return engine.<io.mnemo.protocol.v1.RecallByCueResponse>call(Operation.RECALL_BY_CUE, true, false, o,
                TopologyView::members, (stub, epoch, call) -> stub.recallByCue(req.setTopologyEpoch(epoch).build(), call))
                .thenApply(r -> {
                    List<CueResult.Hit> hits = new ArrayList<>(r.getHitsCount());
                    for (ScoredMemory s : r.getHitsList()) {
                        hits.add(new CueResult.Hit(Codec.fromWire(s.getMemory()), s.getSimilarity()));
                    }
                    return new CueResult(hits, r.getComplete(), r.getPartitionsAnswered(), r.getPartitionsAsked());
                });
    }

    /** Cluster-wide counts of one space, or of every space when {@code space} is empty. */
    public CompletableFuture<Counts> counts(String space, CallOptions o) {
        CountsRequest req = CountsRequest.newBuilder().setSpace(space).setClusterWide(true).build();
        return engine.<io.mnemo.protocol.v1.CountsResponse>call(Operation.COUNTS, true, false, o, TopologyView::members,
                (stub, epoch, call) -> stub.counts(req, call)).thenApply(Codec::fromWire);
    }

    /** The statistics of every member, each asked directly (a node's stats cannot come from another node). */
    public CompletableFuture<List<Stats>> stats(CallOptions o) {
        List<CompletableFuture<Stats>> all = new ArrayList<>();
        for (String endpoint : topology.current().endpointsById().values()) {
            all.add(engine.<io.mnemo.protocol.v1.StatsResponse>call(Operation.STATS, true, false, o, v -> List.of(endpoint),
                    (stub, epoch, call) -> stub.stats(StatsRequest.getDefaultInstance(), call)).thenApply(Codec::fromWire));
        }
        return CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0]))
                .thenApply(done -> all.stream().map(CompletableFuture::join).toList());
    }

    public CompletableFuture<SpaceInfo> createSpace(SpaceInfo spec, CallOptions o) {
        CreateSpaceRequest req = CreateSpaceRequest.newBuilder().setSpec(Codec.toWire(spec)).build();
        return engine.<io.mnemo.protocol.v1.CreateSpaceResponse>call(Operation.CREATE_SPACE, false, false, o,
                TopologyView::members, (stub, epoch, call) -> stub.createSpace(req, call))
                .thenApply(r -> Codec.fromWire(r.getSpace()));
    }

    public CompletableFuture<Void> dropSpace(String name, CallOptions o) {
        DropSpaceRequest req = DropSpaceRequest.newBuilder().setName(name).build();
        return engine.<io.mnemo.protocol.v1.DropSpaceResponse>call(Operation.DROP_SPACE, false, false, o,
                TopologyView::members, (stub, epoch, call) -> stub.dropSpace(req, call)).thenApply(r -> null);
    }

    public CompletableFuture<List<SpaceInfo>> listSpaces(CallOptions o) {
        return engine.<io.mnemo.protocol.v1.ListSpacesResponse>call(Operation.LIST_SPACES, true, false, o,
                TopologyView::members, (stub, epoch, call) -> stub.listSpaces(ListSpacesRequest.getDefaultInstance(), call))
                .thenApply(r -> r.getSpacesList().stream().map(Codec::fromWire).toList());
    }

    /**
     * Closes: stops the refresher, cancels calls in flight (they fail with {@code ClientClosedException}) and shuts
     * the channels down. Idempotent and thread-safe.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        topology.stop();
        List<Runnable> waiting = scheduler.shutdownNow();
        channels.close(1_000);
        // Retries and hedges that were waiting for their backoff: run them now, so each sees the client closed and
        // completes its call with ClientClosedException instead of leaving it pending forever.
        for (Runnable r : waiting) {
            try {
                r.run();
            } catch (RuntimeException alreadyCompleted) {
                listener.backgroundFailure(alreadyCompleted);
            }
        }
    }
}
