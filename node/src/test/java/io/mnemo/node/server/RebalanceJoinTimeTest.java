package io.mnemo.node.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.mnemo.node.storage.Memory;
import io.mnemo.node.storage.StoredRecord;
import io.mnemo.node.storage.Version;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * How long a 3 -> 4 join takes in one JVM ({@link RebalanceCluster}: real stores, the rebalancer, in-JVM streams
 * without gRPC) for N memories of 768 floats ({@code -Dmnemo.rebalance.joinMemories=N}, default 20000). The data is
 * written straight into the three replicas' stores, then node 4 joins; the time is from the join to the completed
 * transition. Prints the figure; asserts only that the transition completes and nothing is lost on a sample.
 */
@Tag("slow")
@Timeout(value = 1800, unit = TimeUnit.SECONDS)
class RebalanceJoinTimeTest {
    private static final String SPACE = "big";
    private static final io.mnemo.shardmap.PartitionFunction PF = io.mnemo.shardmap.PartitionFunction.of(64);
    @TempDir
    Path dir;

    @Test
    void join3to4_ofNMemories_completes() throws Exception {
        int n = Integer.getInteger("mnemo.rebalance.joinMemories", 20_000);
        try (RebalanceCluster c = new RebalanceCluster(dir, 64, 3, 42)) {
            for (int id = 1; id <= 3; id++) {
                c.join(id);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!c.settled() && System.nanoTime() < deadline) {
                    TimeUnit.MILLISECONDS.sleep(20);
                }
            }
            c.start(4);
            for (RebalanceCluster.Node node : c.nodes.values()) {
                node.store.createSpace(io.mnemo.node.storage.SpaceConfig.of(SPACE, 768));
            }
            TopologyPlacement pl = c.placement();
            float[] embedding = new float[768];
            long loadStart = System.nanoTime();
            for (int i = 0; i < n; i++) {
                String key = "m-" + i;
                for (int d = 0; d < 8; d++) {
                    embedding[d] = (i + d) % 100 / 100f;
                }
                Memory m = Memory.builder(SPACE, key).content("content of " + key).embedding(embedding)
                        .createdAtNs(1_000L).lastAccessNs(2_000L).confidence(0.5f).version(new Version(1_000_000L + i, 1))
                        .build();
                StoredRecord r = StoredRecord.live(m);
                for (int node : pl.replicas(PF.partitionOf(SPACE, key))) {
                    c.nodes.get(node).store.apply(r);
                }
            }
            System.out.println("loaded " + n + " memories (768 floats) onto 3 replicas in "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - loadStart) + " ms");
            long start = System.nanoTime();
            c.join(4);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(25);
            while (!c.settled() && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(20);
            }
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(c.settled()).as("transition completed").isTrue();
            System.out.println("JOIN-IN-JVM 3->4 of " + n + " memories (768 floats): " + ms + " ms; node 4 received "
                    + c.nodes.get(4).rebalancer.stats());
            TopologyPlacement after = c.placement();
            for (int i = 0; i < n; i += Math.max(1, n / 500)) {
                String key = "m-" + i;
                List<Integer> owners = after.replicas(PF.partitionOf(SPACE, key));
                for (int node : owners) {
                    assertThat(c.nodes.get(node).store.read(SPACE, key)).as("%s on node %d", key, node).isPresent();
                }
            }
        }
    }
}
