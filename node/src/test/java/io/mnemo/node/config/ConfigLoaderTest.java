package io.mnemo.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private Path file(String... lines) throws IOException {
        Path f = dir.resolve("mnemo.conf");
        Files.write(f, List.of(lines), StandardCharsets.UTF_8);
        return f;
    }

    private static List<ConfigException.Problem> problems(ConfigLoader loader) {
        try {
            loader.load();
        } catch (ConfigException e) {
            return e.problems();
        }
        throw new AssertionError("expected the configuration to be refused");
    }

    @ParameterizedTest(name = "file={0} env={1} prop={2} -> {3}")
    @CsvSource({
        "true,  true,  true,  1003",
        "true,  true,  false, 1002",
        "true,  false, true,  1003",
        "false, true,  true,  1003",
        "true,  false, false, 1001",
        "false, true,  false, 1002",
        "false, false, true,  1003",
        "false, false, false, 7400",
    })
    void load_sameSettingInSeveralLayers_takesSystemPropertyThenEnvThenFileThenDefault(
            boolean inFile, boolean inEnv, boolean inProps, int expected) throws IOException {
        ConfigLoader loader = ConfigLoader.create().file(file("mnemo.node.id = 1", inFile ? "mnemo.grpc.port = 1001" : ""));
        if (inEnv) {
            loader.environment(Map.of("MNEMO_GRPC_PORT", "1002"));
        }
        if (inProps) {
            loader.systemProperties(Map.of("mnemo.grpc.port", "1003"));
        }

        NodeConfig c = loader.load();

        assertThat(c.grpcPort()).isEqualTo(expected);
        Source.Kind kind = inProps ? Source.Kind.SYSTEM_PROPERTY : inEnv ? Source.Kind.ENVIRONMENT
                : inFile ? Source.Kind.FILE : Source.Kind.DEFAULT;
        assertThat(c.sourceOf(Settings.GRPC_PORT).kind()).isEqualTo(kind);
    }

    @Test
    void load_everyKindOfValueFromFile_parsesEach() throws IOException {
        Path f = file(
                "# a comment",
                "",
                "mnemo.node.id = 7",
                "  mnemo.node.data-dir=/var/lib/mnemo  ",
                "mnemo.cluster.seeds = 10.0.0.1:47500, node-2.mnemo:47500,[::1]:47500",
                "mnemo.replication.write-quorum = 3",
                "mnemo.replication.read-quorum = MAJORITY",
                "mnemo.storage.hot.max-bytes = 512MiB",
                "mnemo.storage.warm.entries-per-partition = 1_000_000",
                "mnemo.storage.tombstone-grace = P10D",
                "mnemo.node.drain-timeout = 45s",
                "mnemo.numa.mode = off");

        NodeConfig c = ConfigLoader.create().file(f).load();

        assertThat(c.nodeId()).isEqualTo(7);
        assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/mnemo"));
        assertThat(c.seeds()).containsExactly(new HostPort("10.0.0.1", 47500), new HostPort("node-2.mnemo", 47500),
                new HostPort("::1", 47500));
        assertThat(c.writeQuorum()).isEqualTo(3);
        assertThat(c.readQuorum()).isEqualTo(2);
        assertThat(c.hotMaxBytes().bytes()).isEqualTo(512L << 20);
        assertThat(c.warmEntriesPerPartition()).isEqualTo(1_000_000L);
        assertThat(c.tombstoneGrace()).isEqualTo(Duration.ofDays(10));
        assertThat(c.drainTimeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(c.sourceOf(Settings.DATA_DIR)).isEqualTo(Source.file(f, 4));
    }

    @Test
    void load_noFile_readsEnvironmentAndSystemProperties() {
        NodeConfig c = ConfigLoader.create().environment(Map.of("MNEMO_NODE_ID", "3", "PATH", "/bin"))
                .systemProperties(Map.of("mnemo.storage.hot.max-bytes", "1GiB")).load();

        assertThat(c.nodeId()).isEqualTo(3);
        assertThat(c.hotMaxBytes()).isEqualTo(DataSize.ofGibibytes(1));
    }

    @Test
    void load_emptySeedsInFile_isAnEmptyList() throws IOException {
        assertThat(ConfigLoader.create().file(file("mnemo.node.id = 1", "mnemo.cluster.seeds =")).load().seeds()).isEmpty();
    }

    @Test
    void load_badValueInFile_namesKeyValueAndLine() throws IOException {
        Path f = file("mnemo.node.id = 1", "mnemo.grpc.port = seventy");

        ConfigException.Problem p = problems(ConfigLoader.create().file(f)).get(0);

        assertThat(p.key()).isEqualTo("mnemo.grpc.port");
        assertThat(p.value()).isEqualTo("seventy");
        assertThat(p.source()).isEqualTo(Source.file(f, 2));
        assertThat(p.describe()).isEqualTo("mnemo.grpc.port = 'seventy' (" + f + ":2): expected a whole number, got 'seventy'");
    }

    @Test
    void load_outOfRangeEnvValue_namesTheVariable() {
        ConfigException.Problem p = problems(ConfigLoader.create()
                .environment(Map.of("MNEMO_NODE_ID", "1", "MNEMO_CLUSTER_PARTITIONS", "0"))).get(0);

        assertThat(p.key()).isEqualTo("mnemo.cluster.partitions");
        assertThat(p.value()).isEqualTo("0");
        assertThat(p.source().toString()).isEqualTo("environment variable MNEMO_CLUSTER_PARTITIONS");
        assertThat(p.reason()).isEqualTo("0 is outside 1..65536");
    }

    @Test
    void load_badSystemProperty_namesTheProperty() {
        ConfigException.Problem p = problems(ConfigLoader.create()
                .systemProperties(Map.of("mnemo.node.id", "1", "mnemo.storage.tombstone-grace", "forever"))).get(0);

        assertThat(p.source().toString()).isEqualTo("system property -Dmnemo.storage.tombstone-grace");
        assertThat(p.reason()).contains("'forever'");
    }

    @Test
    void load_unknownKeyInFile_isRefusedWithCloseMatches() throws IOException {
        Path f = file("mnemo.node.id = 1", "mnemo.grpc.prot = 7400");

        ConfigException.Problem p = problems(ConfigLoader.create().file(f)).get(0);

        assertThat(p.key()).isEqualTo("mnemo.grpc.prot");
        assertThat(p.source()).isEqualTo(Source.file(f, 2));
        assertThat(p.reason()).startsWith("unknown setting; did you mean mnemo.grpc.port");
    }

    @Test
    void load_environmentVariableNameInFile_suggestsTheKey() throws IOException {
        ConfigException.Problem p = problems(ConfigLoader.create().file(file("MNEMO_NODE_ID = 1"))).get(0);

        assertThat(p.reason()).isEqualTo("unknown setting; did you mean mnemo.node.id?");
    }

    @Test
    void load_unknownKeyInFileWithSameLastPart_suggestsIt() throws IOException {
        ConfigException.Problem p = problems(ConfigLoader.create().file(file("replication.factor = 3"))).get(0);

        assertThat(p.reason()).contains("mnemo.replication.factor");
    }

    @Test
    void load_unknownKeyNothingLike_saysWhereTheListIs() throws IOException {
        ConfigException.Problem p = problems(ConfigLoader.create().file(file("colour = blue"))).get(0);

        assertThat(p.reason()).contains("no setting is close", "README.md");
    }

    @Test
    void load_sameKeyTwiceInFile_isRefusedNamingBothLines() throws IOException {
        Path f = file("mnemo.node.id = 1", "mnemo.raft.port = 7801", "mnemo.raft.port = 7802");

        ConfigException.Problem p = problems(ConfigLoader.create().file(f)).get(0);

        assertThat(p.source()).isEqualTo(Source.file(f, 3));
        assertThat(p.reason()).contains("already set at " + f + ":2 to '7801'");
    }

    @Test
    void load_lineWithoutEquals_isRefusedNamingTheLine() throws IOException {
        Path f = file("mnemo.node.id = 1", "mnemo.raft.port 7801");

        ConfigException.Problem p = problems(ConfigLoader.create().file(f)).get(0);

        assertThat(p.value()).isEqualTo("mnemo.raft.port 7801");
        assertThat(p.source()).isEqualTo(Source.file(f, 2));
        assertThat(p.reason()).contains("key = value");
    }

    @Test
    void load_lineWithoutKey_isRefused() throws IOException {
        assertThat(problems(ConfigLoader.create().file(file("= 7801"))).get(0).reason()).contains("no key");
    }

    @Test
    void load_missingFile_isRefusedNamingThePath() {
        Path missing = dir.resolve("absent.conf");

        ConfigException.Problem p = problems(ConfigLoader.create().file(missing)).get(0);

        assertThat(p.value()).isEqualTo(missing.toString());
        assertThat(p.reason()).contains("cannot be read");
    }

    @Test
    void load_fileNotUtf8_isRefused() throws IOException {
        Path f = dir.resolve("latin1.conf");
        Files.write(f, new byte[] {'#', ' ', (byte) 0xE9, '\n'});

        assertThat(problems(ConfigLoader.create().file(f)).get(0).reason()).contains("not UTF-8");
    }

    @Test
    void load_requiredSettingMissingEverywhere_isRefused() throws IOException {
        ConfigException.Problem p = problems(ConfigLoader.create().file(file("mnemo.grpc.port = 7401"))).get(0);

        assertThat(p.key()).isEqualTo("mnemo.node.id");
        assertThat(p.reason()).contains("required");
    }

    @Test
    void load_severalProblems_reportsEveryOneAtOnce() throws IOException {
        Path f = file("mnemo.node.id = x", "mnemo.grpc.prot = 1", "mnemo.raft.port = 0", "junk");
        Map<String, String> env = new HashMap<>();
        env.put("MNEMO_STORAGE_HOT_MAX_BYTES", "lots");

        ConfigException e = (ConfigException) catchThrowable(
                () -> ConfigLoader.create().file(f).environment(env).load());

        assertThat(e.problems()).extracting(ConfigException.Problem::key).containsExactlyInAnyOrder(
                "mnemo.grpc.prot", "(line)", "mnemo.node.id", "mnemo.raft.port", "mnemo.storage.hot.max-bytes");
        assertThat(e.getMessage()).startsWith("invalid configuration, 5 problems:");
    }

    @Test
    void load_crossCheckFailure_namesTheSourcesOfBothSides() throws IOException {
        Path f = file("mnemo.node.id = 1", "mnemo.replication.factor = 1");

        ConfigException.Problem p = problems(ConfigLoader.create().file(f)
                .systemProperties(Map.of("mnemo.replication.write-quorum", "2"))).get(0);

        assertThat(p.key()).isEqualTo("mnemo.replication.write-quorum");
        assertThat(p.source()).isEqualTo(Source.systemProperty("mnemo.replication.write-quorum"));
        assertThat(p.reason()).contains("mnemo.replication.factor = 1 (" + f + ":2)");
    }

    @Test
    void load_badFileValueOverriddenByEnvironment_isNotAnError() throws IOException {
        Path f = file("mnemo.node.id = 1", "mnemo.grpc.port = bad");

        assertThat(ConfigLoader.create().file(f).environment(Map.of("MNEMO_GRPC_PORT", "7401")).load().grpcPort())
                .isEqualTo(7401);
    }

    @Test
    void load_nothingSet_failsWithOneLineMessageNamingTheKey() {
        assertThatThrownBy(() -> ConfigLoader.create().load())
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("invalid configuration: mnemo.node.id (default): required and not set");
    }
}
