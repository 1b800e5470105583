package io.mnemo.node.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.mnemo.node.replication.ReplicaTransport.Caller;
import io.mnemo.node.server.CallExecutors;
import io.mnemo.node.storage.CorruptionDetectedException;
import io.mnemo.node.storage.DefaultTieredStore;
import io.mnemo.node.storage.HybridClock;
import io.mnemo.node.storage.SpaceConfig;
import io.mnemo.node.storage.StorageConfig;
import io.mnemo.node.storage.StoredRecord;
import io.mnemo.node.storage.TieredStores;
import io.mnemo.node.storage.Version;
import io.mnemo.protocol.v1.EncodedRecord;
import io.mnemo.protocol.v1.PartitionChunk;
import io.mnemo.protocol.v1.ReplicaServiceGrpc;
import io.mnemo.protocol.v1.StreamPartitionRequest;
import io.mnemo.shardmap.PartitionFunction;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code StreamPartition} over loopback gRPC between {@link ReplicaServiceImpl} and
 * {@link GrpcReplicaTransport#openPartitionStream}: records travel in their storage encoding and come out equal to
 * the source's, a record damaged on the way is a typed {@link CorruptionDetectedException} (never skipped), and a
 * caller that does not ask for the encoding still gets wire records. A bucket fetch is filtered by the source, and
 * the source's digest equals the digest of a streamed copy (what the rebalancer compares a second source with).
 */
@Timeout(60)
class PartitionStreamGrpcTest {
    private static final int PARTITIONS = 4;
    private static final int SOURCE = 1;
    private static final int RECEIVER = 2;

    @TempDir
    Path dir;
    private DefaultTieredStore store;
    private ReplicaServiceImpl service;
    private Server server;
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final List<GrpcReplicaTransport> transports = new ArrayList<>();
    private InetSocketAddress address;
    private final PartitionFunction partitionFunction = PartitionFunction.of(PARTITIONS);

    @BeforeEach
    void start() throws Exception {
        store = TieredStores.open(StorageConfig.builder(dir.resolve("n1")).partitions(PARTITIONS).nodeId(SOURCE)
                .entriesPerSegment(512).averageValueBytes(512).largeValueThresholdBytes(16 << 10).largeEntriesPerSegment(16)
                .largeAverageValueBytes(256 << 10).build());
        store.createSpace(SpaceConfig.of(MiniCluster.SPACE, MiniCluster.DIM));
        ReplicaPlacement placement = StaticPlacement.ring(1, PARTITIONS, List.of(SOURCE, RECEIVER), 2);
        ReplicaHandler handler = new ReplicaHandler(SOURCE, store, () -> placement, new HybridClock(Clock.systemUTC()));
        // Streams served at a lower CPU priority, as a node serves them by default.
        service = new ReplicaServiceImpl(handler, n -> "?", 10);
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).callExecutor(new CallExecutors())
                .addService(service).build().start();
        address = new InetSocketAddress("127.0.0.1", server.getPort());
    }

    @AfterEach
    void stop() throws Exception {
        transports.forEach(GrpcReplicaTransport::close);
        channels.forEach(ManagedChannel::shutdownNow);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        service.close();
        store.close();
    }

    private GrpcReplicaTransport transport(ClientInterceptor... interceptors) {
        GrpcReplicaTransport t = new GrpcReplicaTransport(Map.of(SOURCE, address), Duration.ofSeconds(10), a -> {
            ManagedChannel ch = NettyChannelBuilder.forAddress(a).usePlaintext().intercept(interceptors).build();
            channels.add(ch);
            return ch;
        });
        transports.add(t);
        return t;
    }

    /** Stores {@code n} memories (every fifth then removed) and returns the partition holding the most. */
    private int load(int n) {
        int[] perPartition = new int[PARTITIONS];
        for (int i = 0; i < n; i++) {
            String id = "k" + i;
            store.store(MiniCluster.memory(id, "content of " + id));
            if (i % 5 == 0) {
                store.remove(MiniCluster.SPACE, id);
            }
            perPartition[partitionFunction.partitionOf(MiniCluster.SPACE, id)]++;
        }
        int best = 0;
        for (int p = 1; p < PARTITIONS; p++) {
            if (perPartition[p] > perPartition[best]) {
                best = p;
            }
        }
        return best;
    }

    private List<StoredRecord> localRecords(int partition) {
        List<StoredRecord> out = new ArrayList<>();
        try (var c = store.scan(io.mnemo.node.storage.ScanRequest.builder().partition(partition).includeTombstones(true)
                .build())) {
            c.forEachRemaining(out::add);
        }
        return out;
    }

    private static List<StoredRecord> drain(PartitionSource.Stream s) {
        List<StoredRecord> out = new ArrayList<>();
        while (true) {
            PartitionSource.Chunk c = s.next();
            out.addAll(c.records());
            if (c.last()) {
                return out;
            }
        }
    }

    @Test
    void openPartitionStream_encodedRecords_arriveEqualToTheSourcesTombstonesIncluded() {
        int p = load(600);
        List<StoredRecord> expected = localRecords(p);
        AtomicBoolean sawEncoded = new AtomicBoolean();
        AtomicBoolean sawWireRecords = new AtomicBoolean();
        ClientInterceptor spy = chunkInterceptor(c -> {
            sawEncoded.compareAndSet(false, c.getEncodedRecordsCount() > 0);
            sawWireRecords.compareAndSet(false, c.getRecordsCount() > 0);
            return c;
        });
        try (PartitionSource.Stream s = transport(spy).openPartitionStream(SOURCE, new Caller(RECEIVER, 1), p, "",
                Duration.ofSeconds(10))) {
            List<StoredRecord> got = drain(s);
            assertThat(got).containsExactlyElementsOf(expected);
            assertThat(got).anyMatch(StoredRecord::isTombstone);
        }
        assertThat(sawEncoded).as("records sent in their storage encoding").isTrue();
        assertThat(sawWireRecords).as("wire records sent alongside").isFalse();
    }

    @Test
    void openPartitionStream_recordDamagedOnTheWay_failsTheChunkWithCorruption() {
        int p = load(300);
        ClientInterceptor damage = chunkInterceptor(c -> {
            if (c.getEncodedRecordsCount() == 0) {
                return c;
            }
            EncodedRecord first = c.getEncodedRecords(0);
            byte[] bytes = first.getRecord().toByteArray();
            bytes[bytes.length / 2] ^= 0x01;
            return c.toBuilder().setEncodedRecords(0, first.toBuilder().setRecord(ByteString.copyFrom(bytes))).build();
        });
        try (PartitionSource.Stream s = transport(damage).openPartitionStream(SOURCE, new Caller(RECEIVER, 1), p, "",
                Duration.ofSeconds(10))) {
            assertThatThrownBy(s::next).isInstanceOfSatisfying(CorruptionDetectedException.class, e -> {
                assertThat(e.expectedChecksum()).isNotEqualTo(e.actualChecksum());
                assertThat(e.getMessage()).contains("partition " + p, "node " + SOURCE);
            });
        }
    }

    @Test
    void streamPartition_callerNotAskingForEncoding_getsWireRecords() {
        int p = load(100);
        List<StoredRecord> expected = localRecords(p);
        ManagedChannel ch = NettyChannelBuilder.forAddress(address).usePlaintext().build();
        channels.add(ch);
        Iterator<PartitionChunk> it = ReplicaServiceGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
                .streamPartition(StreamPartitionRequest.newBuilder().setPartition(p).setTopologyEpoch(1)
                        .setFromNodeId(RECEIVER).build());
        List<StoredRecord> got = new ArrayList<>();
        while (it.hasNext()) {
            PartitionChunk c = it.next();
            assertThat(c.getEncodedRecordsCount()).isZero();
            c.getRecordsList().forEach(r -> got.add(WireCodec.fromWire(r)));
        }
        assertThat(got).containsExactlyElementsOf(expected);
    }

    @Test
    void fetchBuckets_overGrpc_sourceSendsOnlyTheMaskedBucketsEncoded() throws Exception {
        int p = load(600);
        List<StoredRecord> all = localRecords(p);
        long mask = 0;
        for (int i = 0; i < 3; i++) {
            mask |= 1L << bucketOf(all.get(i * 7));
        }
        long m = mask;
        List<StoredRecord> expected = all.stream().filter(r -> (m & (1L << bucketOf(r))) != 0).toList();
        assertThat(expected.size()).isLessThan(all.size());
        List<StoredRecord> onTheWire = new ArrayList<>();
        AtomicBoolean sawWireRecords = new AtomicBoolean();
        ClientInterceptor spy = chunkInterceptor(c -> {
            sawWireRecords.compareAndSet(false, c.getRecordsCount() > 0);
            onTheWire.addAll(WireCodec.fromWireEncoded(c.getEncodedRecordsList(), "test"));
            return c;
        });
        List<StoredRecord> got = transport(spy).fetchBuckets(SOURCE, new Caller(RECEIVER, 1), p, mask).get(10, TimeUnit.SECONDS);

        assertThat(got).containsExactlyElementsOf(expected);
        assertThat(onTheWire).as("the source filtered the buckets").containsExactlyElementsOf(expected);
        assertThat(sawWireRecords).as("wire records sent alongside").isFalse();
    }

    @Test
    void digest_overGrpc_equalsTheDigestOfAStreamedCopyUntilTheSourceChanges() throws Exception {
        int p = load(600);
        GrpcReplicaTransport t = transport();
        PartitionDigest.Builder streamed = new PartitionDigest.Builder();
        try (PartitionSource.Stream s = t.openPartitionStream(SOURCE, new Caller(RECEIVER, 1), p, "", Duration.ofSeconds(10))) {
            drain(s).forEach(streamed::add);
        }
        PartitionDigest copy = streamed.build(p);
        assertThat(copy.diff(t.digest(SOURCE, new Caller(RECEIVER, 1), p).get(10, TimeUnit.SECONDS))).isZero();

        String id = "k" + 600;
        for (int i = 601; partitionFunction.partitionOf(MiniCluster.SPACE, id) != p; i++) {
            id = "k" + i;
        }
        store.store(MiniCluster.memory(id, "written after the copy"));
        long changed = copy.diff(t.digest(SOURCE, new Caller(RECEIVER, 1), p).get(10, TimeUnit.SECONDS));
        assertThat(changed).as("only the new record's bucket differs")
                .isEqualTo(1L << bucketOf(store.read(MiniCluster.SPACE, id).orElseThrow()));
    }

    private static int bucketOf(StoredRecord r) {
        return DigestScheme.bucketOf(DigestScheme.keyHash(r.key()));
    }

    @Test
    void encodedRecord_roundTrip_keepsVersionAndTombstone() {
        StoredRecord live = StoredRecord.live(MiniCluster.memory("x", "y").toBuilder().version(new Version(5, 3)).build());
        StoredRecord dead = StoredRecord.tombstone(live.key(), new Version(6, 3));
        assertThat(io.mnemo.node.storage.EncodedRecord.of(live).decode("test")).isEqualTo(live);
        assertThat(io.mnemo.node.storage.EncodedRecord.of(dead).decode("test")).isEqualTo(dead);
    }

    /** Rewrites every {@link PartitionChunk} the client receives. */
    private static ClientInterceptor chunkInterceptor(java.util.function.UnaryOperator<PartitionChunk> rewrite) {
        return new ClientInterceptor() {
            @Override
            public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
                return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                    @Override
                    public void start(Listener<A> listener, Metadata headers) {
                        super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                            @Override
                            @SuppressWarnings("unchecked")
                            public void onMessage(A message) {
                                super.onMessage(message instanceof PartitionChunk c ? (A) rewrite.apply(c) : message);
                            }
                        }, headers);
                    }
                };
            }
        };
    }
}
