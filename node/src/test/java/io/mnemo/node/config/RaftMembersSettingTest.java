package io.mnemo.node.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code mnemo.raft.members} and {@code mnemo.ignite.communication-port}, read the way a node reads them. */
class RaftMembersSettingTest {
    @TempDir
    Path dir;

    private Path file(String... lines) throws IOException {
        Path f = dir.resolve("mnemo.conf");
        Files.write(f, List.of(lines), StandardCharsets.UTF_8);
        return f;
    }

    private static ConfigException.Problem onlyProblem(ConfigLoader loader) {
        try {
            loader.load();
        } catch (ConfigException e) {
            assertThat(e.problems()).hasSize(1);
            return e.problems().get(0);
        }
        throw new AssertionError("expected the configuration to be refused");
    }

    @Test
    void load_votersIncludingThisNode_areReadInOrder() throws IOException {
        NodeConfig c = ConfigLoader.create().file(file("mnemo.node.id = 2",
                "mnemo.raft.members = 1@127.0.0.1:7801, 2@127.0.0.1:7802,3@[::1]:7803",
                "mnemo.ignite.communication-port = 47200")).load();

        assertThat(c.raftMembers()).containsExactly(new RaftMember(1, new HostPort("127.0.0.1", 7801)),
                new RaftMember(2, new HostPort("127.0.0.1", 7802)), new RaftMember(3, new HostPort("::1", 7803)));
        assertThat(Settings.RAFT_MEMBERS.format(c.raftMembers()))
                .isEqualTo("1@127.0.0.1:7801,2@127.0.0.1:7802,3@[::1]:7803");
        assertThat(c.igniteCommunicationPort()).isEqualTo(47_200);
    }

    @Test
    void defaults_noVotersAndCommunicationPort47100() {
        NodeConfig c = NodeConfig.builder().nodeId(1).build();

        assertThat(c.raftMembers()).isEmpty();
        assertThat(c.igniteCommunicationPort()).isEqualTo(47_100);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "1@h:1,1@h:2|node id 1 is listed more than once",
        "1@h:1,2@h:1|address h:1 is listed more than once",
        "1=h:1|expected nodeId@host:port",
        "x@h:1|node id of 'x@h:1' is not a whole number",
        "1@h|expected host:port",
        "1@h:1,,2@h:2|empty entry"})
    void load_badVoterList_isRefusedNamingKeyValueAndSource(String value, String reason) throws IOException {
        Path f = file("mnemo.node.id = 1", "mnemo.raft.members = " + value);

        ConfigException.Problem p = onlyProblem(ConfigLoader.create().file(f));

        assertThat(p.key()).isEqualTo("mnemo.raft.members");
        assertThat(p.value()).isEqualTo(value);
        assertThat(p.source().toString()).contains(f.toString());
        assertThat(p.reason()).contains(reason);
    }

    @Test
    void build_votersWithoutThisNode_isRefusedNamingTheNodeId() {
        ConfigException.Problem p = onlyProblem(ConfigLoader.create().systemProperties(Map.of("mnemo.node.id", "4",
                        "mnemo.raft.members", "1@h:1,2@h:2,3@h:3")));

        assertThat(p.key()).isEqualTo("mnemo.raft.members");
        assertThat(p.value()).isEqualTo("1@h:1,2@h:2,3@h:3");
        assertThat(p.reason()).contains("does not list this node").contains("mnemo.node.id = 4");
    }

    @Test
    void build_communicationPortEqualToAnotherListener_isRefused() {
        ConfigException.Problem p = onlyProblem(ConfigLoader.create().systemProperties(Map.of(
                "mnemo.node.id", "1", "mnemo.ignite.communication-port", "7800")));

        assertThat(p.key()).isEqualTo("mnemo.raft.port");
        assertThat(p.reason()).contains("port 7800 is also mnemo.ignite.communication-port");
    }
}
