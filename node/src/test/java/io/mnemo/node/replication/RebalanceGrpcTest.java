package io.mnemo.node.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.mnemo.node.config.Quorum;
import io.mnemo.node.replication.ReplicaTransport.Caller;
import io.mnemo.node.server.CallExecutors;
import io.mnemo.node.storage.DefaultTieredStore;
import io.mnemo.node.storage.HybridClock;
import io.mnemo.node.storage.ScanRequest;
import io.mnemo.node.storage.SpaceConfig;
import io.mnemo.node.storage.StorageConfig;
import io.mnemo.node.storage.StoredRecord;
import io.mnemo.node.storage.TieredStores;
import io.mnemo.shardmap.PartitionFunction;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@link Rebalancer} receiving over real loopback gRPC from two old replicas ({@link ReplicaServiceImpl} on each,
 * {@link GrpcReplicaTransport} on the receiver, as the node wires them): RF 2 over nodes 1 and 2 moves to RF 2 over 1,
 * 2 and 3, so node 3 reads each partition it gains from both (R = 2). Writes that only one old replica holds (the
 * other missed them) must reach node 3 whichever replica it streams in full, so for the second one the digest check
 * must find and fetch them.
 */
@Timeout(60)
class RebalanceGrpcTest {
    private static final int PARTITIONS = 8;
    private static final int RECEIVER = 3;

    @TempDir
    Path dir;
    private final List<DefaultTieredStore> stores = new ArrayList<>();
    private final List<Server> servers = new ArrayList<>();
    private GrpcReplicaTransport transport;
    private Rebalancer rebalancer;
    private final PartitionFunction partitionFunction = PartitionFunction.of(PARTITIONS);

    @AfterEach
    void stop() throws Exception {
        if (rebalancer != null) {
            rebalancer.close();
        }
        if (transport != null) {
            transport.close();
        }
        for (Server s : servers) {
            s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        stores.forEach(DefaultTieredStore::close);
    }

    private DefaultTieredStore store(int node) {
        DefaultTieredStore s = TieredStores.open(StorageConfig.builder(dir.resolve("n" + node)).partitions(PARTITIONS)
                .nodeId(node).entriesPerSegment(512).averageValueBytes(512).largeValueThresholdBytes(16 << 10)
                .largeEntriesPerSegment(16).largeAverageValueBytes(256 << 10).build());
        s.createSpace(SpaceConfig.of(MiniCluster.SPACE, MiniCluster.DIM));
        stores.add(s);
        return s;
    }

    private InetSocketAddress serve(ReplicaHandler handler) throws Exception {
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).callExecutor(new CallExecutors())
                .addService(new ReplicaServiceImpl(handler, n -> "?")).build().start();
        servers.add(server);
        return new InetSocketAddress("127.0.0.1", server.getPort());
    }

    private List<StoredRecord> records(DefaultTieredStore s, int partition) {
        List<StoredRecord> out = new ArrayList<>();
        try (var c = s.scan(ScanRequest.builder().partition(partition).includeTombstones(true).build())) {
            c.forEachRemaining(out::add);
        }
        return out;
    }

    @Test
    void join_writesOnOnlyOneOldReplica_reachTheNewOwnerThroughTheDigestCheck() throws Exception {
        StaticPlacement before = StaticPlacement.ring(1, PARTITIONS, List.of(1, 2), 2);
        StaticPlacement moving = before.movingTo(2, StaticPlacement.ring(2, PARTITIONS, List.of(1, 2, 3), 2));
        List<Integer> gained = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            if (moving.pendingReplicas(p).contains(RECEIVER)) {
                gained.add(p);
            }
        }
        assertThat(gained.size()).as("partitions node 3 gains").isGreaterThanOrEqualTo(2);
        int last = gained.get(gained.size() - 1);

        DefaultTieredStore s1 = store(1);
        DefaultTieredStore s2 = store(2);
        for (int i = 0; i < 400; i++) {
            String id = "k" + i;
            s1.store(MiniCluster.memory(id, "content of " + id));
            if (i % 9 == 0) {
                s1.remove(MiniCluster.SPACE, id);
            }
            s2.apply(s1.read(MiniCluster.SPACE, id).orElseThrow());
        }
        // Writes each old replica missed, in the partition node 3 streams last (its sources have fenced by then, so
        // the second one is checked by digest).
        Map<String, StoredRecord> onlyOnOne = new HashMap<>();
        int next = 0;
        for (DefaultTieredStore holder : List.of(s1, s2, s1, s2)) {
            String id;
            do {
                id = "only-" + next++;
            } while (partitionFunction.partitionOf(MiniCluster.SPACE, id) != last);
            holder.store(MiniCluster.memory(id, "missed by the other replica"));
            onlyOnOne.put(id, holder.read(MiniCluster.SPACE, id).orElseThrow());
        }
        ReplicaHandler h1 = new ReplicaHandler(1, s1, () -> moving, new HybridClock(Clock.systemUTC()));
        ReplicaHandler h2 = new ReplicaHandler(2, s2, () -> moving, new HybridClock(Clock.systemUTC()));
        transport = new GrpcReplicaTransport(Map.of(1, serve(h1), 2, serve(h2)), Duration.ofSeconds(10));

        DefaultTieredStore s3 = store(RECEIVER);
        ReplicaHandler h3 = new ReplicaHandler(RECEIVER, s3, () -> moving, new HybridClock(Clock.systemUTC()));
        // What the node's peer transport is: streams, digests and bucket fetches over the same channels.
        PartitionSource source = new PartitionSource() {
            @Override
            public Stream open(int src, Caller from, int partition, String resumeToken) {
                return transport.openPartitionStream(src, from, partition, resumeToken, Duration.ofSeconds(10));
            }

            @Override
            public CompletableFuture<PartitionDigest> digest(int src, Caller from, int partition) {
                return transport.digest(src, from, partition);
            }

            @Override
            public CompletableFuture<List<StoredRecord>> fetchBuckets(int src, Caller from, int partition, long bucketMask) {
                return transport.fetchBuckets(src, from, partition, bucketMask);
            }
        };
        CompletableFuture<Long> confirmed = new CompletableFuture<>();
        rebalancer = new Rebalancer(RECEIVER, s3, h3, source, confirmed::complete, Quorum.MAJORITY, 0, 1);
        rebalancer.start();
        rebalancer.onPlacement(moving);

        assertThat(confirmed.get(30, TimeUnit.SECONDS)).isEqualTo(moving.epoch());
        for (int p : gained) {
            Map<String, StoredRecord> expected = new HashMap<>();
            for (StoredRecord r : records(s1, p)) {
                expected.put(r.key().id(), r);
            }
            for (StoredRecord r : records(s2, p)) {
                expected.merge(r.key().id(), r, (a, b) -> b.version().isNewerThan(a.version()) ? b : a);
            }
            Map<String, StoredRecord> got = new HashMap<>();
            for (StoredRecord r : records(s3, p)) {
                got.put(r.key().id(), r);
            }
            assertThat(got).as("partition %d on node 3", p).isEqualTo(expected);
        }
        for (Map.Entry<String, StoredRecord> e : onlyOnOne.entrySet()) {
            assertThat(s3.read(MiniCluster.SPACE, e.getKey())).contains(e.getValue());
        }
        Rebalancer.Stats stats = rebalancer.stats();
        assertThat(stats.digestChecks()).as("second sources checked by digest").isPositive();
        assertThat(stats.recordsFetched()).as("the missed writes fetched from differing buckets").isPositive();
        assertThat(stats.partitionsStreamed()).isEqualTo(gained.size());
    }
}
