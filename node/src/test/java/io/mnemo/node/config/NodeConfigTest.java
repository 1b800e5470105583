package io.mnemo.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo.node.numa.CpuSet;
import io.mnemo.node.numa.NumaConfig;
import io.mnemo.node.numa.NumaMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NodeConfigTest {

    private static NodeConfig.Builder minimal() {
        return NodeConfig.builder().nodeId(1);
    }

    private static ConfigException.Problem onlyProblem(Throwable e) {
        assertThat(e).isInstanceOf(ConfigException.class);
        List<ConfigException.Problem> problems = ((ConfigException) e).problems();
        assertThat(problems).hasSize(1);
        return problems.get(0);
    }

    @Test
    void build_onlyNodeId_usesEveryDefault() {
        NodeConfig c = minimal().build();

        assertThat(c.nodeId()).isEqualTo(1);
        assertThat(c.dataDir()).isEqualTo(Path.of("mnemo-data"));
        assertThat(c.bindHost()).isEqualTo("127.0.0.1");
        assertThat(c.seeds()).isEmpty();
        assertThat(c.partitions()).isEqualTo(256);
        assertThat(c.replicationFactor()).isEqualTo(3);
        assertThat(c.writeQuorum()).isEqualTo(2);
        assertThat(c.readQuorum()).isEqualTo(2);
        assertThat(c.hotMaxBytes()).isEqualTo(DataSize.ofMebibytes(256));
        assertThat(c.maxContentBytes()).isEqualTo(DataSize.ofMebibytes(1));
        assertThat(c.defaultEmbeddingDimension()).isEqualTo(768);
        assertThat(c.numaMode()).isEqualTo(NumaMode.AUTO);
        assertThat(c.get(Settings.NUMA_CPUS)).isEmpty();
        assertThat(c.numaConfig()).hasToString(NumaConfig.defaults().toString());
        assertThat(c.igniteFailureDetectionTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.sourceOf(Settings.PARTITIONS)).isEqualTo(Source.byDefault());
        assertThat(c.sourceOf(Settings.NODE_ID)).isEqualTo(Source.code());
        for (Setting<?> s : Settings.all()) {
            assertThat(c.get(s)).as(s.key()).isNotNull();
        }
    }

    @Test
    void build_nodeIdMissing_isRefusedSayingHowToSetIt() {
        assertThatThrownBy(() -> NodeConfig.builder().build())
                .satisfies(e -> {
                    ConfigException.Problem p = onlyProblem(e);
                    assertThat(p.key()).isEqualTo("mnemo.node.id");
                    assertThat(p.reason()).contains("required", "MNEMO_NODE_ID", "-Dmnemo.node.id");
                });
    }

    @Test
    void set_sameSettingTwice_isRefusedNamingBothValues() {
        NodeConfig.Builder b = minimal().grpcPort(7401);

        assertThatThrownBy(() -> b.grpcPort(7402))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("mnemo.grpc.port")
                .hasMessageContaining("7402")
                .hasMessageContaining("already set to '7401'");
        assertThat(b.build().grpcPort()).isEqualTo(7401);
    }

    @Test
    void set_sameValueTwice_isStillRefused() {
        NodeConfig.Builder b = minimal();

        assertThat(b.build().nodeId()).isEqualTo(1);
        assertThatThrownBy(() -> b.nodeId(1)).isInstanceOf(ConfigException.class).hasMessageContaining("already set");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "grpcPort(70000); mnemo.grpc.port; 70000; outside 0..65535",
        "raftPort(0); mnemo.raft.port; 0; outside 1..65535",
        "nodeId(-1); mnemo.node.id; -1; outside 0..2147483647",
        "partitions(0); mnemo.cluster.partitions; 0; outside 1..65536",
        "replicationFactor(17); mnemo.replication.factor; 17; outside 1..16",
        "hotMaxBytes(1KiB); mnemo.storage.hot.max-bytes; 1KiB; outside 1MiB..1TiB",
        "maxContentBytes(9MiB); mnemo.storage.max-content-bytes; 9MiB; outside 1B..8MiB",
        "tombstoneGrace(0s); mnemo.storage.tombstone-grace; 0s; outside 1ms..3650d",
        "bindHost(a host); mnemo.node.bind-host; a host; not a host name",
        "defaultEmbeddingDimension(0); mnemo.storage.default-embedding-dimension; 0; outside 1..16384",
    })
    void setter_badValue_isRefusedNamingKeyAndValue(String call, String key, String value, String reason) {
        Function<NodeConfig.Builder, NodeConfig.Builder> setter = setterFor(call);

        assertThatThrownBy(() -> setter.apply(NodeConfig.builder()))
                .satisfies(e -> {
                    ConfigException.Problem p = onlyProblem(e);
                    assertThat(p.key()).isEqualTo(key);
                    assertThat(p.value()).isEqualTo(value);
                    assertThat(p.source()).isEqualTo(Source.code());
                    assertThat(p.reason()).contains(reason);
                    assertThat(e.getMessage()).contains(key, value, reason);
                });
    }

    private static Function<NodeConfig.Builder, NodeConfig.Builder> setterFor(String call) {
        String arg = call.substring(call.indexOf('(') + 1, call.length() - 1);
        switch (call.substring(0, call.indexOf('('))) {
            case "grpcPort":
                return b -> b.grpcPort(Integer.parseInt(arg));
            case "raftPort":
                return b -> b.raftPort(Integer.parseInt(arg));
            case "nodeId":
                return b -> b.nodeId(Integer.parseInt(arg));
            case "partitions":
                return b -> b.partitions(Integer.parseInt(arg));
            case "replicationFactor":
                return b -> b.replicationFactor(Integer.parseInt(arg));
            case "hotMaxBytes":
                return b -> b.hotMaxBytes(DataSize.parse(arg));
            case "maxContentBytes":
                return b -> b.maxContentBytes(DataSize.parse(arg));
            case "tombstoneGrace":
                return b -> b.tombstoneGrace(Durations.parse(arg));
            case "bindHost":
                return b -> b.bindHost(arg);
            case "defaultEmbeddingDimension":
                return b -> b.defaultEmbeddingDimension(Integer.parseInt(arg));
            default:
                throw new IllegalArgumentException("no setter " + call);
        }
    }

    @Test
    void set_nullValue_isRefused() {
        assertThatThrownBy(() -> NodeConfig.builder().set(Settings.DATA_DIR, null))
                .isInstanceOf(ConfigException.class).hasMessageContaining("mnemo.node.data-dir");
    }

    @Test
    void set_settingNotInRegistry_isRefused() {
        Setting<String> stray = new Setting<>("mnemo.stray", "text", s -> s, s -> s, s -> null, "", "any", "not listed");

        assertThatThrownBy(() -> NodeConfig.builder().set(stray, "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mnemo.stray");
    }

    @ParameterizedTest(name = "RF {0} -> majority {1}")
    @CsvSource({"1, 1", "2, 2", "3, 2", "4, 3", "5, 3", "16, 9"})
    void writeQuorum_majority_resolvesAgainstReplicationFactor(int rf, int majority) {
        NodeConfig c = minimal().replicationFactor(rf).build();

        assertThat(c.writeQuorum()).isEqualTo(majority);
        assertThat(c.readQuorum()).isEqualTo(majority);
    }

    @Test
    void build_writeQuorumAboveReplicationFactor_isRefusedNamingBoth() {
        assertThatThrownBy(() -> minimal().replicationFactor(3).writeQuorum(Quorum.of(4)).build())
                .satisfies(e -> {
                    ConfigException.Problem p = onlyProblem(e);
                    assertThat(p.key()).isEqualTo("mnemo.replication.write-quorum");
                    assertThat(p.value()).isEqualTo("4");
                    assertThat(p.reason()).contains("mnemo.replication.factor = 3 (set in code)");
                });
    }

    @Test
    void build_readQuorumAboveDefaultReplicationFactor_isRefusedNamingTheDefault() {
        assertThatThrownBy(() -> minimal().readQuorum(Quorum.of(5)).build())
                .satisfies(e -> {
                    ConfigException.Problem p = onlyProblem(e);
                    assertThat(p.key()).isEqualTo("mnemo.replication.read-quorum");
                    assertThat(p.reason()).contains("mnemo.replication.factor = 3 (default)");
                });
    }

    @Test
    void build_quorumsThatDoNotOverlap_areRefused() {
        assertThatThrownBy(() -> minimal().writeQuorum(Quorum.of(1)).readQuorum(Quorum.of(2)).build())
                .satisfies(e -> assertThat(onlyProblem(e).reason()).contains("W + R = 1 + 2 must be more than RF = 3"));
    }

    @Test
    void build_quorumsThatOverlap_areAccepted() {
        NodeConfig c = minimal().writeQuorum(Quorum.of(3)).readQuorum(Quorum.of(1)).build();

        assertThat(List.of(c.writeQuorum(), c.readQuorum())).containsExactly(3, 1);
    }

    @Test
    void build_twoListenersOnOnePort_isRefusedNamingBoth() {
        assertThatThrownBy(() -> minimal().grpcPort(7800).build())
                .satisfies(e -> {
                    ConfigException.Problem p = onlyProblem(e);
                    assertThat(p.key()).isEqualTo("mnemo.raft.port");
                    assertThat(p.reason()).contains("mnemo.grpc.port = 7800 (set in code)");
                });
    }

    @Test
    void build_twoEphemeralPorts_areAccepted() {
        NodeConfig c = minimal().grpcPort(0).metricsPort(0).build();

        assertThat(List.of(c.grpcPort(), c.metricsPort())).containsExactly(0, 0);
    }

    @Test
    void build_contentLargerThanHotTier_isRefused() {
        assertThatThrownBy(() -> minimal().hotMaxBytes(DataSize.ofMebibytes(1)).maxContentBytes(DataSize.ofMebibytes(2))
                .build())
                .satisfies(e -> {
                    ConfigException.Problem p = onlyProblem(e);
                    assertThat(p.key()).isEqualTo("mnemo.storage.max-content-bytes");
                    assertThat(p.reason()).contains("mnemo.storage.hot.max-bytes = 1MiB");
                });
    }

    @Test
    void build_explicitNumaWithoutCpus_isRefused() {
        assertThatThrownBy(() -> minimal().numaMode(NumaMode.EXPLICIT).build())
                .satisfies(e -> assertThat(onlyProblem(e).reason()).contains("mnemo.numa.cpus"));
    }

    @Test
    void build_cpusWithoutExplicitNuma_isRefused() {
        assertThatThrownBy(() -> minimal().set(Settings.NUMA_CPUS, List.of(CpuSet.range(0, 1))).build())
                .satisfies(e -> assertThat(onlyProblem(e).key()).isEqualTo("mnemo.numa.cpus"));
    }

    @Test
    void build_explicitNumaWithCpus_isAccepted() {
        NodeConfig c = minimal().numaMode(NumaMode.EXPLICIT)
                .set(Settings.NUMA_CPUS, List.of(CpuSet.range(0, 1), CpuSet.range(2, 3))).build();

        assertThat(Settings.NUMA_CPUS.format(c.get(Settings.NUMA_CPUS))).isEqualTo("0-1;2-3");
        assertThat(c.numaConfig().mode()).isEqualTo(NumaMode.EXPLICIT);
        assertThat(c.numaConfig().cpuLists()).containsExactly(CpuSet.range(0, 1), CpuSet.range(2, 3));
    }

    @Test
    void build_severalContradictions_reportsEveryOne() {
        assertThatThrownBy(() -> minimal().replicationFactor(2).writeQuorum(Quorum.of(3)).readQuorum(Quorum.of(3))
                .metricsPort(47_500).build())
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).hasSize(3));
    }

    @Test
    void toString_config_listsEverySettingWithSource() {
        String text = minimal().build().toString();

        assertThat(text.lines()).hasSize(Settings.all().size());
        assertThat(text).contains("mnemo.node.id = 1 (set in code)", "mnemo.cluster.partitions = 256 (default)");
    }
}
