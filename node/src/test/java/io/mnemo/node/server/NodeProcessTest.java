package io.mnemo.node.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.mnemo.node.cli.LocalCluster;
import io.mnemo.protocol.v1.Consistency;
import io.mnemo.protocol.v1.CreateSpaceRequest;
import io.mnemo.protocol.v1.ListSpacesRequest;
import io.mnemo.protocol.v1.Memory;
import io.mnemo.protocol.v1.MnemoServiceGrpc;
import io.mnemo.protocol.v1.RecallRequest;
import io.mnemo.protocol.v1.SpaceSpec;
import io.mnemo.protocol.v1.StoreRequest;
import io.mnemo.protocol.v1.TopologyRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Nodes as real JVM processes, started the way the CLI starts them ({@link LocalCluster}). */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class NodeProcessTest {
    @TempDir
    Path dir;

    @Test
    void killMinus9_thenRestart_everyAcknowledgedWriteIsReadable() throws Exception {
        long seed = System.nanoTime();
        int base = LocalCluster.findFreeBasePort(new java.util.Random(seed), 1);
        System.out.println("NodeProcessTest base port " + base + " (seed " + seed + ")");
        // The project root holds config/jvm.options; surefire runs in the node module's directory.
        try (LocalCluster cluster = new LocalCluster(Path.of("..").toAbsolutePath().normalize(), dir, base, 1)) {
            cluster.startAll(Duration.ofSeconds(90));
            ManagedChannel channel = NettyChannelBuilder.forTarget(cluster.endpoint(1)).usePlaintext().build();
            try {
                stub(channel).createSpace(CreateSpaceRequest.newBuilder()
                        .setSpec(SpaceSpec.newBuilder().setName("proc").setDimension(2)).build());
                for (int i = 0; i < 50; i++) {
                    Memory.Builder m = Memory.newBuilder().setSpace("proc").setId("m" + i).addEmbedding(i)
                            .addEmbedding(1f);
                    if (i % 2 == 0) {
                        m.setContent("c" + i);
                    }
                    stub(channel).store(StoreRequest.newBuilder().setMemory(m).build());
                }

                cluster.kill(1);
                assertThat(cluster.isAlive(1)).isFalse();
                cluster.start(1);
                cluster.awaitReady(1, Duration.ofSeconds(90));

                for (int i = 0; i < 50; i++) {
                    Memory got = stub(channel).recall(RecallRequest.newBuilder().setSpace("proc").setId("m" + i).build())
                            .getMemory();
                    assertThat(got.hasContent()).as("content presence of m%d", i).isEqualTo(i % 2 == 0);
                    assertThat(got.getEmbedding(0)).isEqualTo((float) i);
                }
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void threeNodes_storeThroughOne_readAtQuorumFromTheOthers() throws Exception {
        long seed = System.nanoTime();
        int base = LocalCluster.findFreeBasePort(new java.util.Random(seed), 3);
        System.out.println("NodeProcessTest base port " + base + " (seed " + seed + ")");
        try (LocalCluster cluster = new LocalCluster(Path.of("..").toAbsolutePath().normalize(), dir, base, 3)) {
            cluster.startAll(Duration.ofSeconds(120));
            ManagedChannel[] channels = new ManagedChannel[4];
            for (int i = 1; i <= 3; i++) {
                channels[i] = NettyChannelBuilder.forTarget(cluster.endpoint(i)).usePlaintext().build();
            }
            try {
                await(Duration.ofSeconds(60), () -> stub(channels[1]).topology(TopologyRequest.getDefaultInstance())
                        .getTopology().getMembersCount() == 3);
                long epoch = stub(channels[1]).createSpace(CreateSpaceRequest.newBuilder()
                        .setSpec(SpaceSpec.newBuilder().setName("trio").setDimension(2)).build()).getEpoch();
                for (int i = 1; i <= 3; i++) {
                    ManagedChannel c = channels[i];
                    await(Duration.ofSeconds(30), () -> stub(c).listSpaces(ListSpacesRequest.getDefaultInstance())
                            .getEpoch() >= epoch);
                }

                StoreRequest store = StoreRequest.newBuilder().setMemory(Memory.newBuilder().setSpace("trio")
                        .setId("shared").setContent("").addEmbedding(1f).addEmbedding(2f)).build();
                // A write is retryable when its quorum was briefly out of reach (the first call on a cold channel,
                // a replica a moment behind the epoch), when the node it went to was behind a topology epoch the
                // replicas had already reached (stale epoch: the cluster is still forming, epoch after epoch), or
                // when its deadline passed on a loaded machine; a client retries such an idempotent write, and so
                // does this test. Any other failure fails the test.
                await(Duration.ofSeconds(30), () -> {
                    long t0 = System.nanoTime();
                    try {
                        stub(channels[1]).store(store);
                        return true;
                    } catch (StatusRuntimeException e) {
                        System.out.println("store attempt failed after " + (System.nanoTime() - t0) / 1_000_000
                                + " ms: " + e.getStatus());
                        if (e.getStatus().getCode() == Status.Code.FAILED_PRECONDITION) {
                            assertThat(e.getStatus().getDescription()).as("only a stale epoch is retried").contains("current epoch");
                            return false;
                        }
                        assertThat(e.getStatus().getCode()).isIn(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED);
                        return false;
                    }
                });

                for (int i = 2; i <= 3; i++) {
                    ManagedChannel c = channels[i];
                    AtomicReference<Memory> read = new AtomicReference<>();
                    // Retried like the store above: right after the cluster forms, the nodes are still streaming the
                    // partitions they gained and preparing files, and a read can miss its deadline on a loaded machine.
                    await(Duration.ofSeconds(60), () -> {
                        try {
                            read.set(stub(c).recall(RecallRequest.newBuilder().setSpace("trio").setId("shared")
                                    .setConsistency(Consistency.CONSISTENCY_QUORUM).build()).getMemory());
                            return true;
                        } catch (StatusRuntimeException e) {
                            System.out.println("recall attempt failed: " + e.getStatus());
                            assertThat(e.getStatus().getCode()).isIn(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED);
                            return false;
                        }
                    });
                    Memory got = read.get();
                    assertThat(got.hasContent()).isTrue();
                    assertThat(got.getContent()).isEmpty();
                    assertThat(got.getEmbeddingList()).containsExactly(1f, 2f);
                    assertThat(got.getVersion().getNodeId()).isEqualTo(1);
                }
            } finally {
                for (int i = 1; i <= 3; i++) {
                    channels[i].shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                }
            }
        }
    }

    /** Waits for {@code condition}, checking every 200 ms, and fails when {@code timeout} passes first. */
    private static void await(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout);
            }
            CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS)).join();
        }
    }

    private static MnemoServiceGrpc.MnemoServiceBlockingStub stub(ManagedChannel channel) {
        return MnemoServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }
}
