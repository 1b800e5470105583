package io.mnemo.node.numa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SysfsTopologyReaderTest {

    static Path fixture(String name) {
        try {
            return Path.of(SysfsTopologyReaderTest.class.getResource("/numa/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static NumaTopology read(String name) {
        return SysfsTopologyReader.read(fixture(name), Optional.empty());
    }

    @Test
    void read_oneNode_oneNodeWithSmtPairs() {
        NumaTopology t = read("one-node");

        assertThat(t.detected()).isTrue();
        assertThat(t.nodes()).containsExactly(new NumaNode(0, CpuSet.range(0, 3)));
        assertThat(t.offline().isEmpty()).isTrue();
        assertThat(t.siblingsOf(2)).isEqualTo(CpuSet.of(0, 2));
        assertThat(t.coresWithin(t.online())).containsExactly(CpuSet.of(0, 2), CpuSet.of(1, 3));
        assertThat(t.allowed()).isEqualTo(t.online());
    }

    @Test
    void read_twoNodes_splitsRangesPerNode() {
        NumaTopology t = read("two-nodes");

        assertThat(t.nodes()).containsExactly(
                new NumaNode(0, CpuSet.parse("0-3,8-11")),
                new NumaNode(1, CpuSet.parse("4-7,12-15")));
        assertThat(t.online()).isEqualTo(CpuSet.range(0, 15));
        assertThat(t.nodeOf(12)).hasValue(1);
        assertThat(t.siblingsOf(9)).isEqualTo(CpuSet.of(1, 9));
        assertThat(t.coresWithin(t.nodes().get(1).cpus())).hasSize(4);
        assertThat(t.describe()).contains("2 nodes", "node0 cpus [0-3,8-11]", "node1 cpus [4-7,12-15]");
    }

    @Test
    void read_fourNodesInterleavedWithOfflineCpu_dropsOfflineCpuFromItsNode() {
        NumaTopology t = read("four-nodes-interleaved");

        assertThat(t.nodes()).extracting(NumaNode::id).containsExactly(0, 1, 2, 3);
        assertThat(t.nodes().get(0).cpus()).isEqualTo(CpuSet.of(0, 4, 8, 12));
        assertThat(t.nodes().get(1).cpus()).isEqualTo(CpuSet.of(1, 5, 9));
        assertThat(t.offline()).isEqualTo(CpuSet.of(13));
        assertThat(t.online().size()).isEqualTo(15);
        assertThat(t.nodeOf(13)).isEmpty();
        assertThat(t.siblingsOf(5)).isEqualTo(CpuSet.of(5));
        assertThat(t.siblingsOf(6)).isEqualTo(CpuSet.of(6, 14));
    }

    @Test
    void read_noNodeDirectory_oneNodeWithAllOnlineCpus() {
        NumaTopology t = read("no-node-dir");

        assertThat(t.detected()).isTrue();
        assertThat(t.nodes()).containsExactly(new NumaNode(0, CpuSet.range(0, 7)));
        assertThat(t.source()).contains("kernel without NUMA");
    }

    @Test
    void read_missingSysfs_undetectedStandInNamingThePath() {
        NumaTopology t = read("missing-sysfs");

        assertThat(t.detected()).isFalse();
        assertThat(t.nodes()).hasSize(1);
        assertThat(t.online().size()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(t.source()).contains("missing-sysfs").contains("no sysfs CPU directory");
    }

    @Test
    void read_malformedNodeCpulist_typedErrorNamingTheFile() {
        assertThatThrownBy(() -> read("malformed-node-cpulist"))
                .isInstanceOfSatisfying(TopologyException.class, e -> {
                    assertThat(e.file()).isEqualTo(fixture("malformed-node-cpulist").resolve("node/node0/cpulist"));
                    assertThat(e.getMessage()).contains("node0/cpulist").contains("0-1,x");
                    assertThat(e.getCause()).isInstanceOf(CpuListFormatException.class);
                });
    }

    @Test
    void read_malformedSiblings_typedErrorNamingTheFile() {
        assertThatThrownBy(() -> read("malformed-siblings"))
                .isInstanceOfSatisfying(TopologyException.class,
                        e -> assertThat(e.file().toString()).endsWith("cpu1/topology/thread_siblings_list"));
    }

    @Test
    void read_cpuInTwoNodes_typedErrorNamingBoth(@TempDir Path root) throws IOException {
        write(root, "cpu/online", "0-3");
        write(root, "node/node0/cpulist", "0-2");
        write(root, "node/node1/cpulist", "2-3");

        assertThatThrownBy(() -> SysfsTopologyReader.read(root, Optional.empty()))
                .isInstanceOf(TopologyException.class)
                .hasMessageContaining("node1/cpulist")
                .hasMessageContaining("cpu2 is also listed in node0");
    }

    @Test
    void read_onlineCpuInNoNode_typedError(@TempDir Path root) throws IOException {
        write(root, "cpu/online", "0-3");
        write(root, "node/node0/cpulist", "0-2");

        assertThatThrownBy(() -> SysfsTopologyReader.read(root, Optional.empty()))
                .isInstanceOf(TopologyException.class)
                .hasMessageContaining("online CPUs 3 belong to no node");
    }

    @Test
    void read_missingOnlineFile_typedErrorNamingIt(@TempDir Path root) throws IOException {
        Files.createDirectories(root.resolve("cpu"));

        assertThatThrownBy(() -> SysfsTopologyReader.read(root, Optional.empty()))
                .isInstanceOfSatisfying(TopologyException.class, e -> assertThat(e.file()).isEqualTo(root.resolve("cpu/online")));
    }

    @Test
    void readAllowedCpus_statusFile_parsesCpusAllowedList(@TempDir Path dir) throws IOException {
        Path status = write(dir, "status", "Name:\tjava\nCpus_allowed:\t3\nCpus_allowed_list:\t0-1\nMems_allowed_list:\t0");

        assertThat(SysfsTopologyReader.readAllowedCpus(status)).hasValue(CpuSet.range(0, 1));
        assertThat(SysfsTopologyReader.readAllowedCpus(dir.resolve("absent"))).isEmpty();
    }

    @Test
    void withAllowed_restrictsUsableCpusAndNodes() {
        NumaTopology t = read("two-nodes").withAllowed(CpuSet.parse("4-7"));

        assertThat(t.usable()).isEqualTo(CpuSet.range(4, 7));
        assertThat(t.usableNodes()).extracting(NumaNode::id).containsExactly(1);
    }

    private static Path write(Path root, String relative, String content) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content + "\n");
        return file;
    }
}
