package io.mnemo.node.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.mnemo.node.cli.LocalCluster;
import io.mnemo.protocol.v1.CreateSpaceRequest;
import io.mnemo.protocol.v1.Memory;
import io.mnemo.protocol.v1.MnemoServiceGrpc;
import io.mnemo.protocol.v1.RecallRequest;
import io.mnemo.protocol.v1.SpaceSpec;
import io.mnemo.protocol.v1.StoreRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A node as a real JVM process, started the way the CLI starts one ({@link LocalCluster}). */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class NodeProcessTest {
    @TempDir
    Path dir;

    @Test
    void killMinus9_thenRestart_everyAcknowledgedWriteIsReadable() throws Exception {
        int base = 20_000 + 400 * (int) (Math.abs(System.nanoTime()) % 90);
        System.out.println("NodeProcessTest base port " + base);
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

    private static MnemoServiceGrpc.MnemoServiceBlockingStub stub(ManagedChannel channel) {
        return MnemoServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }
}
