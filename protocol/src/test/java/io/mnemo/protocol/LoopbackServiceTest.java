package io.mnemo.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.mnemo.protocol.v1.ErrorDetail;
import io.mnemo.protocol.v1.Memory;
import io.mnemo.protocol.v1.MnemoServiceGrpc;
import io.mnemo.protocol.v1.RecallRequest;
import io.mnemo.protocol.v1.RecallResponse;
import io.mnemo.protocol.v1.StoreRequest;
import io.mnemo.protocol.v1.StoreResponse;
import io.mnemo.protocol.v1.Version;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The contract over a real socket: generated stubs, Netty transport, and typed errors in real trailers. */
@Timeout(60)
class LoopbackServiceTest {

    /** Stores in a map and recalls from it: just enough server to carry one call and one error. */
    private static final class MapService extends MnemoServiceGrpc.MnemoServiceImplBase {
        private final Map<String, Memory> memories = new ConcurrentHashMap<>();

        @Override
        public void store(StoreRequest request, StreamObserver<StoreResponse> response) {
            Memory m = request.getMemory();
            if (m.getId().isEmpty()) {
                response.onError(Errors.invalidArgument("memory.id", "must not be empty", "1..256 bytes"));
                return;
            }
            Version v = Version.newBuilder().setHlc(1L << 16).setNodeId(1).build();
            memories.put(m.getSpace() + "/" + m.getId(), m.toBuilder().setVersion(v).build());
            response.onNext(StoreResponse.newBuilder().setVersion(v).build());
            response.onCompleted();
        }

        @Override
        public void recall(RecallRequest request, StreamObserver<RecallResponse> response) {
            Memory m = memories.get(request.getSpace() + "/" + request.getId());
            if (m == null) {
                response.onError(Errors.notFound(request.getSpace(), request.getId()));
                return;
            }
            response.onNext(RecallResponse.newBuilder().setMemory(m).build());
            response.onCompleted();
        }
    }

    private Server server;
    private ManagedChannel channel;
    private MnemoServiceGrpc.MnemoServiceBlockingStub stub;

    @BeforeEach
    void start() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        server = NettyServerBuilder.forAddress(new InetSocketAddress(loopback, 0))
                .addService(new MapService())
                .build()
                .start();
        int port = ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
        channel = NettyChannelBuilder.forAddress(new InetSocketAddress(loopback, port)).usePlaintext().build();
        stub = MnemoServiceGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow();
        server.shutdownNow();
        assertThat(channel.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(server.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    private MnemoServiceGrpc.MnemoServiceBlockingStub withDeadline() {
        return stub.withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    @Test
    void recall_afterStoreWithEmptyContent_returnsEmptyNotAbsentContent() {
        Memory m = Memory.newBuilder().setSpace("agents").setId("m-1").setContent("").addEmbedding(0.25f).build();

        StoreResponse stored = withDeadline().store(StoreRequest.newBuilder().setMemory(m).build());
        RecallResponse recalled = withDeadline().recall(RecallRequest.newBuilder().setSpace("agents").setId("m-1").build());

        assertThat(stored.getVersion().getNodeId()).isEqualTo(1);
        assertThat(recalled.getMemory().hasContent()).isTrue();
        assertThat(recalled.getMemory().getContent()).isEmpty();
        assertThat(recalled.getMemory().getEmbeddingList()).containsExactly(0.25f);
        assertThat(recalled.getMemory().getVersion()).isEqualTo(stored.getVersion());
    }

    @Test
    void recall_missingMemory_failsNotFoundWithTypedDetail() {
        RecallRequest request = RecallRequest.newBuilder().setSpace("agents").setId("nobody").build();

        assertThatThrownBy(() -> withDeadline().recall(request))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(e.getStatus().getDescription()).isEqualTo("no memory 'nobody' in space 'agents'");
                    ErrorDetail d = Errors.detailOf(e).orElseThrow();
                    assertThat(d.getNotFound().getSpace()).isEqualTo("agents");
                    assertThat(d.getNotFound().getId()).isEqualTo("nobody");
                });
    }

    @Test
    void store_invalidMemory_failsInvalidArgumentNamingTheField() {
        StoreRequest request = StoreRequest.newBuilder().setMemory(Memory.newBuilder().setSpace("agents")).build();

        assertThatThrownBy(() -> withDeadline().store(request))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    ErrorDetail d = Errors.detailOf(e).orElseThrow();
                    assertThat(d.getInvalidArgument().getField()).isEqualTo("memory.id");
                    assertThat(d.getInvalidArgument().getLimit()).isEqualTo("1..256 bytes");
                });
    }
}
