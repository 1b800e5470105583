package io.mnemo.node.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.mnemo.node.config.ConfigException;
import io.mnemo.node.config.NodeConfig;
import io.mnemo.node.config.DataSize;
import io.mnemo.node.config.Settings;
import io.mnemo.node.config.Source;
import io.mnemo.node.numa.CpuSet;
import io.mnemo.node.numa.NumaMode;
import io.mnemo.protocol.Errors;
import io.mnemo.protocol.v1.Consistency;
import io.mnemo.protocol.v1.CreateSpaceRequest;
import io.mnemo.protocol.v1.ErrorDetail;
import io.mnemo.protocol.v1.Memory;
import io.mnemo.protocol.v1.MnemoServiceGrpc;
import io.mnemo.protocol.v1.RecallRequest;
import io.mnemo.protocol.v1.RemoveRequest;
import io.mnemo.protocol.v1.RemoveResponse;
import io.mnemo.protocol.v1.ScanChunk;
import io.mnemo.protocol.v1.ScanRequest;
import io.mnemo.protocol.v1.SpaceSpec;
import io.mnemo.protocol.v1.StoreBatchRequest;
import io.mnemo.protocol.v1.StoreBatchResponse;
import io.mnemo.protocol.v1.StoreRequest;
import io.mnemo.protocol.v1.StoreResponse;
import io.mnemo.protocol.v1.TopologyRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** One node in this JVM, called over a real gRPC socket on 127.0.0.1. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MnemoNodeTest {
    private static final String SPACE = "wire";
    private static final int DIM = 4;

    @TempDir
    static Path dataDir;
    private static MnemoNode node;
    private static ManagedChannel channel;

    @BeforeAll
    static void startNode() throws IOException {
        FreePorts ports = FreePorts.withRandomSeed();
        NodeConfig config = NodeConfig.builder()
                .nodeId(1)
                .dataDir(dataDir)
                .bindHost("127.0.0.1")
                .grpcPort(ports.next())
                .metricsPort(ports.next())
                .partitions(8)
                .replicationFactor(1)
                .warmEntriesPerPartition(2_000)
                .hotMaxBytes(DataSize.ofMebibytes(64))
                .drainTimeout(Duration.ofSeconds(5))
                .build();
        node = MnemoNode.start(config);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", node.grpcPort()).usePlaintext()
                .maxInboundMessageSize(MnemoNode.MAX_INBOUND_MESSAGE_BYTES).build();
        stub().createSpace(CreateSpaceRequest.newBuilder()
                .setSpec(SpaceSpec.newBuilder().setName(SPACE).setDimension(DIM)).build());
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
        return MnemoServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static Memory.Builder memory(String id) {
        return Memory.newBuilder().setSpace(SPACE).setId(id).setCreatedAtNs(1_000L).setConfidence(0.5f)
                .addEmbedding(0.1f).addEmbedding(0.2f).addEmbedding(0.3f).addEmbedding(0.4f);
    }

    private static Memory recall(String id) {
        return stub().recall(RecallRequest.newBuilder().setSpace(SPACE).setId(id)
                .setConsistency(Consistency.CONSISTENCY_QUORUM).build()).getMemory();
    }

    private static ErrorDetail detailOf(Runnable call, Status.Code code) {
        StatusRuntimeException e = (StatusRuntimeException) org.assertj.core.api.Assertions.catchThrowable(call::run);
        assertThat(e).as("the call must fail").isNotNull();
        assertThat(e.getStatus().getCode()).isEqualTo(code);
        return Errors.detailOf(e).orElseThrow(() -> new AssertionError("no ErrorDetail in the trailers of " + e));
    }

    /** After a refused call the node still stores and recalls. */
    private static void assertStillServing(String id) {
        stub().store(StoreRequest.newBuilder().setMemory(memory(id).setContent("still here")).build());
        assertThat(recall(id).getContent()).isEqualTo("still here");
    }

    @Test
    void storeAndRecall_absentAndEmptyContent_eachRoundTripsAsSent() {
        StoreResponse absent = stub().store(StoreRequest.newBuilder().setMemory(memory("absent")).build());
        stub().store(StoreRequest.newBuilder().setMemory(memory("empty").setContent("")).build());
        stub().store(StoreRequest.newBuilder().setMemory(memory("text").setContent("héllo")).build());

        Memory a = recall("absent");
        Memory e = recall("empty");
        assertThat(a.hasContent()).isFalse();
        assertThat(e.hasContent()).isTrue();
        assertThat(e.getContent()).isEmpty();
        assertThat(recall("text").getContent()).isEqualTo("héllo");
        assertThat(a.getEmbeddingList()).containsExactly(0.1f, 0.2f, 0.3f, 0.4f);
        assertThat(a.getConfidence()).isEqualTo(0.5f);
        assertThat(a.getVersion().getNodeId()).isEqualTo(1);
        assertThat(a.getVersion().getHlc()).isEqualTo(absent.getVersion().getHlc());
    }

    @Test
    void keyedCalls_runOnThePartitionWorkerPools() {
        long before = completedPoolTasks();
        for (int i = 0; i < 20; i++) {
            stub().store(StoreRequest.newBuilder().setMemory(memory("pooled-" + i).setContent("p")).build());
            stub().recall(RecallRequest.newBuilder().setSpace(SPACE).setId("pooled-" + i).build());
        }
        // Each keyed call is started by one task on its partition's pool (warm-up tasks only add to the count).
        // A task counts as completed only after it returns, which can be just after its reply reached us.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (completedPoolTasks() - before < 40 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(completedPoolTasks() - before).isGreaterThanOrEqualTo(40);
    }

    private static long completedPoolTasks() {
        return node.numaStatus().pools().stream().mapToLong(p -> p.completedTasks()).sum();
    }

    @Test
    void remove_storedMemory_recallNotFoundAndSecondRemoveReportsNotExisted() {
        stub().store(StoreRequest.newBuilder().setMemory(memory("gone").setContent("x")).build());
        RemoveResponse first = stub().remove(RemoveRequest.newBuilder().setSpace(SPACE).setId("gone").build());
        RemoveResponse second = stub().remove(RemoveRequest.newBuilder().setSpace(SPACE).setId("gone").build());

        assertThat(first.getExisted()).isTrue();
        assertThat(second.getExisted()).isFalse();
        assertThat(second.getVersion().getHlc()).isGreaterThan(first.getVersion().getHlc());
        ErrorDetail d = detailOf(() -> recall("gone"), Status.Code.NOT_FOUND);
        assertThat(d.getNotFound().getId()).isEqualTo("gone");
    }

    @Test
    void store_oversizedContent_invalidArgumentOnContentWithLimit() {
        String big = "a".repeat((1 << 20) + 1);
        ErrorDetail d = detailOf(() -> stub().store(StoreRequest.newBuilder().setMemory(memory("big").setContent(big))
                .build()), Status.Code.INVALID_ARGUMENT);

        assertThat(d.getInvalidArgument().getField()).isEqualTo("memory.content");
        assertThat(d.getInvalidArgument().getLimit()).isEqualTo((1 << 20) + " bytes");
        assertThat(d.getInvalidArgument().getReason()).contains("1048577");
        assertStillServing("after-big");
    }

    @Test
    void store_wrongDimension_invalidArgumentOnEmbedding() {
        ErrorDetail d = detailOf(() -> stub().store(StoreRequest.newBuilder().setMemory(memory("dim").addEmbedding(0.5f))
                .build()), Status.Code.INVALID_ARGUMENT);

        assertThat(d.getInvalidArgument().getField()).isEqualTo("memory.embedding");
        assertThat(d.getInvalidArgument().getLimit()).isEqualTo(Integer.toString(DIM));
        assertStillServing("after-dim");
    }

    @Test
    void store_nanInEmbedding_invalidArgumentNamingTheIndex() {
        ErrorDetail d = detailOf(() -> stub().store(StoreRequest.newBuilder()
                .setMemory(memory("nan").setEmbedding(2, Float.NaN)).build()), Status.Code.INVALID_ARGUMENT);

        assertThat(d.getInvalidArgument().getField()).isEqualTo("memory.embedding[2]");
        assertStillServing("after-nan");
    }

    @Test
    void store_unknownSpace_notFoundNamingTheSpace() {
        ErrorDetail d = detailOf(() -> stub().store(StoreRequest.newBuilder()
                .setMemory(memory("x").setSpace("nosuchspace")).build()), Status.Code.NOT_FOUND);

        assertThat(d.getNotFound().getSpace()).isEqualTo("nosuchspace");
        assertThat(d.getNotFound().getId()).isEmpty();
        assertStillServing("after-unknown-space");
    }

    @Test
    void malformedRequests_missingMemoryClientVersionBadSpaceName_eachInvalidArgumentWithField() {
        ErrorDetail missing = detailOf(() -> stub().store(StoreRequest.getDefaultInstance()),
                Status.Code.INVALID_ARGUMENT);
        ErrorDetail versioned = detailOf(() -> stub().store(StoreRequest.newBuilder().setMemory(memory("v")
                .setVersion(io.mnemo.protocol.v1.Version.newBuilder().setHlc(5))).build()), Status.Code.INVALID_ARGUMENT);
        ErrorDetail badSpace = detailOf(() -> stub().recall(RecallRequest.newBuilder().setSpace("Bad Space!")
                .setId("x").build()), Status.Code.INVALID_ARGUMENT);
        ErrorDetail emptyId = detailOf(() -> recall(""), Status.Code.INVALID_ARGUMENT);

        assertThat(missing.getInvalidArgument().getField()).isEqualTo("memory");
        assertThat(versioned.getInvalidArgument().getField()).isEqualTo("memory.version");
        assertThat(badSpace.getInvalidArgument().getField()).isEqualTo("space");
        assertThat(emptyId.getInvalidArgument().getField()).isEqualTo("id");
        assertStillServing("after-malformed");
    }

    @Test
    void storeBatch_oneBadItem_othersStoredAndBadOneCarriesTypedError() {
        StoreBatchResponse r = stub().storeBatch(StoreBatchRequest.newBuilder()
                .addMemories(memory("b0").setContent("zero"))
                .addMemories(memory("b1").setConfidence(2f))
                .addMemories(memory("b2").setContent("two"))
                .build());

        assertThat(r.getResultsList()).hasSize(3);
        assertThat(r.getResults(0).hasVersion()).isTrue();
        assertThat(r.getResults(1).getError().getDetail().getInvalidArgument().getField())
                .isEqualTo("memories[1].confidence");
        assertThat(r.getResults(1).getError().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
        assertThat(recall("b2").getContent()).isEqualTo("two");
    }

    @Test
    void scan_smallChunks_resumesToEveryMemoryOnce() {
        stub().createSpace(CreateSpaceRequest.newBuilder()
                .setSpec(SpaceSpec.newBuilder().setName("scanned").setDimension(DIM)).build());
        List<String> stored = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            String id = "s" + i;
            stored.add(id);
            stub().store(StoreRequest.newBuilder().setMemory(memory(id).setSpace("scanned")).build());
        }

        List<String> seen = new ArrayList<>();
        Iterator<ScanChunk> chunks = stub().scan(ScanRequest.newBuilder().setSpace("scanned").setChunkSize(4)
                .setOmitEmbeddings(true).build());
        ScanChunk last = null;
        int firstChunkSize = -1;
        while (chunks.hasNext()) {
            last = chunks.next();
            if (firstChunkSize < 0) {
                firstChunkSize = last.getMemoriesCount();
            }
            last.getMemoriesList().forEach(m -> {
                assertThat(m.getEmbeddingCount()).isZero();
                seen.add(m.getId());
            });
        }

        assertThat(last).isNotNull();
        assertThat(last.getDone()).isTrue();
        assertThat(firstChunkSize).isBetween(1, 4);
        assertThat(seen).containsExactlyInAnyOrderElementsOf(stored);
    }

    @Test
    void topology_oneNodeCluster_listsItselfAsReplicaOfEveryPartition() {
        io.mnemo.protocol.v1.Topology t = stub().topology(TopologyRequest.getDefaultInstance()).getTopology();

        assertThat(t.getEpoch()).isEqualTo(1);
        assertThat(t.getPartitionCount()).isEqualTo(8);
        assertThat(t.getMembersList()).singleElement()
                .satisfies(m -> assertThat(m.getEndpoint()).isEqualTo("127.0.0.1:" + node.grpcPort()));
        assertThat(t.getPartitionsList()).hasSize(8).allSatisfy(p -> assertThat(p.getReplicasList()).containsExactly(1));
        assertThat(stub().topology(TopologyRequest.newBuilder().setKnownEpoch(1).build()).hasTopology()).isFalse();
    }

    @Test
    void healthEndpoints_readyNode_answer200AndMetricsInPrometheusFormat() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String base = "http://127.0.0.1:" + node.metricsPort();

        HttpResponse<String> health = get(http, base + "/health");
        HttpResponse<String> ready = get(http, base + "/ready");
        HttpResponse<String> metrics = get(http, base + "/metrics");

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("mnemo_ready 1.0").contains("mnemo_topology_epoch 1.0");
        assertThat(metricNames(metrics.body())).contains(
                "mnemo_ready", "mnemo_requests_in_flight", "mnemo_topology_epoch", "mnemo_ownership_epoch",
                "mnemo_partitions_moving", "mnemo_hints_pending", "mnemo_client_ops_coordinated_total",
                "mnemo_client_ops_wrong_owner_total", "mnemo_client_scans_total",
                "mnemo_replication_writes_acked_total", "mnemo_replication_write_quorum_failures_total",
                "mnemo_replication_reads_served_total", "mnemo_replication_read_quorum_failures_total",
                "mnemo_replication_hedged_reads_total", "mnemo_replication_read_repairs_total",
                "mnemo_replication_digest_fetches_total", "mnemo_replication_hints_queued_total",
                "mnemo_replication_hints_delivered_total", "mnemo_replication_hints_dropped_total",
                "mnemo_replication_anti_entropy_runs_total", "mnemo_replication_anti_entropy_buckets_repaired_total",
                "mnemo_replication_anti_entropy_records_pulled_total",
                "mnemo_replication_anti_entropy_records_pushed_total", "mnemo_replication_loop_errors_total",
                "mnemo_store_corruptions_detected_total", "mnemo_store_scan_corruptions_skipped_total",
                "mnemo_store_tombstones_collected_total", "mnemo_store_hot_hits_total", "mnemo_store_hot_misses_total",
                "mnemo_store_hot_evictions_total", "mnemo_store_live_bytes", "mnemo_store_file_bytes",
                "mnemo_store_used_bytes", "mnemo_store_fragmentation", "mnemo_store_partitions_open",
                "mnemo_store_segment_files", "mnemo_store_large_values", "mnemo_store_hot_bytes",
                "mnemo_store_hot_entries");
    }

    /** Each scrape reads fresh snapshots: a store and a quorum recall show up in the next scrape. */
    @Test
    void metrics_storeThenRecall_nextScrapeCountsTheWriteTheReadAndTheHotTierLookup() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String url = "http://127.0.0.1:" + node.metricsPort() + "/metrics";
        String before = get(http, url).body();

        stub().store(StoreRequest.newBuilder().setMemory(memory("counted").setContent("once")).build());
        assertThat(recall("counted").getContent()).isEqualTo("once");
        String after = get(http, url).body();

        assertThat(metric(after, "mnemo_replication_writes_acked_total"))
                .isEqualTo(metric(before, "mnemo_replication_writes_acked_total") + 1);
        assertThat(metric(after, "mnemo_replication_reads_served_total"))
                .isEqualTo(metric(before, "mnemo_replication_reads_served_total") + 1);
        assertThat(metric(after, "mnemo_store_hot_hits_total") + metric(after, "mnemo_store_hot_misses_total"))
                .isGreaterThanOrEqualTo(metric(before, "mnemo_store_hot_hits_total")
                        + metric(before, "mnemo_store_hot_misses_total") + 1);
        assertThat(metric(after, "mnemo_store_live_bytes")).isPositive();
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The names of the samples in a Prometheus text-format body. */
    private static List<String> metricNames(String body) {
        return body.lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                .map(l -> l.split("[ {]", 2)[0]).toList();
    }

    /** The value of the untagged sample {@code name} in a Prometheus text-format body; fails if there is none. */
    private static double metric(String body, String name) {
        return body.lines().filter(l -> l.startsWith(name + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1).trim()))
                .findFirst().orElseThrow(() -> new AssertionError(name + " not in the scrape:\n" + body));
    }

    @Test
    void start_withSeeds_refusedNamingWhatIsMissing() {
        NodeConfig clustered = NodeConfig.builder().nodeId(2).dataDir(dataDir.resolve("other"))
                .seeds(List.of(io.mnemo.node.config.HostPort.parse("127.0.0.1:47500"))).build();

        assertThatThrownBy(() -> MnemoNode.start(clustered)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Raft member list");
    }

    /** CPU 65535 exists on no test machine: the NUMA start-up check refuses it as a configuration error. */
    @Test
    void start_numaCpusThisMachineLacks_refusedNamingKeyValueAndSource() {
        NodeConfig pinned = NodeConfig.builder().nodeId(3).dataDir(dataDir.resolve("numa-refused"))
                .numaMode(NumaMode.EXPLICIT).set(Settings.NUMA_CPUS, List.of(CpuSet.of(CpuSet.MAX_CPU_ID))).build();

        assertThatThrownBy(() -> MnemoNode.start(pinned)).isInstanceOfSatisfying(ConfigException.class, e -> {
            assertThat(e.problems()).hasSize(1);
            ConfigException.Problem p = e.problems().get(0);
            assertThat(p.key()).isEqualTo("mnemo.numa.cpus");
            assertThat(p.value()).isEqualTo("65535");
            assertThat(p.source()).isEqualTo(Source.code());
        });
    }
}
