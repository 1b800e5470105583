package io.mnemo.node.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.mnemo.node.cli.LocalCluster;
import io.mnemo.node.cli.MnemoCli;
import io.mnemo.protocol.Errors;
import io.mnemo.protocol.v1.AdminServiceGrpc;
import io.mnemo.protocol.v1.Consistency;
import io.mnemo.protocol.v1.CreateSpaceRequest;
import io.mnemo.protocol.v1.DrainMemberRequest;
import io.mnemo.protocol.v1.ListSpacesRequest;
import io.mnemo.protocol.v1.Member;
import io.mnemo.protocol.v1.Memory;
import io.mnemo.protocol.v1.MembershipChangeResponse;
import io.mnemo.protocol.v1.MnemoServiceGrpc;
import io.mnemo.protocol.v1.RecallRequest;
import io.mnemo.protocol.v1.SpaceSpec;
import io.mnemo.protocol.v1.StoreRequest;
import io.mnemo.protocol.v1.Topology;
import io.mnemo.protocol.v1.TopologyRequest;
import io.mnemo.protocol.v1.Version;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults on a three-node cluster of real processes ({@link LocalCluster}, on 127.0.0.1): a kill -9 in the middle
 * of writes, then an operator's drain and removal through {@code AdminService}. One cluster serves both tests, in
 * order (starting three JVMs is most of the cost): the second drains the node the first killed and restarted, and
 * reads the writes the first acknowledged.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterFaultProcessTest {
    private static final String SPACE = "acks";
    private static final int KEYS = 25;
    private static final int VICTIM = 3;
    /** Acknowledged writes before the kill, and again after it. */
    private static final int WRITES_PER_PHASE = 40;

    /** Static: with one test instance per class, JUnit fills instance fields too late for {@code @BeforeAll}. */
    @TempDir
    static Path dir;

    private LocalCluster cluster;
    private final ManagedChannel[] channels = new ManagedChannel[4];
    /** Per key, the newest acknowledged write: its version and content. Written by the writer thread only. */
    private final Map<String, Acked> acked = new ConcurrentHashMap<>();
    private final AtomicInteger retries = new AtomicInteger();

    private record Acked(Version version, String content) {
    }

    @BeforeAll
    void startCluster() throws Exception {
        long seed = System.nanoTime();
        int base = LocalCluster.findFreeBasePort(new java.util.Random(seed), 3);
        System.out.println("ClusterFaultProcessTest base port " + base + " (seed " + seed + ")");
        // The project root holds config/jvm.options; surefire runs in the node module's directory.
        // Small warm-tier files and fewer partitions: every node preallocates its owned partitions' files, and three
        // nodes at the local-cluster sizing would take gigabytes of a shared disk for a few dozen records.
        cluster = new LocalCluster(Path.of("..").toAbsolutePath().normalize(), dir, base, 3)
                .withSetting("mnemo.cluster.partitions", "16")
                .withSetting("mnemo.storage.warm.entries-per-partition", "256")
                .withSetting("mnemo.storage.warm.average-value-size", "1KiB");
        try {
            cluster.startAll(Duration.ofSeconds(120));
        } catch (IllegalStateException e) {
            printLogTails();
            throw e;
        }
        for (int i = 1; i <= 3; i++) {
            channels[i] = NettyChannelBuilder.forTarget(cluster.endpoint(i)).usePlaintext().build();
        }
        await(Duration.ofSeconds(30), () -> topology(1).getMembersCount() == 3);
        // Creating a space is idempotent, so a call that timed out (a node still preparing its partitions' files on a
        // loaded machine) is simply repeated.
        AtomicLong created = new AtomicLong();
        await(Duration.ofSeconds(60), () -> {
            try {
                created.set(stub(1).createSpace(CreateSpaceRequest.newBuilder()
                        .setSpec(SpaceSpec.newBuilder().setName(SPACE).setDimension(2)).build()).getEpoch());
                return true;
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE
                        && e.getStatus().getCode() != Status.Code.DEADLINE_EXCEEDED) {
                    throw e;
                }
                System.out.println("createSpace failed, retrying: " + e.getStatus());
                return false;
            }
        });
        long epoch = created.get();
        for (int i = 1; i <= 3; i++) {
            int node = i;
            await(Duration.ofSeconds(20), () -> stub(node).listSpaces(ListSpacesRequest.getDefaultInstance())
                    .getEpoch() >= epoch);
        }
    }

    /** The last lines of every node's log, for a failure whose temporary directory is deleted afterwards. */
    private void printLogTails() {
        for (int i = 1; i <= cluster.size(); i++) {
            try {
                List<String> lines = Files.readAllLines(cluster.logOf(i), StandardCharsets.UTF_8);
                System.out.println("---- last lines of node " + i + "'s log\n"
                        + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
            } catch (IOException | UncheckedIOException e) {
                System.out.println("---- node " + i + "'s log unreadable: " + e);
            }
        }
    }

    @AfterAll
    void stopCluster() throws InterruptedException {
        for (ManagedChannel c : channels) {
            if (c != null) {
                c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void killMinus9MidWrites_everyAcknowledgedWriteSurvives_andTheRestartedNodeCatchesUp() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger acks = new AtomicInteger();
        AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        CountDownLatch writerDone = new CountDownLatch(1);
        Thread writer = new Thread(() -> {
            try {
                write(stop, acks);
            } catch (Throwable t) {
                writerFailure.set(t);
            } finally {
                writerDone.countDown();
            }
        }, "acked-writer");
        writer.start();
        try {
            await(Duration.ofSeconds(60), () -> acks.get() >= WRITES_PER_PHASE || writerFailure.get() != null);
            cluster.kill(VICTIM);
            assertThat(cluster.isAlive(VICTIM)).isFalse();
            int atKill = acks.get();
            System.out.println("killed node " + VICTIM + " after " + atKill + " acknowledged writes");
            await(Duration.ofSeconds(60), () -> acks.get() >= atKill + WRITES_PER_PHASE || writerFailure.get() != null);
        } finally {
            stop.set(true);
            assertThat(writerDone.await(30, TimeUnit.SECONDS)).as("writer stopped").isTrue();
        }
        assertThat(writerFailure.get()).as("writer failure").isNull();
        System.out.println(acks.get() + " writes acknowledged over " + acked.size() + " keys; " + retries.get()
                + " attempts retried (UNAVAILABLE, deadline or stale epoch)");

        // Every acknowledged write is readable at QUORUM while the victim is down.
        for (Map.Entry<String, Acked> e : acked.entrySet()) {
            Memory got = recallRetrying(1, e.getKey(), Consistency.CONSISTENCY_QUORUM);
            assertValueOrNewer(e.getKey(), got, e.getValue());
        }

        cluster.start(VICTIM);
        cluster.awaitReady(VICTIM, Duration.ofSeconds(60));
        // Convergence (hints from the survivors, anti-entropy): the restarted node's own copy, read at ONE, holds
        // every acknowledged write.
        for (Map.Entry<String, Acked> e : acked.entrySet()) {
            await(Duration.ofSeconds(40), () -> {
                try {
                    Memory got = stub(VICTIM).recall(RecallRequest.newBuilder().setSpace(SPACE).setId(e.getKey())
                            .setConsistency(Consistency.CONSISTENCY_ONE).build()).getMemory();
                    return compare(got.getVersion(), e.getValue().version()) >= 0;
                } catch (StatusRuntimeException notYet) {
                    return false;
                }
            });
            Memory got = stub(VICTIM).recall(RecallRequest.newBuilder().setSpace(SPACE).setId(e.getKey())
                    .setConsistency(Consistency.CONSISTENCY_ONE).build()).getMemory();
            assertValueOrNewer(e.getKey(), got, e.getValue());
        }
    }

    /** The member ids of node {@code node}'s topology; empty while it does not answer. */
    private java.util.Set<Integer> membersOf(int node) {
        try {
            java.util.Set<Integer> ids = new java.util.TreeSet<>();
            topology(node).getMembersList().forEach(m -> ids.add(m.getId()));
            return ids;
        } catch (StatusRuntimeException notNow) {
            return java.util.Set.of();
        }
    }

    @Test
    @Order(2)
    void drainThenRemove_epochAdvances_memberLeavesTopology_ackedWritesStillReadable() throws Exception {
        assertThat(acked).as("writes acknowledged by the first test").isNotEmpty();
        long before = topology(1).getEpoch();

        MembershipChangeResponse drained = AdminServiceGrpc.newBlockingStub(channels[1])
                .withDeadlineAfter(20, TimeUnit.SECONDS)
                .drainMember(DrainMemberRequest.newBuilder().setId(VICTIM).build());
        assertThat(drained.getEpoch()).isGreaterThan(before);
        // The drained node is still listed while its partitions move away, marked DRAINING; the target is the others.
        assertThat(drained.getTopology().getMembersList()).filteredOn(m -> m.getId() != VICTIM).extracting(Member::getId)
                .containsExactlyInAnyOrder(1, 2);
        assertThat(drained.getTopology().getMembersList()).filteredOn(m -> m.getId() == VICTIM)
                .allMatch(m -> m.getState() == io.mnemo.protocol.v1.MemberState.MEMBER_STATE_DRAINING);

        // A live node cannot be removed (it would join again): the CLI says so and exits 1.
        StringWriter refused = new StringWriter();
        assertThat(admin(refused, "remove", Integer.toString(VICTIM), "--node", cluster.endpoint(1))).isEqualTo(1);
        assertThat(refused.toString()).contains("still alive");

        cluster.stop(VICTIM, Duration.ofSeconds(20));
        assertThat(cluster.isAlive(VICTIM)).isFalse();
        // Membership learns of the stop within the failure detection timeout; until then the removal is refused.
        StringWriter removed = new StringWriter();
        await(Duration.ofSeconds(20), () -> {
            removed.getBuffer().setLength(0);
            return admin(removed, "remove", Integer.toString(VICTIM), "--node", cluster.endpoint(2)) == 0;
        });
        assertThat(removed.toString()).contains("remove node " + VICTIM + ": in effect at epoch");

        await(Duration.ofSeconds(20), () -> epochOrNone(1) > drained.getEpoch() && epochOrNone(2) > drained.getEpoch());
        // The removed node stays listed (DRAINING) until the move that began with the drain completes.
        await(Duration.ofSeconds(60), () -> membersOf(1).equals(java.util.Set.of(1, 2)) && membersOf(2).equals(java.util.Set.of(1, 2)));
        for (Map.Entry<String, Acked> e : acked.entrySet()) {
            for (int node = 1; node <= 2; node++) {
                assertValueOrNewer(e.getKey(), recallRetrying(node, e.getKey(), Consistency.CONSISTENCY_QUORUM),
                        e.getValue());
            }
        }
    }

    /**
     * Stores until {@code stop}, alternating nodes 1 and 2 over {@value #KEYS} keys; a write answered UNAVAILABLE,
     * stale epoch or past its deadline (outcome unknown, never counted as acknowledged) is retried on the other node. Any other
     * failure ends the writer.
     */
    private void write(AtomicBoolean stop, AtomicInteger acks) {
        int node = 1;
        for (int i = 0; !stop.get(); i++) {
            String key = "k" + (i % KEYS);
            String content = "v" + i;
            StoreRequest request = StoreRequest.newBuilder().setMemory(Memory.newBuilder().setSpace(SPACE).setId(key)
                    .setContent(content).addEmbedding(i).addEmbedding(1f)).build();
            while (!stop.get()) {
                node = node == 1 ? 2 : 1;
                try {
                    Version v = MnemoServiceGrpc.newBlockingStub(channels[node]).withDeadlineAfter(5, TimeUnit.SECONDS)
                            .store(request).getVersion();
                    acked.put(key, new Acked(v, content));
                    acks.incrementAndGet();
                    break;
                } catch (StatusRuntimeException e) {
                    Status.Code code = e.getStatus().getCode();
                    // A stale epoch (the node asked routes by an older placement than a replica; it catches up from
                    // the ownership log) is retried on the other node, as the client library does after a refresh.
                    boolean staleEpoch = Errors.detailOf(e).map(d -> d.hasStaleEpoch()).orElse(false);
                    if (code != Status.Code.UNAVAILABLE && code != Status.Code.DEADLINE_EXCEEDED && !staleEpoch) {
                        throw e;
                    }
                    if (retries.incrementAndGet() % 50 == 1) {
                        System.out.println("store of " + key + " on node " + node + " failed, retrying: " + e.getStatus());
                    }
                    // A short back-off, so two nodes refusing at once are not asked in a tight loop.
                    CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS))
                            .join();
                }
            }
        }
    }

    private Memory recallRetrying(int node, String key, Consistency consistency) {
        AtomicReference<Memory> got = new AtomicReference<>();
        await(Duration.ofSeconds(20), () -> {
            try {
                got.set(stub(node).recall(RecallRequest.newBuilder().setSpace(SPACE).setId(key)
                        .setConsistency(consistency).build()).getMemory());
                return true;
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
                    throw e;
                }
                return false;
            }
        });
        return got.get();
    }

    private static void assertValueOrNewer(String key, Memory got, Acked acked) {
        int c = compare(got.getVersion(), acked.version());
        assertThat(c).as("version of %s: read %s, acknowledged %s", key, got.getVersion(), acked.version())
                .isGreaterThanOrEqualTo(0);
        if (c == 0) {
            assertThat(got.getContent()).as("content of %s", key).isEqualTo(acked.content());
        }
    }

    /** Versions are ordered by hlc (unsigned), then node id. */
    private static int compare(Version a, Version b) {
        int byHlc = Long.compareUnsigned(a.getHlc(), b.getHlc());
        return byHlc != 0 ? byHlc : Integer.compareUnsigned(a.getNodeId(), b.getNodeId());
    }

    private static int admin(StringWriter output, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "admin";
        System.arraycopy(args, 0, all, 1, args.length);
        PrintWriter pw = new PrintWriter(output, true);
        picocli.CommandLine cli = new picocli.CommandLine(new MnemoCli());
        cli.setOut(pw);
        cli.setErr(pw);
        int code = cli.execute(all);
        pw.flush();
        System.out.println("mnemo " + String.join(" ", all) + " -> " + code + ": " + output);
        return code;
    }

    private Topology topology(int node) {
        return stub(node).topology(TopologyRequest.getDefaultInstance()).getTopology();
    }

    /** Node {@code node}'s topology epoch, or -1 when it does not answer in time (the caller waits on). */
    private long epochOrNone(int node) {
        try {
            return topology(node).getEpoch();
        } catch (StatusRuntimeException e) {
            return -1;
        }
    }

    private MnemoServiceGrpc.MnemoServiceBlockingStub stub(int node) {
        return MnemoServiceGrpc.newBlockingStub(channels[node]).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    /** Waits for {@code condition}, checking every 100 ms, and fails when {@code timeout} passes first. */
    private static void await(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout);
            }
            CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS)).join();
        }
    }
}
