package io.mnemo.node.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.mnemo.node.replication.ReplicaTransport.Caller;
import io.mnemo.node.server.CallExecutors;
import io.mnemo.node.storage.DefaultTieredStore;
import io.mnemo.node.storage.HybridClock;
import io.mnemo.node.storage.SpaceConfig;
import io.mnemo.node.storage.StorageConfig;
import io.mnemo.node.storage.StoredRecord;
import io.mnemo.node.storage.TieredStores;
import io.mnemo.node.storage.Version;
import io.mnemo.protocol.v1.ReplicaServiceGrpc;
import io.mnemo.protocol.v1.ReplicateBatchRequest;
import io.mnemo.protocol.v1.ReplicateRequest;
import io.mnemo.protocol.v1.ReplicateResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Three nodes serving {@link ReplicaServiceImpl} on real loopback sockets, replicating through {@link GrpcReplicaTransport}. */
@Timeout(60)
class GrpcReplicationTest {
    private static final int PARTITIONS = 4;

    @TempDir
    Path dir;
    private final List<DefaultTieredStore> stores = new ArrayList<>();
    private final List<Server> servers = new ArrayList<>();
    private final List<ReplicationNode> nodes = new ArrayList<>();
    private final List<GrpcReplicaTransport> transports = new ArrayList<>();
    private final List<AtomicReference<ReplicaPlacement>> placements = new ArrayList<>();
    private final List<ReplicaHandler> handlers = new ArrayList<>();
    /** Per server: "encoded" or "record" for each record a Replicate or ReplicateBatch call carried, in order. */
    private final List<List<String>> recordForms = new ArrayList<>();
    /** Per server: each ReadReplica call as it went over the wire, request and answer. */
    private final List<List<ReadCall>> reads = new ArrayList<>();
    private ScheduledThreadPoolExecutor timer;

    @BeforeEach
    void start() throws Exception {
        timer = new ScheduledThreadPoolExecutor(1);
        Map<Integer, InetSocketAddress> addresses = new HashMap<>();
        List<HybridClock> clocks = new ArrayList<>();
        for (int id = 0; id < 3; id++) {
            DefaultTieredStore s = TieredStores.open(StorageConfig.builder(dir.resolve("n" + id)).partitions(PARTITIONS).nodeId(id)
                    .entriesPerSegment(512).averageValueBytes(512).largeValueThresholdBytes(16 << 10).largeEntriesPerSegment(16)
                    .largeAverageValueBytes(256 << 10).build());
            s.createSpace(SpaceConfig.of(MiniCluster.SPACE, MiniCluster.DIM));
            stores.add(s);
            AtomicReference<ReplicaPlacement> pl = new AtomicReference<>(StaticPlacement.ring(1, PARTITIONS, List.of(0, 1, 2), 3));
            placements.add(pl);
            HybridClock clock = new HybridClock(Clock.systemUTC());
            clocks.add(clock);
            ReplicaHandler h = new ReplicaHandler(id, s, pl::get, clock);
            handlers.add(h);
        }
        Map<Integer, String> endpoints = new HashMap<>();
        for (int id = 0; id < 3; id++) {
            // The node's own choice of threads for each call.
            List<String> forms = Collections.synchronizedList(new ArrayList<>());
            recordForms.add(forms);
            List<ReadCall> readCalls = Collections.synchronizedList(new ArrayList<>());
            reads.add(readCalls);
            Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).callExecutor(new CallExecutors())
                    .addService(ServerInterceptors.intercept(new ReplicaServiceImpl(handlers.get(id),
                            n -> endpoints.getOrDefault(n, "?")), recordingForms(forms), recordingReads(readCalls))).build().start();
            servers.add(server);
            InetSocketAddress a = new InetSocketAddress("127.0.0.1", server.getPort());
            addresses.put(id, a);
            endpoints.put(id, GrpcReplicaTransport.endpoint(a));
        }
        for (int id = 0; id < 3; id++) {
            GrpcReplicaTransport t = new GrpcReplicaTransport(addresses, Duration.ofSeconds(5));
            transports.add(t);
            int nodeId = id;
            ReplicationNode node = new ReplicationNode(ReplicationConfig.builder(id).writeTimeout(Duration.ofSeconds(5)).build(),
                    stores.get(id), t, placements.get(id)::get, clocks.get(id), Scheduler.of(timer), (loop, e) -> {
                        throw new AssertionError("loop " + loop + " of node " + nodeId, e);
                    });
            nodes.add(node);
        }
    }

    @AfterEach
    void stop() throws Exception {
        nodes.forEach(ReplicationNode::close);
        transports.forEach(GrpcReplicaTransport::close);
        for (Server s : servers) {
            s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        timer.shutdownNow();
        stores.forEach(DefaultTieredStore::close);
    }

    @Test
    void storeAndRead_overLoopbackGrpc_replicatesToAllAndReadsQuorum() throws Exception {
        Version v = nodes.get(0).store(MiniCluster.memory("k1", "over-the-wire")).get(10, TimeUnit.SECONDS);
        Await.until("k1 on all 3 stores", Duration.ofSeconds(10), () -> IntStream.range(0, 3)
                .allMatch(n -> stores.get(n).read(MiniCluster.SPACE, "k1").map(r -> r.version().equals(v)).orElse(false)));
        StoredRecord onTwo = stores.get(2).read(MiniCluster.SPACE, "k1").orElseThrow();
        assertThat(onTwo.memory().orElseThrow().content()).contains("over-the-wire");
        assertThat(onTwo.memory().orElseThrow().embedding()).isEqualTo(MiniCluster.memory("k1", "x").embedding());

        Version removed = nodes.get(1).remove(MiniCluster.SPACE, "k1").get(10, TimeUnit.SECONDS);
        ReadResult r = nodes.get(2).read(MiniCluster.SPACE, "k1", ReadConsistency.ALL).get(10, TimeUnit.SECONDS);
        assertThat(r.record().orElseThrow().isTombstone()).isTrue();
        assertThat(r.record().orElseThrow().version()).isEqualTo(removed);
    }

    @Test
    void typedErrors_overGrpc_arriveAsStaleEpochAndWrongOwner() throws Exception {
        placements.get(1).set(StaticPlacement.ring(7, PARTITIONS, List.of(0, 1, 2), 3));
        StoredRecord rec = StoredRecord.live(MiniCluster.memory("k1", "x").toBuilder().version(new Version(1L << 20, 0)).build());
        int p = io.mnemo.shardmap.PartitionFunction.of(PARTITIONS).partitionOf(MiniCluster.SPACE, "k1");
        Throwable stale = failure(() -> transports.get(0).replicate(1, new Caller(0, 1), p, rec).get(10, TimeUnit.SECONDS));
        assertThat(stale).isInstanceOfSatisfying(StaleEpochException.class, e -> assertThat(e.currentEpoch()).isEqualTo(7));

        placements.get(2).set(StaticPlacement.ring(1, PARTITIONS, List.of(0, 1), 2));
        Throwable wrong = failure(() -> transports.get(0).replicate(2, new Caller(0, 1), p, rec).get(10, TimeUnit.SECONDS));
        assertThat(wrong).isInstanceOfSatisfying(WrongOwnerException.class, e -> {
            assertThat(e.partition()).isEqualTo(p);
            assertThat(e.suggestedReplicas()).containsExactlyInAnyOrderElementsOf(List.of(0, 1));
        });
    }

    @Test
    void callerAhead_waits_whileLaterCallsOnTheSameConnectionAreServed() throws Exception {
        assertThat(CallExecutors.direct(io.mnemo.protocol.v1.ReplicaServiceGrpc.getReplicateMethod().getFullMethodName()))
                .as("replica calls touch storage: not on the network thread").isFalse();
        io.mnemo.shardmap.PartitionFunction f = io.mnemo.shardmap.PartitionFunction.of(PARTITIONS);
        String id = idIn(f, 0);
        StoredRecord ahead = StoredRecord.live(MiniCluster.memory(id, "from the future").toBuilder()
                .version(new Version(1L << 30, 0)).build());
        // The calls below are bounded to show they are not held up by the waiting one; creating node 1's partition
        // files (a fresh JVM's first Chronicle Map file can take seconds) is not what they measure, so it comes first.
        for (int p = 0; p < PARTITIONS; p++) {
            stores.get(1).preparePartition(p);
        }
        // Node 0 routes by epoch 2; node 1 is still at 1, so the call waits on node 1 for its placement.
        java.util.concurrent.CompletableFuture<ReplicaTransport.ReplicateReply> waiting =
                transports.get(0).replicate(1, new Caller(0, 2), 0, ahead);
        for (int i = 0; i < 5; i++) {
            StoredRecord now = StoredRecord.live(MiniCluster.memory("now" + i, "x").toBuilder()
                    .version(new Version((1L << 29) + i, 0)).build());
            int p = f.partitionOf(MiniCluster.SPACE, "now" + i);
            // Same channel: were the connection held up by the wait, this would time out.
            assertThat(transports.get(0).replicate(1, new Caller(0, 1), p, now).get(1, TimeUnit.SECONDS).applied())
                    .as("call %d at node 1's epoch", i).isTrue();
        }
        assertThat(waiting).as("still waiting for node 1 to catch up").isNotDone();
        placements.get(1).set(StaticPlacement.ring(2, PARTITIONS, List.of(0, 1, 2), 3));
        handlers.get(1).placementChanged();
        assertThat(waiting.get(5, TimeUnit.SECONDS).applied()).isTrue();
        assertThat(stores.get(1).read(MiniCluster.SPACE, id)).contains(ahead);
    }

    @Test
    void callerStillAheadAfterTheWait_isRefused_andNeverHoldsTheFenceWhileWaiting() throws Exception {
        String id = idIn(io.mnemo.shardmap.PartitionFunction.of(PARTITIONS), 0);
        StoredRecord ahead = StoredRecord.live(MiniCluster.memory(id, "from the future").toBuilder()
                .version(new Version(1L << 30, 0)).build());
        java.util.concurrent.ExecutorService caller = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            // Node 1 stays at epoch 1 while the caller is at 2: it waits for node 1, then is refused.
            java.util.concurrent.Future<ReplicaTransport.ReplicateReply> call =
                    caller.submit(() -> handlers.get(1).replicate(new Caller(0, 2), 0, ahead));
            // Refused after one catch-up wait. A second wait, under the fence's read side once the first ran out,
            // held every fence on node 1, and every write queued behind it, for another CATCH_UP_WAIT_MS.
            Await.until("the caller still ahead to be refused after one catch-up wait",
                    Duration.ofMillis(ReplicaHandler.CATCH_UP_WAIT_MS + 1500), call::isDone);
            java.util.concurrent.CompletableFuture.runAsync(handlers.get(1)::fence).get(1, TimeUnit.SECONDS);
            Throwable refused = failure(() -> call.get(5, TimeUnit.SECONDS));
            assertThat(refused).isInstanceOf(ReplicaUnavailableException.class).hasMessageContaining("behind");
            assertThat(stores.get(1).read(MiniCluster.SPACE, id)).isEmpty();
        } finally {
            caller.shutdownNow();
        }
    }

    @Test
    void nodeWithoutPlacementYet_answersUnavailable_notAnInternalError() throws Exception {
        placements.get(1).set(null);
        StoredRecord rec = StoredRecord.live(MiniCluster.memory("early", "x").toBuilder().version(new Version(1L << 20, 0)).build());
        int p = io.mnemo.shardmap.PartitionFunction.of(PARTITIONS).partitionOf(MiniCluster.SPACE, "early");
        Throwable t = failure(() -> transports.get(0).replicate(1, new Caller(0, 1), p, rec).get(10, TimeUnit.SECONDS));
        assertThat(t).isInstanceOf(ReplicaUnavailableException.class).hasMessageContaining("no placement yet");
    }

    @Test
    void antiEntropyAndHints_overGrpc_bringStaleReplicaUpToDate() throws Exception {
        for (int i = 0; i < 20; i++) {
            stores.get(0).apply(StoredRecord.live(MiniCluster.memory("ae" + i, "v" + i).toBuilder()
                    .version(new Version((1000L + i) << 16, 0)).build()));
        }
        for (int p = 0; p < PARTITIONS; p++) {
            SyncResult r = nodes.get(0).syncPartition(p).get(20, TimeUnit.SECONDS);
            assertThat(r.peersFailed()).isZero();
        }
        for (int i = 0; i < 20; i++) {
            assertThat(stores.get(1).read(MiniCluster.SPACE, "ae" + i)).as("ae" + i + " on node 1").isPresent();
            assertThat(stores.get(2).read(MiniCluster.SPACE, "ae" + i)).as("ae" + i + " on node 2").isPresent();
        }
        StoredRecord hinted = StoredRecord.live(MiniCluster.memory("h1", "hinted").toBuilder()
                .version(new Version(5000L << 16, 0)).build());
        int p = io.mnemo.shardmap.PartitionFunction.of(PARTITIONS).partitionOf(MiniCluster.SPACE, "h1");
        nodes.get(0).importHints(List.of(new Hint(2, p, hinted)));
        nodes.get(0).deliverHints().get(10, TimeUnit.SECONDS);
        assertThat(stores.get(2).read(MiniCluster.SPACE, "h1")).contains(hinted);
        assertThat(nodes.get(0).stats().hintsDelivered()).isEqualTo(1);
    }

    @Test
    void storeAll_overLoopbackGrpc_replicatesEveryItemInBatches() throws Exception {
        int n = 600;
        List<io.mnemo.node.storage.Memory> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            batch.add(MiniCluster.memory("b" + i, i % 3 == 0 ? null : "item " + i));
        }
        List<java.util.concurrent.CompletableFuture<Version>> results = nodes.get(1).storeAll(batch);
        List<Version> acked = new ArrayList<>();
        for (java.util.concurrent.CompletableFuture<Version> f : results) {
            acked.add(f.get(20, TimeUnit.SECONDS));
        }
        Await.until("every item on all 3 stores", Duration.ofSeconds(20), () -> IntStream.range(0, n).allMatch(i ->
                IntStream.range(0, 3).allMatch(s -> stores.get(s).read(MiniCluster.SPACE, "b" + i)
                        .map(r -> r.version().equals(acked.get(i))).orElse(false))));
        assertThat(stores.get(2).read(MiniCluster.SPACE, "b3").orElseThrow().memory().orElseThrow().content())
                .as("absent content stays absent over the wire").isEmpty();
        assertThat(stores.get(0).read(MiniCluster.SPACE, "b4").orElseThrow().memory().orElseThrow().content())
                .contains("item 4");
        assertThat(nodes.get(1).stats().writesAcked()).isEqualTo(n);
        assertThat(nodes.get(1).pendingHints()).isZero();
    }

    @Test
    void replicateBatch_overGrpc_answersPerItemWithTypedErrors() throws Exception {
        // Node 2 at the same epoch replicates only partitions 1 (1, 2) and 2 (2, 0) of a ring of RF 2 over 0, 1, 2.
        placements.get(2).set(StaticPlacement.ring(1, PARTITIONS, List.of(0, 1, 2), 2));
        io.mnemo.shardmap.PartitionFunction f = io.mnemo.shardmap.PartitionFunction.of(PARTITIONS);
        String held = idIn(f, 1);
        String notHeld = idIn(f, 0);
        Version v = new Version(1L << 30, 0);
        StoredRecord newer = StoredRecord.live(MiniCluster.memory(held, "newer").toBuilder().version(v).build());
        stores.get(2).apply(newer);
        List<ReplicaTransport.ReplicateItem> items = List.of(
                new ReplicaTransport.ReplicateItem(1, StoredRecord.live(MiniCluster.memory(held, "older").toBuilder()
                        .version(new Version(1L << 29, 1)).build())),
                new ReplicaTransport.ReplicateItem(0, StoredRecord.live(MiniCluster.memory(notHeld, "x").toBuilder()
                        .version(v).build())),
                new ReplicaTransport.ReplicateItem(2, StoredRecord.live(MiniCluster.memory(notHeld, "misfiled").toBuilder()
                        .version(v).build())),
                new ReplicaTransport.ReplicateItem(1, StoredRecord.tombstone(new io.mnemo.node.storage.MemoryKey(
                        MiniCluster.SPACE, idIn(f, 1, held)), v)));
        List<ReplicaTransport.ItemReply> replies = transports.get(0).replicateBatch(2, new Caller(0, 1), items)
                .get(10, TimeUnit.SECONDS);
        assertThat(replies).hasSize(4);
        assertThat(replies.get(0).reply().applied()).as("older version loses").isFalse();
        assertThat(replies.get(0).reply().currentVersion()).isEqualTo(v);
        assertThat(replies.get(1).error()).isInstanceOfSatisfying(WrongOwnerException.class, e -> {
            assertThat(e.partition()).isZero();
            assertThat(e.suggestedReplicas()).containsExactly(0, 1);
        });
        assertThat(replies.get(2).error()).isInstanceOfSatisfying(ReplicaRejectedException.class,
                e -> assertThat(e.reason()).isEqualTo(ReplicaRejectedException.Reason.INVALID_ARGUMENT));
        assertThat(replies.get(3).reply().applied()).as("a tombstone in a batch").isTrue();
        assertThat(stores.get(2).read(MiniCluster.SPACE, held)).contains(newer);

        placements.get(2).set(StaticPlacement.ring(9, PARTITIONS, List.of(0, 1, 2), 3));
        Throwable stale = failure(() -> transports.get(0).replicateBatch(2, new Caller(0, 1), items).get(10, TimeUnit.SECONDS));
        assertThat(stale).as("the epoch fails the whole call")
                .isInstanceOfSatisfying(StaleEpochException.class, e -> assertThat(e.currentEpoch()).isEqualTo(9));
    }

    @Test
    void replicate_sendsStorageEncodedRecords_onceTheReplicaSaidItReadsThem_andTheyArriveWhole() throws Exception {
        assertThat(transports.get(0).sendsEncodedTo(1)).isFalse();
        Version v1 = nodes.get(0).store(MiniCluster.memory("k1", "first")).get(10, TimeUnit.SECONDS);
        Await.until("node 0 learned that both replicas read encoded records", Duration.ofSeconds(10),
                () -> transports.get(0).sendsEncodedTo(1) && transports.get(0).sendsEncodedTo(2));
        Version v2 = nodes.get(0).store(MiniCluster.memory("k2", "")).get(10, TimeUnit.SECONDS);
        List<io.mnemo.node.storage.Memory> batch = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            batch.add(MiniCluster.memory("b" + i, i % 2 == 0 ? null : "item " + i));
        }
        List<Version> acked = new ArrayList<>();
        for (java.util.concurrent.CompletableFuture<Version> f : nodes.get(0).storeAll(batch)) {
            acked.add(f.get(20, TimeUnit.SECONDS));
        }
        Await.until("everything on node 2", Duration.ofSeconds(10), () -> IntStream.range(0, 40).allMatch(i -> stores.get(2)
                .read(MiniCluster.SPACE, "b" + i).map(r -> r.version().equals(acked.get(i))).orElse(false))
                && stores.get(2).read(MiniCluster.SPACE, "k2").map(r -> r.version().equals(v2)).orElse(false));

        assertThat(recordForms.get(2).get(0)).as("the first call, before any answer").isEqualTo("record");
        assertThat(recordForms.get(2).subList(1, recordForms.get(2).size())).hasSize(41).containsOnly("encoded");
        io.mnemo.node.storage.Memory k2 = stores.get(2).read(MiniCluster.SPACE, "k2").orElseThrow().memory().orElseThrow();
        assertThat(k2.content()).as("empty content is not absent content").contains("");
        assertThat(k2.embedding()).isEqualTo(MiniCluster.memory("k2", "").embedding());
        assertThat(stores.get(1).read(MiniCluster.SPACE, "b0").orElseThrow().memory().orElseThrow().content()).isEmpty();
        assertThat(stores.get(1).read(MiniCluster.SPACE, "b1").orElseThrow().memory().orElseThrow().content())
                .contains("item 1");
        assertThat(stores.get(1).read(MiniCluster.SPACE, "k1").orElseThrow().version()).isEqualTo(v1);
    }

    @Test
    void replicate_toAReplicaThatNeverSaysItReadsEncodedRecords_keepsSendingProtobufRecords() throws Exception {
        List<ReplicateRequest> seen = Collections.synchronizedList(new ArrayList<>());
        GrpcReplicaTransport t = transportToOldReplica(new ReplicaServiceGrpc.ReplicaServiceImplBase() {
            @Override
            public void replicate(ReplicateRequest request, StreamObserver<ReplicateResponse> out) {
                seen.add(request);
                out.onNext(ReplicateResponse.newBuilder().setApplied(true)
                        .setCurrentVersion(request.getRecord().getVersion()).build());
                out.onCompleted();
            }
        });
        StoredRecord rec = StoredRecord.live(MiniCluster.memory("k1", "x").toBuilder().version(new Version(1L << 20, 0))
                .build()).withEncoding();
        for (int i = 0; i < 3; i++) {
            assertThat(t.replicate(7, new Caller(0, 1), 0, rec).get(10, TimeUnit.SECONDS).applied()).isTrue();
        }
        assertThat(seen).hasSize(3).allSatisfy(r -> {
            assertThat(r.hasEncoded()).isFalse();
            assertThat(WireCodec.fromWire(r.getRecord())).isEqualTo(rec);
        });
        assertThat(t.sendsEncodedTo(7)).isFalse();
    }

    @Test
    void replicate_encodedRecordWithAFlippedByte_isRefusedAsCorruption_andNotApplied() throws Exception {
        int p = io.mnemo.shardmap.PartitionFunction.of(PARTITIONS).partitionOf(MiniCluster.SPACE, "k1");
        StoredRecord rec = StoredRecord.live(MiniCluster.memory("k1", "x").toBuilder().version(new Version(1L << 20, 0))
                .build());
        io.mnemo.protocol.v1.EncodedRecord good = WireCodec.toWireEncoded(rec);
        byte[] bytes = good.getRecord().toByteArray();
        bytes[bytes.length / 2] ^= 0x40;
        ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", servers.get(1).getPort()).usePlaintext().build();
        try {
            ReplicateRequest req = ReplicateRequest.newBuilder().setPartition(p).setTopologyEpoch(1).setFromNodeId(0)
                    .setEncoded(good.toBuilder().setRecord(com.google.protobuf.ByteString.copyFrom(bytes))).build();
            assertThatThrownBy(() -> ReplicaServiceGrpc.newBlockingStub(ch).replicate(req))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DATA_LOSS);
                        assertThat(e.getStatus().getDescription()).contains("k1");
                    });
            assertThat(stores.get(1).read(MiniCluster.SPACE, "k1")).isEmpty();
            ReplicateRequest intact = req.toBuilder().setEncoded(good).build();
            assertThat(ReplicaServiceGrpc.newBlockingStub(ch).replicate(intact).getApplied()).isTrue();
            assertThat(stores.get(1).read(MiniCluster.SPACE, "k1")).contains(rec);
        } finally {
            ch.shutdownNow();
        }
    }

    @Test
    void quorumRead_overGrpc_theDigestReplicaSendsItsVersionWithoutTheRecordBody() throws Exception {
        Version v = nodes.get(0).store(MiniCluster.memory("k1", "over-the-wire")).get(10, TimeUnit.SECONDS);
        Await.until("k1 on all 3 stores", Duration.ofSeconds(10), () -> IntStream.range(0, 3)
                .allMatch(n -> stores.get(n).read(MiniCluster.SPACE, "k1").map(r -> r.version().equals(v)).orElse(false)));
        StoredRecord stored = stores.get(0).read(MiniCluster.SPACE, "k1").orElseThrow();

        ReadResult r = nodes.get(0).read(MiniCluster.SPACE, "k1", ReadConsistency.QUORUM).get(10, TimeUnit.SECONDS);
        assertThat(r.record()).contains(stored);
        List<ReadCall> remote = new ArrayList<>(reads.get(1));
        remote.addAll(reads.get(2));
        assertThat(remote).as("one remote replica asked, for its version only").singleElement().satisfies(call -> {
            assertThat(call.request().getVersionOnly()).isTrue();
            assertThat(call.response().hasRecord()).as("no record body on the wire").isFalse();
            assertThat(WireCodec.fromWire(call.response().getVersion())).isEqualTo(v);
            assertThat(call.response().getTombstone()).isFalse();
            assertThat(call.response().getSerializedSize())
                    .as("a version and nothing else, against %d bytes for the record",
                            WireCodec.toWire(stored).getSerializedSize())
                    .isLessThan(24);
        });
        assertThat(stores.get(1).counts().hot(MiniCluster.SPACE) + stores.get(2).counts().hot(MiniCluster.SPACE))
                .as("a version-only read promotes nothing").isZero();
        assertThat(nodes.get(0).stats().digestFetches()).isZero();
    }

    @Test
    void quorumRead_overGrpc_digestReplicaNewer_theRecordIsFetchedInASecondCall() throws Exception {
        Version v1 = nodes.get(0).store(MiniCluster.memory("k1", "old")).get(10, TimeUnit.SECONDS);
        Await.until("k1 on all 3 stores", Duration.ofSeconds(10), () -> IntStream.range(0, 3)
                .allMatch(n -> stores.get(n).read(MiniCluster.SPACE, "k1").map(r -> r.version().equals(v1)).orElse(false)));
        StoredRecord newer = StoredRecord.live(MiniCluster.memory("k1", "newer").toBuilder()
                .version(new Version(v1.hlc() + 1, 2)).build());
        stores.get(1).apply(newer, io.mnemo.node.storage.HotAdmission.IF_CACHED);
        stores.get(2).apply(newer, io.mnemo.node.storage.HotAdmission.IF_CACHED);

        ReadResult r = nodes.get(0).read(MiniCluster.SPACE, "k1", ReadConsistency.QUORUM).get(10, TimeUnit.SECONDS);
        assertThat(r.record()).contains(newer);
        List<ReadCall> remote = new ArrayList<>(reads.get(1));
        remote.addAll(reads.get(2));
        assertThat(remote).extracting(c -> c.request().getVersionOnly() + " -> " + c.response().hasRecord())
                .containsExactly("true -> false", "false -> true");
        assertThat(nodes.get(0).stats().digestFetches()).isEqualTo(1);
        Await.until("read repair of node 0", Duration.ofSeconds(10),
                () -> stores.get(0).read(MiniCluster.SPACE, "k1").map(newer::equals).orElse(false));
    }

    @Test
    void readVersion_fromAReplicaThatIgnoresVersionOnly_takesTheRecordItSends() throws Exception {
        StoredRecord rec = StoredRecord.live(MiniCluster.memory("k1", "sent whole").toBuilder()
                .version(new Version(1L << 20, 7)).build());
        List<io.mnemo.protocol.v1.ReadReplicaRequest> seen = Collections.synchronizedList(new ArrayList<>());
        GrpcReplicaTransport t = transportToOldReplica(new ReplicaServiceGrpc.ReplicaServiceImplBase() {
            @Override
            public void readReplica(io.mnemo.protocol.v1.ReadReplicaRequest request,
                                    StreamObserver<io.mnemo.protocol.v1.ReadReplicaResponse> out) {
                seen.add(request);
                out.onNext(io.mnemo.protocol.v1.ReadReplicaResponse.newBuilder().setRecord(WireCodec.toWire(rec)).build());
                out.onCompleted();
            }
        });
        ReplicaTransport.ReadReply reply = t.readVersion(7, new Caller(0, 1), 0, MiniCluster.key("k1")).get(10, TimeUnit.SECONDS);
        assertThat(reply.record()).contains(rec);
        assertThat(reply.version()).contains(rec.version());
        assertThat(seen).singleElement().satisfies(req -> assertThat(req.getVersionOnly()).isTrue());
    }

    /**
     * A transport whose node 7 is {@code service} on a real socket: a replica of an older build, which answers only
     * the fields it knows. Server and transport are closed after the test.
     */
    private GrpcReplicaTransport transportToOldReplica(ReplicaServiceGrpc.ReplicaServiceImplBase service) throws IOException {
        Server old = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(service).build().start();
        servers.add(old);
        GrpcReplicaTransport t = new GrpcReplicaTransport(Map.of(7, new InetSocketAddress("127.0.0.1", old.getPort())),
                Duration.ofSeconds(5));
        transports.add(t);
        return t;
    }

    /** One ReadReplica call as a server received and answered it. */
    private record ReadCall(io.mnemo.protocol.v1.ReadReplicaRequest request, io.mnemo.protocol.v1.ReadReplicaResponse response) {
    }

    /** Records every ReadReplica call a server answers, with the answer it sent. */
    private static ServerInterceptor recordingReads(List<ReadCall> calls) {
        return new ServerInterceptor() {
            @Override
            public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
                AtomicReference<io.mnemo.protocol.v1.ReadReplicaRequest> request = new AtomicReference<>();
                ServerCall<Q, A> recording = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                    @Override
                    public void sendMessage(A message) {
                        if (message instanceof io.mnemo.protocol.v1.ReadReplicaResponse) {
                            calls.add(new ReadCall(request.get(), (io.mnemo.protocol.v1.ReadReplicaResponse) message));
                        }
                        super.sendMessage(message);
                    }
                };
                return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(recording, headers)) {
                    @Override
                    public void onMessage(Q message) {
                        if (message instanceof io.mnemo.protocol.v1.ReadReplicaRequest) {
                            request.set((io.mnemo.protocol.v1.ReadReplicaRequest) message);
                        }
                        super.onMessage(message);
                    }
                };
            }
        };
    }

    /** Records, for each Replicate or ReplicateBatch record a server receives, whether it came encoded. */
    private static ServerInterceptor recordingForms(List<String> forms) {
        return new ServerInterceptor() {
            @Override
            public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
                return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
                    @Override
                    public void onMessage(Q message) {
                        if (message instanceof ReplicateRequest) {
                            forms.add(((ReplicateRequest) message).hasEncoded() ? "encoded" : "record");
                        } else if (message instanceof ReplicateBatchRequest) {
                            ((ReplicateBatchRequest) message).getItemsList()
                                    .forEach(i -> forms.add(i.hasEncoded() ? "encoded" : "record"));
                        }
                        super.onMessage(message);
                    }
                };
            }
        };
    }

    /** The first id "p&lt;i&gt;" in {@code partition} other than {@code except}. */
    private static String idIn(io.mnemo.shardmap.PartitionFunction f, int partition, String... except) {
        for (int i = 0; ; i++) {
            String id = "p" + i;
            if (f.partitionOf(MiniCluster.SPACE, id) == partition && !List.of(except).contains(id)) {
                return id;
            }
        }
    }

    private interface Call {
        Object run() throws Exception;
    }

    private static Throwable failure(Call call) throws Exception {
        try {
            call.run();
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected a failure");
    }
}
