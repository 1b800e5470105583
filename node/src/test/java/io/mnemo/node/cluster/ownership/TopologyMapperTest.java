package io.mnemo.node.cluster.ownership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo.node.cluster.ownership.BaselineCommand.AddMember;
import io.mnemo.node.cluster.ownership.BaselineCommand.DrainMember;
import io.mnemo.node.cluster.ownership.BaselineCommand.Init;
import io.mnemo.shardmap.Member;
import io.mnemo.shardmap.Topology;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class TopologyMapperTest {

    @Test
    void toTopology_initializedBaseline_carriesEpochPartitionsRfAndActiveMembers() {
        BaselineState s = States.applyAll(new Init(32, 3),
                new AddMember("a", "10.0.0.1:7000", 2, "z1", 1L),
                new AddMember("b", "[::1]:7001", 1, "z2", 1L),
                new AddMember("c", "c.mnemo:7002", 5, "z1", 1L),
                new DrainMember("c"));

        Topology t = TopologyMapper.toTopology(s);

        assertThat(t.epoch()).isEqualTo(s.epoch());
        assertThat(t.partitions()).isEqualTo(32);
        assertThat(t.replicationFactor()).isEqualTo(3);
        assertThat(t.members()).containsExactly(Member.of("a", "10.0.0.1:7000", 2, "z1"), Member.of("b", "[::1]:7001", 1, "z2"));
        for (int p = 0; p < t.partitions(); p++) {
            assertThat(t.replicas(p)).as("partition %d", p).hasSize(2).doesNotHaveDuplicates()
                    .extracting(Member::id).doesNotContain("c");
        }
    }

    @Test
    void toTopology_noActiveMembers_givesEmptyReplicaLists() {
        Topology t = TopologyMapper.toTopology(States.applyAll(new Init(4, 1)));

        assertThat(t.members()).isEmpty();
        assertThat(t.replicas(0)).isEmpty();
    }

    @Test
    void toTopology_uninitialized_isRefused() {
        assertThatThrownBy(() -> TopologyMapper.toTopology(BaselineState.empty()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not initialized");
    }

    @Property(tries = 50)
    void toTopology_anyInitializedBaseline_mapsWithTheActiveMembers(@ForAll("states") BaselineState s) {
        Assume.that(s.isInitialized());

        Topology t = TopologyMapper.toTopology(s);

        assertThat(t.epoch()).isEqualTo(s.epoch());
        assertThat(t.members()).extracting(Member::id)
                .containsExactlyElementsOf(s.activeMembers().stream().map(BaselineMember::id).toList());
    }

    @Provide
    Arbitrary<BaselineState> states() {
        return BaselineCodecTest.anyState();
    }
}
