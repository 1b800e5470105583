package io.mnemo.node.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.mnemo.node.config.DataSize;
import io.mnemo.node.config.NodeConfig;
import io.mnemo.protocol.Errors;
import io.mnemo.protocol.v1.CountsRequest;
import io.mnemo.protocol.v1.CountsResponse;
import io.mnemo.protocol.v1.CreateSpaceRequest;
import io.mnemo.protocol.v1.ErrorDetail;
import io.mnemo.protocol.v1.Memory;
import io.mnemo.protocol.v1.MnemoServiceGrpc;
import io.mnemo.protocol.v1.RecallByCueRequest;
import io.mnemo.protocol.v1.RecallByCueResponse;
import io.mnemo.protocol.v1.RemoveRequest;
import io.mnemo.protocol.v1.ScoredMemory;
import io.mnemo.protocol.v1.SpaceSpec;
import io.mnemo.protocol.v1.StoreRequest;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Recall by cue and cluster-wide counts on a one-node cluster, over a real gRPC socket: the local-only path. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RecallByCueNodeTest {
    private static final String SPACE = "cues";

    @TempDir
    static Path dataDir;
    private static MnemoNode node;
    private static ManagedChannel channel;

    @BeforeAll
    static void startNode() throws IOException {
        FreePorts ports = FreePorts.withRandomSeed();
        node = MnemoNode.start(NodeConfig.builder().nodeId(1).dataDir(dataDir).bindHost("127.0.0.1")
                .grpcPort(ports.next()).metricsPort(ports.next()).partitions(8).replicationFactor(1)
                .warmEntriesPerPartition(2_000).hotMaxBytes(DataSize.ofMebibytes(64)).drainTimeout(Duration.ofSeconds(5))
                .build());
        channel = NettyChannelBuilder.forAddress("127.0.0.1", node.grpcPort()).usePlaintext().build();
        stub().createSpace(CreateSpaceRequest.newBuilder()
                .setSpec(SpaceSpec.newBuilder().setName(SPACE).setDimension(3)).build());
        store("east", 0.9f, 1, 0, 0);
        store("north-east", 0.9f, 1, 1, 0);
        store("north", 0.2f, 0, 1, 0);
        store("west", 0.9f, -1, 0, 0);
        store("gone", 0.9f, 1, 0, 0);
        stub().remove(RemoveRequest.newBuilder().setSpace(SPACE).setId("gone").build());
    }

    @AfterAll
    static void stopNode() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (node != null) {
            node.close();
        }
    }

    private static MnemoServiceGrpc.MnemoServiceBlockingStub stub() {
        return MnemoServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    private static void store(String id, float confidence, float... embedding) {
        Memory.Builder m = Memory.newBuilder().setSpace(SPACE).setId(id).setCreatedAtNs(1).setConfidence(confidence);
        for (float f : embedding) {
            m.addEmbedding(f);
        }
        stub().store(StoreRequest.newBuilder().setMemory(m).build());
    }

    private static RecallByCueRequest.Builder cue(int k, float minConfidence, float... cue) {
        RecallByCueRequest.Builder b = RecallByCueRequest.newBuilder().setSpace(SPACE).setK(k)
                .setMinConfidence(minConfidence);
        for (float f : cue) {
            b.addCue(f);
        }
        return b;
    }

    @Test
    void recallByCue_oneNode_answersTheTopKCompleteWithFullMemories() {
        RecallByCueResponse r = stub().recallByCue(cue(2, 0.5f, 2, 0, 0).build());

        assertThat(r.getHitsList()).extracting(h -> h.getMemory().getId()).containsExactly("east", "north-east");
        assertThat(r.getHits(0).getSimilarity()).isEqualTo(1f);
        assertThat(r.getHits(0).getMemory().getEmbeddingList()).containsExactly(1f, 0f, 0f);
        assertThat(r.getHits(0).getMemory().hasVersion()).isTrue();
        assertThat(r.getComplete()).isTrue();
        assertThat(r.getPartitionsAsked()).isEqualTo(8);
        assertThat(r.getPartitionsAnswered()).isEqualTo(8);
        List<ScoredMemory> all = stub().recallByCue(cue(10, 0f, 2, 0, 0).build()).getHitsList();
        assertThat(all).extracting(h -> h.getMemory().getId()).containsExactly("east", "north-east", "north", "west");
    }

    @Test
    void recallByCue_badInput_isATypedErrorNamingTheField() {
        assertInvalid(cue(1, 0f, 1, 0).build(), "cue");
        assertInvalid(cue(1, 0f, 0, 0, 0).build(), "cue");
        assertInvalid(cue(0, 0f, 1, 0, 0).build(), "k");
        assertInvalid(cue(-1, 0f, 1, 0, 0).build(), "k");
        assertInvalid(cue(1, 0f, 1, 0, 0).addPartitions(8).build(), "partitions[0]");
        assertInvalid(cue(1, 0f, 1, 0, 0).setSpace("Bad Name").build(), "space");
        StatusRuntimeException e = catchStatus(() -> stub().recallByCue(cue(1, 0f, 1, 0, 0).setSpace("nope").build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void counts_clusterWideOnOneNode_countsEveryLiveMemoryAndTheTombstone() {
        CountsResponse c = stub().counts(CountsRequest.newBuilder().setClusterWide(true).build());
        assertThat(c.getTotal().getWarm()).isEqualTo(4);
        assertThat(c.getTotal().getTombstones()).isEqualTo(1);
        StatusRuntimeException e = catchStatus(() -> stub().counts(CountsRequest.newBuilder().setSpace("nope")
                .setClusterWide(true).build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }

    private static void assertInvalid(RecallByCueRequest request, String field) {
        StatusRuntimeException e = catchStatus(() -> stub().recallByCue(request));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        ErrorDetail d = Errors.detailOf(e).orElseThrow();
        assertThat(d.getInvalidArgument().getField()).isEqualTo(field);
    }

    private static StatusRuntimeException catchStatus(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e;
        }
        throw new AssertionError("the call must fail");
    }
}
