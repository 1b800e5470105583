package io.mnemo.node.server;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.mnemo.node.replication.ReadConsistency;
import io.mnemo.node.query.ClusterQueries;
import io.mnemo.node.query.CueHit;
import io.mnemo.node.replication.Replicator;
import io.mnemo.node.storage.Memory;
import io.mnemo.node.storage.MemoryValidator;
import io.mnemo.node.storage.ScanCursor;
import io.mnemo.node.storage.SpaceConfig;
import io.mnemo.node.storage.StoreStats;
import io.mnemo.node.storage.TierCounts;
import io.mnemo.node.storage.TieredStore;
import io.mnemo.protocol.Errors;
import io.mnemo.protocol.v1.CountsRequest;
import io.mnemo.protocol.v1.CountsResponse;
import io.mnemo.protocol.v1.CreateSpaceRequest;
import io.mnemo.protocol.v1.CreateSpaceResponse;
import io.mnemo.protocol.v1.DropSpaceRequest;
import io.mnemo.protocol.v1.DropSpaceResponse;
import io.mnemo.protocol.v1.ItemError;
import io.mnemo.protocol.v1.ListSpacesRequest;
import io.mnemo.protocol.v1.ListSpacesResponse;
import io.mnemo.protocol.v1.MnemoServiceGrpc;
import io.mnemo.protocol.v1.RecallByCueRequest;
import io.mnemo.protocol.v1.RecallByCueResponse;
import io.mnemo.protocol.v1.RecallRequest;
import io.mnemo.protocol.v1.RecallResponse;
import io.mnemo.protocol.v1.RecoveryEvent;
import io.mnemo.protocol.v1.RemoveRequest;
import io.mnemo.protocol.v1.RemoveResponse;
import io.mnemo.protocol.v1.ScanChunk;
import io.mnemo.protocol.v1.ScoredMemory;
import io.mnemo.protocol.v1.ScanRequest;
import io.mnemo.protocol.v1.SpaceCounts;
import io.mnemo.protocol.v1.SpaceSpec;
import io.mnemo.protocol.v1.StatsRequest;
import io.mnemo.protocol.v1.StatsResponse;
import io.mnemo.protocol.v1.StoreBatchRequest;
import io.mnemo.protocol.v1.StoreBatchResponse;
import io.mnemo.protocol.v1.StoreItemResult;
import io.mnemo.protocol.v1.StoreRequest;
import io.mnemo.protocol.v1.StoreResponse;
import io.mnemo.protocol.v1.TopologyRequest;
import io.mnemo.protocol.v1.TopologyResponse;
import io.mnemo.shardmap.PartitionFunction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * The client-facing {@code MnemoService} of one node.
 *
 * <p>Every call passes the {@link RequestGate}: a node that is starting or draining answers UNAVAILABLE (retry
 * elsewhere), and a drain waits for the calls already admitted. Keyed calls (store, recall, remove, batches) go
 * through the {@link Replicator}, which coordinates the quorum or refuses a key this node does not replicate
 * (wrong owner, with the epoch and the owners' endpoints). Each keyed operation starts on its partition's NUMA
 * worker pool ({@code partitionPools}), so the local part of the write or read (the warm-tier access the coordinator
 * does first) runs on the threads, and touches the memory, of the partition's NUMA node; a full pool queue answers
 * UNAVAILABLE (back-pressure). Scans, counts and stats read the local store. Every
 * failure leaves as a typed error ({@link ErrorMapping}); the request thread never blocks on replication: unary
 * replies are sent from the replication future's completion.
 *
 * <p>Validation: the fields that need no space (presence of the memory, no client-set version, the space name,
 * the id) are checked here; the space's own rules (dimension, finite values, content size) by the store, which the
 * coordinator applies first, before any replica sees the write.
 */
final class MnemoServiceImpl extends MnemoServiceGrpc.MnemoServiceImplBase {
    private static final int DEFAULT_SCAN_CHUNK = 256;
    private static final int MAX_SCAN_CHUNK = 4096;
    private static final long DEFAULT_QUERY_TIMEOUT_MS = 10_000;

    private final int nodeId;
    private final TieredStore store;
    private final Replicator replicator;
    private final Supplier<TopologyPlacement> placement;
    private final IntFunction<String> endpointOf;
    private final Supplier<? extends SpaceAdmin> spaces;
    private final RequestGate gate;
    private final long hotMaxBytes;
    private final ClientCallMetrics metrics = new ClientCallMetrics();
    private final PartitionFunction partitionFunction;
    private final IntFunction<Executor> partitionPools;
    /** Recall by cue and cluster-wide counts; set once by the node before the gate opens. */
    private volatile ClusterQueries queries;

    /** Creates, drops and lists spaces: locally on a one-node cluster, through the ownership log when clustered. */
    interface SpaceAdmin {
        /** Creates the space (defaults filled in) and returns it with the epoch that committed it. */
        Map.Entry<SpaceConfig, Long> create(SpaceSpec spec);

        /** Drops the space; returns the epoch that committed the drop. */
        long drop(String name);

        /** The spaces and the epoch they were read at. */
        Map.Entry<List<SpaceConfig>, Long> list();
    }

    MnemoServiceImpl(int nodeId, TieredStore store, Replicator replicator, Supplier<TopologyPlacement> placement,
                     IntFunction<String> endpointOf, Supplier<? extends SpaceAdmin> spaces, RequestGate gate,
                     long hotMaxBytes, PartitionFunction partitionFunction, IntFunction<Executor> partitionPools) {
        this.nodeId = nodeId;
        this.store = Objects.requireNonNull(store, "store");
        this.replicator = Objects.requireNonNull(replicator, "replicator");
        this.placement = Objects.requireNonNull(placement, "placement");
        this.endpointOf = Objects.requireNonNull(endpointOf, "endpointOf");
        this.spaces = Objects.requireNonNull(spaces, "spaces");
        this.gate = Objects.requireNonNull(gate, "gate");
        this.hotMaxBytes = hotMaxBytes;
        this.partitionFunction = Objects.requireNonNull(partitionFunction, "partitionFunction");
        this.partitionPools = Objects.requireNonNull(partitionPools, "partitionPools");
    }

    /** Runs a keyed operation, started on its partition's worker pool, and counts its outcome. */
    private <T> CompletableFuture<T> keyed(String space, String id, Supplier<CompletableFuture<T>> operation) {
        return metrics.keyed(() -> {
            Executor pool = partitionPools.apply(partitionFunction.partitionOf(space, id));
            return CompletableFuture.supplyAsync(operation, pool).thenCompose(f -> f);
        });
    }

    /** Counts of the client calls this service handled; the node binds them to its metrics registry. */
    ClientCallMetrics metrics() {
        return metrics;
    }

    // ---- keyed calls ----

    @Override
    public void store(StoreRequest request, StreamObserver<StoreResponse> out) {
        if (!admit(out)) {
            return;
        }
        CompletableFuture<io.mnemo.node.storage.Version> f;
        try {
            Memory m = checkedMemory(request.hasMemory(), request.getMemory(), "memory");
            f = keyed(m.space(), m.id(), () -> replicator.store(m));
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        String space = request.getMemory().getSpace();
        reply(f, v -> StoreResponse.newBuilder().setVersion(ProtoMapping.toWire(v)).build(), out, "memory", space);
    }

    @Override
    public void recall(RecallRequest request, StreamObserver<RecallResponse> out) {
        if (!admit(out)) {
            return;
        }
        String space = request.getSpace();
        String id = request.getId();
        CompletableFuture<RecallResponse> f;
        try {
            checkKey(space, id);
            ReadConsistency consistency = consistencyOf(request.getConsistency());
            f = keyed(space, id, () -> replicator.read(space, id, consistency)).thenApply(r -> r.memory()
                    .map(m -> RecallResponse.newBuilder().setMemory(ProtoMapping.toWire(m, true)).build())
                    .orElseThrow(() -> Errors.notFound(space, id)));
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        reply(f, r -> r, out, "", space);
    }

    @Override
    public void remove(RemoveRequest request, StreamObserver<RemoveResponse> out) {
        if (!admit(out)) {
            return;
        }
        String space = request.getSpace();
        String id = request.getId();
        CompletableFuture<RemoveResponse> f;
        try {
            checkKey(space, id);
            // "Existed" as this node knew it before the write; the coordinator is a replica, so it usually knows.
            boolean existed = store.read(space, id).map(r -> !r.isTombstone()).orElse(false);
            f = keyed(space, id, () -> replicator.remove(space, id)).thenApply(v -> RemoveResponse.newBuilder()
                    .setVersion(ProtoMapping.toWire(v)).setExisted(existed).build());
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        reply(f, r -> r, out, "", space);
    }

    /**
     * Stores the items through the replicator's batch path ({@link Replicator#storeAll}: one local batch apply and
     * one {@code ReplicateBatch} per replica instead of a replicated write per item). Each item is checked here (a
     * bad one fails alone); the valid ones are grouped by their partition's worker pool and each group starts as one
     * task on its pool, so the coordinator's local part (stamping and the warm-tier writes) runs on the pool of its
     * partitions' NUMA node without a task per item; a full pool queue fails that group's items with UNAVAILABLE.
     * One result per item, in request order, each counted like a single keyed call.
     */
    @Override
    public void storeBatch(StoreBatchRequest request, StreamObserver<StoreBatchResponse> out) {
        if (!admit(out)) {
            return;
        }
        int n = request.getMemoriesCount();
        List<CompletableFuture<io.mnemo.node.storage.Version>> versions = new ArrayList<>(Collections.nCopies(n, null));
        Memory[] checked = new Memory[n];
        Map<Executor, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            try {
                Memory c = checkedMemory(true, request.getMemories(i), "memories[" + i + "]");
                Executor pool = partitionPools.apply(partitionFunction.partitionOf(c.space(), c.id()));
                checked[i] = c;
                groups.computeIfAbsent(pool, x -> new ArrayList<>()).add(i);
            } catch (RuntimeException e) {
                versions.set(i, CompletableFuture.failedFuture(e));
            }
        }
        for (Map.Entry<Executor, List<Integer>> group : groups.entrySet()) {
            List<Integer> members = group.getValue();
            List<Memory> memories = new ArrayList<>(members.size());
            members.forEach(i -> memories.add(checked[i]));
            CompletableFuture<List<CompletableFuture<io.mnemo.node.storage.Version>>> started;
            try {
                started = CompletableFuture.supplyAsync(() -> replicator.storeAll(memories), group.getKey());
            } catch (RuntimeException e) {
                started = CompletableFuture.failedFuture(e);
            }
            CompletableFuture<List<CompletableFuture<io.mnemo.node.storage.Version>>> batch = started;
            for (int j = 0; j < members.size(); j++) {
                int position = j;
                versions.set(members.get(j), metrics.keyed(() -> batch.thenCompose(list -> list.get(position))));
            }
        }
        List<CompletableFuture<StoreItemResult>> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int index = i;
            io.mnemo.protocol.v1.Memory m = request.getMemories(i);
            String field = "memories[" + i + "]";
            items.add(versions.get(i).handle((v, error) -> {
                StoreItemResult.Builder b = StoreItemResult.newBuilder().setIndex(index);
                if (error == null) {
                    return b.setVersion(ProtoMapping.toWire(v)).build();
                }
                StatusRuntimeException s = ErrorMapping.toStatus(error, field, spaceConfig(m.getSpace()), endpointOf);
                ItemError.Builder e = ItemError.newBuilder().setCode(s.getStatus().getCode().value())
                        .setMessage(String.valueOf(s.getStatus().getDescription()));
                Errors.detailOf(s).ifPresent(e::setDetail);
                return b.setError(e).build();
            }));
        }
        CompletableFuture<StoreBatchResponse> all = CompletableFuture.allOf(items.toArray(new CompletableFuture<?>[0]))
                .thenApply(x -> {
                    StoreBatchResponse.Builder b = StoreBatchResponse.newBuilder();
                    items.forEach(item -> b.addResults(item.join()));
                    return b.build();
                });
        reply(all, r -> r, out, "", "");
    }

    /** Gives the service the cluster queries that answer recall by cue and cluster-wide counts. */
    void useQueries(ClusterQueries q) {
        this.queries = Objects.requireNonNull(q, "queries");
    }

    // ---- cluster queries ----

    /** Scatters the cue over the space's partitions (one replica each) and gathers the best k; see ClusterQueries. */
    @Override
    public void recallByCue(RecallByCueRequest request, StreamObserver<RecallByCueResponse> out) {
        if (!admit(out)) {
            return;
        }
        String space = request.getSpace();
        CompletableFuture<RecallByCueResponse> f;
        try {
            SpaceConfig.validateName(space);
            float[] cue = new float[request.getCueCount()];
            for (int i = 0; i < cue.length; i++) {
                cue[i] = request.getCue(i);
            }
            f = requireQueries().recallByCue(space, cue, request.getK(), request.getMinConfidence(),
                    request.getPartitionsList(), queryTimeout()).thenApply(o -> {
                        RecallByCueResponse.Builder b = RecallByCueResponse.newBuilder().setComplete(o.complete())
                                .setPartitionsAnswered(o.answered()).setPartitionsAsked(o.asked());
                        for (CueHit h : o.hits()) {
                            b.addHits(ScoredMemory.newBuilder().setMemory(ProtoMapping.toWire(h.memory(), true))
                                    .setSimilarity(h.similarity()));
                        }
                        return b.build();
                    });
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        reply(f, r -> r, out, "", space);
    }

    private ClusterQueries requireQueries() {
        ClusterQueries q = queries;
        if (q == null) {
            throw Errors.unavailable("node " + nodeId + " is not ready for cluster queries yet", 200);
        }
        return q;
    }

    /**
     * Time a cluster query may take: most of what is left of the call's deadline (the rest carries the answer
     * back), or {@value #DEFAULT_QUERY_TIMEOUT_MS} ms when the caller set none.
     */
    private static java.time.Duration queryTimeout() {
        io.grpc.Deadline deadline = io.grpc.Context.current().getDeadline();
        long ns = deadline == null ? java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(DEFAULT_QUERY_TIMEOUT_MS)
                : deadline.timeRemaining(java.util.concurrent.TimeUnit.NANOSECONDS) * 9 / 10;
        return java.time.Duration.ofNanos(Math.max(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(10), ns));
    }

    // ---- local reads ----

    /** Streams the space from the local store ({@link ScanStreamer}). */
    @Override
    public void scan(ScanRequest request, StreamObserver<ScanChunk> responseObserver) {
        if (!admit(responseObserver)) {
            return;
        }
        ServerCallStreamObserver<ScanChunk> out = (ServerCallStreamObserver<ScanChunk>) responseObserver;
        ScanCursor cursor;
        io.mnemo.node.storage.ScanRequest.Builder scanFrom;
        Set<Integer> partitions;
        PartitionFunction function;
        int chunk;
        try {
            SpaceConfig.validateName(request.getSpace());
            io.mnemo.node.storage.ScanRequest.Builder b = io.mnemo.node.storage.ScanRequest.builder()
                    .space(request.getSpace());
            switch (request.getTier()) {
                case TIER_UNSPECIFIED:
                    break;
                case TIER_HOT:
                    b.tier(io.mnemo.node.storage.Tier.HOT);
                    break;
                case TIER_WARM:
                    b.tier(io.mnemo.node.storage.Tier.WARM);
                    break;
                default:
                    throw Errors.invalidArgument("tier", "tier " + request.getTier() + " is not served by this node",
                            "TIER_HOT, TIER_WARM");
            }
            if (!request.getResumeToken().isEmpty()) {
                b.resumeToken(request.getResumeToken().toString(StandardCharsets.UTF_8));
            }
            chunk = request.getChunkSize() == 0 ? DEFAULT_SCAN_CHUNK : Math.min(MAX_SCAN_CHUNK, request.getChunkSize());
            partitions = new HashSet<>(request.getPartitionsList());
            function = PartitionFunction.of(placement.get().partitions());
            if (partitions.size() == 1) {
                b.partition(partitions.iterator().next());
            }
            b.pageHint(chunk);
            scanFrom = b;
            cursor = store.scan(b.build());
        } catch (RuntimeException e) {
            failAdmitted(responseObserver, e, "", request.getSpace());
            return;
        }
        io.mnemo.node.storage.ScanRequest.Builder pages = scanFrom;
        metrics.scanOpened();
        String space = request.getSpace();
        new ScanStreamer(out, cursor, token -> store.scan(pages.resumeToken(token).build()), partitions, function,
                chunk, request.getOmitEmbeddings(), gate::exit, e -> fail(out, e, "", space)).start();
    }

    @Override
    public void counts(CountsRequest request, StreamObserver<CountsResponse> out) {
        if (!admit(out)) {
            return;
        }
        try {
            if (!request.getSpace().isEmpty()) {
                SpaceConfig.validateName(request.getSpace());
                if (spaceConfig(request.getSpace()).isEmpty()) {
                    throw new io.mnemo.node.storage.UnknownSpaceException(request.getSpace());
                }
            }
            TopologyPlacement pl = placement.get();
            if (request.getClusterWide() && pl != null && pl.topology().members().size() > 1) {
                clusterCounts(request, out);
                return;
            }
            TierCounts counts = store.counts();
            CountsResponse.Builder b = CountsResponse.newBuilder();
            long hot = 0;
            long warm = 0;
            long tombstones = 0;
            for (Map.Entry<String, TierCounts.SpaceCounts> e : counts.spaces().entrySet()) {
                if (request.getSpace().isEmpty() || request.getSpace().equals(e.getKey())) {
                    b.addSpaces(SpaceCounts.newBuilder().setSpace(e.getKey()).setCounts(ProtoMapping.toWire(e.getValue())));
                    hot += e.getValue().hot();
                    warm += e.getValue().warm();
                    tombstones += e.getValue().tombstones();
                }
            }
            b.setTotal(ProtoMapping.toWire(new TierCounts.SpaceCounts(hot, warm, tombstones)));
            succeed(out, b.build());
        } catch (RuntimeException e) {
            failAdmitted(out, e, "", request.getSpace());
        }
    }

    /**
     * Counts every partition once, each by one replica (ClusterQueries), and sums. A count that could not reach a
     * replica of every partition in time fails with a retryable UNAVAILABLE rather than return a number that is
     * silently too small (CountsResponse has no field to say it is partial).
     */
    private void clusterCounts(CountsRequest request, StreamObserver<CountsResponse> out) {
        String space = request.getSpace();
        CompletableFuture<CountsResponse> f = requireQueries().counts(space, queryTimeout()).thenApply(o -> {
            if (!o.complete()) {
                throw Errors.unavailable("cluster-wide count reached " + o.answered() + " of " + o.asked()
                        + " partitions in time (no live replica answered for the others); retry", 500);
            }
            CountsResponse.Builder b = CountsResponse.newBuilder();
            long[] total = new long[3];
            for (Map.Entry<String, long[]> e : o.spaces().entrySet()) {
                long[] c = e.getValue();
                b.addSpaces(SpaceCounts.newBuilder().setSpace(e.getKey())
                        .setCounts(ProtoMapping.toWire(new TierCounts.SpaceCounts(c[0], c[1], c[2]))));
                for (int i = 0; i < 3; i++) {
                    total[i] += c[i];
                }
            }
            b.setTotal(ProtoMapping.toWire(new TierCounts.SpaceCounts(total[0], total[1], total[2])));
            return b.build();
        });
        reply(f, r -> r, out, "", space);
    }

    @Override
    public void stats(StatsRequest request, StreamObserver<StatsResponse> out) {
        if (!admit(out)) {
            return;
        }
        try {
            StoreStats s = store.stats();
            StatsResponse.Builder b = StatsResponse.newBuilder().setNodeId(nodeId)
                    .setLiveBytes(s.liveBytes()).setFileBytes(s.fileBytes())
                    .setFragmentation(s.fragmentation()).setHotBytes(s.hotBytes()).setHotMaxBytes(hotMaxBytes);
            for (String finding : s.recovery().findings()) {
                b.addRecoveryEvents(RecoveryEvent.newBuilder().setDescription(finding));
            }
            succeed(out, b.build());
        } catch (RuntimeException e) {
            failAdmitted(out, e, "", "");
        }
    }

    /**
     * Answered even while the node is not ready: a client needs the topology to find another replica. A node
     * that has no topology yet (a cluster member before the baseline names it) answers with none.
     */
    @Override
    public void topology(TopologyRequest request, StreamObserver<TopologyResponse> out) {
        TopologyPlacement pl = placement.get();
        TopologyResponse.Builder b = TopologyResponse.newBuilder();
        if (pl != null && pl.topology().epoch() > request.getKnownEpoch()) {
            b.setTopology(ProtoMapping.toWire(pl));
        }
        out.onNext(b.build());
        out.onCompleted();
    }

    // ---- spaces ----

    @Override
    public void createSpace(CreateSpaceRequest request, StreamObserver<CreateSpaceResponse> out) {
        if (!admit(out)) {
            return;
        }
        try {
            if (!request.hasSpec()) {
                throw Errors.invalidArgument("spec", "must be present", "");
            }
            Map.Entry<SpaceConfig, Long> created = spaces.get().create(request.getSpec());
            succeed(out, CreateSpaceResponse.newBuilder().setSpace(ProtoMapping.toWire(created.getKey()))
                    .setEpoch(created.getValue()).build());
        } catch (RuntimeException e) {
            failAdmitted(out, prefixed(e, "spec"), "", request.getSpec().getName());
        }
    }

    @Override
    public void dropSpace(DropSpaceRequest request, StreamObserver<DropSpaceResponse> out) {
        if (!admit(out)) {
            return;
        }
        try {
            SpaceConfig.validateName(request.getName());
            succeed(out, DropSpaceResponse.newBuilder().setEpoch(spaces.get().drop(request.getName())).build());
        } catch (RuntimeException e) {
            failAdmitted(out, e, "", request.getName());
        }
    }

    @Override
    public void listSpaces(ListSpacesRequest request, StreamObserver<ListSpacesResponse> out) {
        if (!admit(out)) {
            return;
        }
        try {
            Map.Entry<List<SpaceConfig>, Long> list = spaces.get().list();
            ListSpacesResponse.Builder b = ListSpacesResponse.newBuilder().setEpoch(list.getValue());
            list.getKey().forEach(s -> b.addSpaces(ProtoMapping.toWire(s)));
            succeed(out, b.build());
        } catch (RuntimeException e) {
            failAdmitted(out, e, "", "");
        }
    }

    // ---- plumbing ----

    private static RuntimeException prefixed(RuntimeException e, String prefix) {
        if (e instanceof io.mnemo.node.storage.InvalidMemoryException) {
            io.mnemo.node.storage.InvalidMemoryException ime = (io.mnemo.node.storage.InvalidMemoryException) e;
            return Errors.invalidArgument(prefix + "." + ime.field(), ime.getMessage(), "");
        }
        return e;
    }

    /** The memory of a store request as a storage memory, after the checks that need no space. */
    private static Memory checkedMemory(boolean present, io.mnemo.protocol.v1.Memory m, String field) {
        if (!present) {
            throw Errors.invalidArgument(field, "must be present", "");
        }
        if (m.hasVersion()) {
            throw Errors.invalidArgument(field + ".version", "must not be set: the coordinator stamps the version", "");
        }
        try {
            SpaceConfig.validateName(m.getSpace());
            MemoryValidator.validateId(m.getId());
        } catch (io.mnemo.node.storage.InvalidMemoryException e) {
            throw Errors.invalidArgument(field + "." + e.field(), e.getMessage(), ErrorMapping.limitOf(e.field(),
                    Optional.empty()));
        }
        return ProtoMapping.fromWire(m);
    }

    private static void checkKey(String space, String id) {
        SpaceConfig.validateName(space);
        MemoryValidator.validateId(id);
    }

    private static ReadConsistency consistencyOf(io.mnemo.protocol.v1.Consistency c) {
        switch (c) {
            case CONSISTENCY_ONE:
                return ReadConsistency.ONE;
            case CONSISTENCY_UNSPECIFIED:
            case CONSISTENCY_QUORUM:
                return ReadConsistency.QUORUM;
            case CONSISTENCY_ALL:
                return ReadConsistency.ALL;
            default:
                throw Errors.invalidArgument("consistency", "unknown value " + c, "ONE, QUORUM, ALL");
        }
    }

    private Optional<SpaceConfig> spaceConfig(String name) {
        try {
            return store.listSpaces().stream().filter(s -> s.name().equals(name)).findFirst();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private boolean admit(StreamObserver<?> out) {
        if (gate.tryEnter()) {
            return true;
        }
        out.onError(Errors.unavailable("node " + nodeId + " is not serving (starting or draining)", 100));
        return false;
    }

    private <T, R> void reply(CompletableFuture<T> f, java.util.function.Function<T, R> body, StreamObserver<R> out,
                              String field, String space) {
        f.whenComplete((value, error) -> {
            if (error == null) {
                R r;
                try {
                    r = body.apply(value);
                } catch (RuntimeException e) {
                    failAdmitted(out, e, field, space);
                    return;
                }
                succeed(out, r);
            } else {
                failAdmitted(out, error, field, space);
            }
        });
    }

    private <R> void succeed(StreamObserver<R> out, R value) {
        try {
            out.onNext(value);
            out.onCompleted();
        } finally {
            gate.exit();
        }
    }

    private void failAdmitted(StreamObserver<?> out, Throwable error, String field, String space) {
        try {
            fail(out, error, field, space);
        } finally {
            gate.exit();
        }
    }

    private void fail(StreamObserver<?> out, Throwable error, String field, String space) {
        out.onError(ErrorMapping.toStatus(error, field, spaceConfig(space), endpointOf));
    }
}
