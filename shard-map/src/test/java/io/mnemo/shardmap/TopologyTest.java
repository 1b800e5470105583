package io.mnemo.shardmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class TopologyTest {
    private static final Member A = Member.of("a", "10.0.0.1:7000", 1, null);
    private static final Member B = Member.of("b", "10.0.0.2:7000", 1, null);
    private static final Member C = Member.of("c", "10.0.0.3:7000", 2, null);
    private static final String PINNED_ROWS = "ca ac cb bc bc ac ca cb";

    @Test
    void of_negativeEpoch_throwsNamingFieldAndValue() {
        assertThatThrownBy(() -> Topology.of(-1, 256, 3, List.of(A)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("topology epoch must be >= 0, got -1");
    }

    @Test
    void of_badPartitionsOrReplicationFactor_throwsNamingFieldAndValue() {
        assertThatThrownBy(() -> Topology.of(0, 0, 3, List.of(A))).hasMessageContaining("partitions").hasMessageContaining("got 0");
        assertThatThrownBy(() -> Topology.of(0, 70000, 3, List.of(A))).hasMessageContaining("got 70000");
        assertThatThrownBy(() -> Topology.of(0, 16, 0, List.of(A))).hasMessageContaining("replicationFactor").hasMessageContaining("got 0");
        assertThatThrownBy(() -> Topology.of(0, 16, 17, List.of(A))).hasMessageContaining("got 17");
    }

    @Test
    void of_duplicateIdOrEndpoint_throwsNamingIt() {
        assertThatThrownBy(() -> Topology.of(0, 16, 3, List.of(A, Member.of("a", "10.0.0.9:7000", 1, null))))
                .hasMessage("topology member ids must be unique, got 'a' twice");
        assertThatThrownBy(() -> Topology.of(0, 16, 3, List.of(A, Member.of("z", "10.0.0.1:7000", 1, null))))
                .hasMessageContaining("endpoints must be unique, got '10.0.0.1:7000' twice");
    }

    @Test
    void of_someMembersZoned_throws() {
        assertThatThrownBy(() -> Topology.of(0, 16, 3, List.of(A, Member.of("z", "h:1", 1, "eu-1"))))
                .hasMessage("topology members must all have a zone or none, got 1 of 2 with a zone");
    }

    @Test
    void of_tooManyPairs_throws() {
        assertThatThrownBy(() -> Topology.of(0, 65536, 3, PlacementStats.nodes(65)))
                .hasMessageContaining("partitions x members must be at most").hasMessageContaining("65536 x 65");
    }

    @Test
    void memberOf_invalidParts_throwNamingFieldAndValue() {
        assertThatThrownBy(() -> Member.of("", "h:1", 1, null)).hasMessageContaining("member id must be 1..255 UTF-8 bytes, got 0");
        assertThatThrownBy(() -> Member.of("a b", "h:1", 1, null)).hasMessageContaining("member id must not contain whitespace");
        assertThatThrownBy(() -> Member.of("a", "h:0", 1, null)).hasMessageContaining("member port must be in [1, 65535], got 0");
        assertThatThrownBy(() -> Member.of("a", "h", 1, null)).hasMessageContaining("must be host:port, got 'h'");
        assertThatThrownBy(() -> Member.of("a", "h:x", 1, null)).hasMessageContaining("port must be a number");
        assertThatThrownBy(() -> Member.of("a", "::1:7", 1, null)).hasMessageContaining("needs brackets");
        assertThatThrownBy(() -> Member.of("a", "h:1", 0, null)).hasMessageContaining("member weight must be in [1, 1000000], got 0");
        assertThatThrownBy(() -> Member.of("a", "h:1", 1, "")).hasMessageContaining("member zone must be 1..255");
        assertThatThrownBy(() -> Member.of("a\ud800", "h:1", 1, null)).hasMessageContaining("unpaired surrogates");
    }

    @Test
    void memberOf_ipv6Endpoint_roundTripsWithBrackets() {
        Member m = Member.of("v6", "[::1]:7000", 1, null);
        assertThat(m.host()).isEqualTo("::1");
        assertThat(m.endpoint()).isEqualTo("[::1]:7000");
    }

    @Test
    void replicas_moreReplicationThanMembers_cappedAtMemberCount() {
        Topology t = Topology.of(3, 64, 5, List.of(C, A, B));
        assertThat(t.replicaCount()).isEqualTo(3);
        assertThat(t.members()).extracting(Member::id).containsExactly("a", "b", "c");
        for (int p = 0; p < 64; p++) {
            assertThat(t.replicas(p)).containsExactlyInAnyOrder(A, B, C);
        }
        assertThatThrownBy(() -> t.replicas(64)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void replicas_noMembers_emptyLists() {
        Topology t = Topology.of(0, 8, 3, List.of());
        assertThat(t.replicaCount()).isZero();
        assertThat(t.replicasOf("s", "id")).isEmpty();
    }

    @Test
    void replicasOf_anyKey_isReplicasOfItsPartition() {
        Topology t = Topology.of(1, 256, 2, List.of(A, B, C));
        for (int i = 0; i < 100; i++) {
            String id = "key-" + i;
            assertThat(t.replicasOf("space", id)).isSameAs(t.replicas(PartitionFunction.of(256).partitionOf("space", id)));
            assertThat(t.partitionOf("space", id)).isEqualTo(t.partitionFunction().partitionOf("space", id));
        }
    }

    @Test
    void member_byId_foundOrEmpty() {
        Topology t = Topology.of(1, 16, 2, List.of(A, B));
        assertThat(t.member("b")).contains(B);
        assertThat(t.member("x")).isEmpty();
    }

    @Test
    void replicas_knownTopology_pinnedTable() {
        // Pins a few rows of the table: clients and nodes on other versions must compute the same.
        Topology t = Topology.of(1, 8, 2, List.of(A, B, C));
        StringBuilder rows = new StringBuilder();
        for (int p = 0; p < 8; p++) {
            t.replicas(p).forEach(m -> rows.append(m.id()));
            rows.append(' ');
        }
        assertThat(rows.toString().trim()).isEqualTo(PINNED_ROWS);
    }
}
