package io.mnemo.node.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.mnemo.node.replication.Hint;
import io.mnemo.node.storage.Memory;
import io.mnemo.node.storage.MemoryKey;
import io.mnemo.node.storage.StoredRecord;
import io.mnemo.node.storage.Version;
import io.mnemo.shardmap.Member;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The wire form of handed-over hints, and the order a draining node tries its peers in. */
class HintHandoverTest {
    @Test
    void hintWire_liveRecord_roundTripsEveryField() {
        Memory m = Memory.builder("s", "id-1").createdAtNs(11).lastAccessNs(12).content("hello")
                .embedding(new float[] {1f, -2.5f}).confidence(0.75f).activation(0.5f).decayRate(0.25f)
                .accessCount(3).version(new Version(1L << 40, 2)).build();
        Hint h = new Hint(3, 17, StoredRecord.live(m));

        Hint back = HintWire.fromWire(HintWire.toWire(h));

        assertThat(back).isEqualTo(h);
        assertThat(back.record().memory().orElseThrow()).isEqualTo(m);
    }

    @Test
    void hintWire_tombstone_roundTrips() {
        Hint h = new Hint(1, 0, StoredRecord.tombstone(new MemoryKey("s", "gone"), new Version(5L << 16, 4)));

        assertThat(HintWire.fromWire(HintWire.toWire(h))).isEqualTo(h);
    }

    @Test
    void hintWire_memoryOfAnotherKey_isRefused() {
        Memory m = Memory.builder("s", "a").embedding(new float[] {1f}).version(new Version(7, 1)).build();
        var wire = HintWire.toWire(new Hint(2, 0, StoredRecord.live(m))).toBuilder();
        wire.getRecordBuilder().setId("b");

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> HintWire.fromWire(wire.build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("carries a memory of s/a");
    }

    @Test
    void peersOf_startsAfterSelf_wrapsAround_leavesSelfOut() {
        List<Member> members = List.of(member(4), member(1), member(2), member(3));

        assertThat(HintHandover.peersOf(2, members)).extracting(TopologyPlacement::nodeIdOf).containsExactly(3, 4, 1);
        assertThat(HintHandover.peersOf(4, members)).extracting(TopologyPlacement::nodeIdOf).containsExactly(1, 2, 3);
    }

    private static Member member(int id) {
        return Member.of(Integer.toString(id), "127.0.0.1:" + (7400 + id), 1, null);
    }
}
