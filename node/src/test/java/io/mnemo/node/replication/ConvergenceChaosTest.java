package io.mnemo.node.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.mnemo.node.storage.StoredRecord;
import io.mnemo.node.storage.Version;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A seeded random fault schedule (drops, delays, reordering, duplicates, partitions) under concurrent writes,
 * removes and quorum reads on a 5-node cluster; then heal, anti-entropy, and check: every replica of every
 * partition converged, no acknowledged write was lost, no phantom appeared, and every quorum read returned the
 * newest write acknowledged before it started, or a newer one. Replay a run with its printed seed.
 */
@Timeout(120)
class ConvergenceChaosTest {
    private static final int NODES = 5;
    private static final int PARTITIONS = 8;
    private static final int KEYS = 24;
    private static final int CLIENTS = 3;
    private static final int OPS_PER_CLIENT = 70;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {0xC0FFEEL, 0xBADC0DEL})
    void randomFaults_healAndAntiEntropy_replicasConvergeAndNoAckedWriteLost(long defaultSeed) throws Exception {
        long seed = Long.getLong("mnemo.replication.seed", defaultSeed);
        System.out.println("ConvergenceChaosTest seed=" + seed + " (replay with -Dmnemo.replication.seed=" + seed + ")");
        try (MiniCluster c = new MiniCluster(dir, NODES, PARTITIONS, seed)) {
            History history = new History();
            ConcurrentLinkedQueue<String> readViolations = new ConcurrentLinkedQueue<>();
            RandomGenerator nemesisRandom = RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
            c.transport.setFaults(new FaultyTransport.Faults(0.05, 0.05, 0.05, 0.3, 0.2, 3_000_000L));

            List<CompletableFuture<Void>> clients = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                long clientSeed = seed * 31 + i;
                int client = i;
                clients.add(CompletableFuture.runAsync(() -> runClient(c, client, clientSeed, history, readViolations)));
            }
            int steps = 0;
            while (!CompletableFuture.allOf(clients.toArray(new CompletableFuture<?>[0])).isDone()) {
                nemesis(c, nemesisRandom, steps++);
                try {
                    CompletableFuture.anyOf(clients.toArray(new CompletableFuture<?>[0])).get(40, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException ignored) {
                    // next nemesis step
                }
            }
            for (CompletableFuture<Void> f : clients) {
                f.get(60, TimeUnit.SECONDS);
            }
            System.out.println("faults: " + c.transport.report() + "; writes acked=" + history.acked() + " failed="
                    + history.failed() + "; nemesis steps=" + steps);

            c.transport.heal();
            for (int round = 0; round < 2; round++) {
                for (ReplicationNode n : c.nodes) {
                    n.deliverHints().get(30, TimeUnit.SECONDS);
                    n.syncAll().get(60, TimeUnit.SECONDS);
                }
            }

            Map<String, Optional<StoredRecord>> finals = new HashMap<>();
            List<String> divergent = new ArrayList<>();
            for (int k = 0; k < KEYS; k++) {
                String key = "key-" + k;
                List<Integer> replicas = c.replicasOf(key);
                Optional<StoredRecord> first = c.recordOn(replicas.get(0), key);
                for (int r : replicas) {
                    Optional<Version> v = c.recordOn(r, key).map(StoredRecord::version);
                    if (!v.equals(first.map(StoredRecord::version))) {
                        divergent.add(key + ": node " + r + " has " + v + ", node " + replicas.get(0) + " has "
                                + first.map(StoredRecord::version));
                    }
                }
                finals.put(key, first);
            }
            for (int p = 0; p < PARTITIONS; p++) {
                List<Integer> replicas = c.placements.get(0).get().replicas(p);
                PartitionDigest d0 = c.node(replicas.get(0)).handler().localDigest(p);
                for (int r : replicas) {
                    assertThat(c.node(r).handler().localDigest(p).diff(d0)).as("partition " + p + " digest on node " + r)
                            .isZero();
                }
            }
            assertThat(divergent).as("replicas converged (seed " + seed + ")").isEmpty();
            assertThat(history.check(finals)).as("history (seed " + seed + ")").isEmpty();
            assertThat(readViolations).as("quorum reads (seed " + seed + ")").isEmpty();
            assertThat(history.acked()).as("the run acknowledged writes").isGreaterThan(0);
            assertThat(c.loopErrors).isEmpty();
        }
    }

    /** One step of the fault schedule: heal, cut one node off, split the cluster, or cut one link one way. */
    private static void nemesis(MiniCluster c, RandomGenerator random, int step) {
        int choice = random.nextInt(5);
        switch (choice) {
            case 0:
            case 1:
                c.transport.heal();
                c.transport.setFaults(new FaultyTransport.Faults(0.05, 0.05, 0.05, 0.3, 0.2, 3_000_000L));
                break;
            case 2:
                c.isolate(random.nextInt(NODES));
                break;
            case 3:
                Set<Integer> a = new HashSet<>();
                Set<Integer> b = new HashSet<>();
                for (int n = 0; n < NODES; n++) {
                    (random.nextBoolean() ? a : b).add(n);
                }
                c.transport.partition(a, b);
                break;
            default:
                c.transport.block(random.nextInt(NODES), random.nextInt(NODES));
                break;
        }
    }

    private static void runClient(MiniCluster c, int client, long seed, History history,
                                  ConcurrentLinkedQueue<String> readViolations) {
        RandomGenerator random = RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
        for (int i = 0; i < OPS_PER_CLIENT; i++) {
            String key = "key-" + random.nextInt(KEYS);
            List<Integer> replicas = c.replicasOf(key);
            ReplicationNode coordinator = c.node(replicas.get(random.nextInt(replicas.size())));
            int op = random.nextInt(10);
            if (op < 2) {
                Version floor = history.newestAcked(key);
                try {
                    ReadResult r = coordinator.read(MiniCluster.SPACE, key, ReadConsistency.QUORUM).get(30, TimeUnit.SECONDS);
                    Version got = r.record().map(StoredRecord::version).orElse(Version.ZERO);
                    if (floor.isNewerThan(got)) {
                        readViolations.add("read of " + key + " returned " + got + " after " + floor + " was acknowledged");
                    }
                } catch (ExecutionException ignored) {
                    // a failed read is allowed under faults
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                continue;
            }
            String content = op < 9 ? "c" + client + "-" + i : null;
            try {
                Version v = (content == null ? coordinator.remove(MiniCluster.SPACE, key)
                        : coordinator.store(MiniCluster.memory(key, content))).get(30, TimeUnit.SECONDS);
                history.ok(key, content, v);
            } catch (ExecutionException e) {
                history.failed(key, content, e.getCause());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
