package io.mnemo.node.cluster.ownership;

import static io.mnemo.node.cluster.ownership.States.add;
import static io.mnemo.node.cluster.ownership.States.applyAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo.node.cluster.ownership.BaselineCommand.ConfirmMoves;
import io.mnemo.node.cluster.ownership.BaselineCommand.CreateSpace;
import io.mnemo.node.cluster.ownership.BaselineCommand.DrainMember;
import io.mnemo.node.cluster.ownership.BaselineCommand.Init;
import io.mnemo.node.cluster.ownership.BaselineCommand.RemoveMember;
import io.mnemo.node.cluster.ownership.CommandResult.Outcome;
import io.mnemo.shardmap.Member;
import io.mnemo.shardmap.Topology;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Placement changes in the baseline: transitions, confirmations, retargeting, the ownership epoch and its codec. */
@Timeout(30)
class BaselineMovesTest {

    /** Three members, each join's transition completed by its receivers' confirmations. */
    private static BaselineState threeMembers() {
        BaselineState s = applyAll(new Init(64, 3), add("1", 1001));
        assertThat(s.transition()).as("the first member has nothing to receive").isEmpty();
        s = settle(BaselineTransitions.apply(s, add("2", 1002)).state());
        return settle(BaselineTransitions.apply(s, add("3", 1003)).state());
    }

    /** Confirms for every receiver until no transition is left. */
    private static BaselineState settle(BaselineState s) {
        while (s.transition().isPresent()) {
            s = BaselineTransitions.apply(s, new ConfirmMoves(receivers(s).first(), s.ownershipEpoch())).state();
            if (s.transition().isPresent()) {
                TreeSet<String> left = receivers(s);
                left.removeAll(s.transition().get().confirmed());
                s = BaselineTransitions.apply(s, new ConfirmMoves(left.first(), s.ownershipEpoch())).state();
            }
        }
        return s;
    }

    private static TreeSet<String> receivers(BaselineState s) {
        return BaselineTransitions.receivers(TopologyMapper.sourceTopology(s).orElseThrow(), TopologyMapper.toTopology(s));
    }

    private static List<String> ids(List<BaselineMember> members) {
        List<String> out = new ArrayList<>();
        members.forEach(m -> out.add(m.id()));
        return out;
    }

    @Test
    void secondMember_receivesFromTheFirst() {
        BaselineState s = applyAll(new Init(64, 3), add("1", 1001), add("2", 1002));

        assertThat(ids(s.transition().orElseThrow().source())).containsExactly("1");
        assertThat(receivers(s)).containsExactly("2");
        assertThat(settle(s).ownershipEpoch()).isEqualTo(s.epoch() + 1);
    }

    @Test
    void addMember_toStableBaseline_startsTransitionFromOldMembers() {
        BaselineState before = threeMembers();

        CommandResult r = BaselineTransitions.apply(before, add("4", 1004));

        assertThat(r.outcome()).isEqualTo(Outcome.APPLIED);
        BaselineState s = r.state();
        assertThat(s.epoch()).isEqualTo(before.epoch() + 1);
        assertThat(s.ownershipEpoch()).isEqualTo(s.epoch());
        assertThat(ids(s.transition().orElseThrow().source())).containsExactly("1", "2", "3");
        assertThat(s.transition().orElseThrow().confirmed()).isEmpty();
        assertThat(receivers(s)).contains("4");
    }

    @Test
    void createSpace_duringTransition_keepsOwnershipEpochAndTransition() {
        BaselineState moving = BaselineTransitions.apply(threeMembers(), add("4", 1004)).state();

        BaselineState s = BaselineTransitions.apply(moving, new CreateSpace("sp", 8, 1 << 20)).state();

        assertThat(s.epoch()).isEqualTo(moving.epoch() + 1);
        assertThat(s.ownershipEpoch()).isEqualTo(moving.ownershipEpoch());
        assertThat(s.transition()).isEqualTo(moving.transition());
    }

    @Test
    void createSpace_onStableBaseline_keepsOwnershipEpoch() {
        BaselineState before = threeMembers();

        BaselineState s = BaselineTransitions.apply(before, new CreateSpace("sp", 8, 1 << 20)).state();

        assertThat(s.epoch()).isEqualTo(before.epoch() + 1);
        assertThat(s.ownershipEpoch()).isEqualTo(before.ownershipEpoch());
    }

    @Test
    void confirmMoves_everyReceiver_completesWithNewEpoch() {
        BaselineState s = BaselineTransitions.apply(threeMembers(), add("4", 1004)).state();
        List<String> pending = new ArrayList<>(receivers(s));
        long ownership = s.ownershipEpoch();

        for (int i = 0; i < pending.size(); i++) {
            CommandResult r = BaselineTransitions.apply(s, new ConfirmMoves(pending.get(i), ownership));
            if (i < pending.size() - 1) {
                assertThat(r.outcome()).isEqualTo(Outcome.UNCHANGED);
                assertThat(r.state().epoch()).isEqualTo(s.epoch());
                assertThat(r.state().transition().orElseThrow().confirmed()).contains(pending.get(i));
            } else {
                assertThat(r.outcome()).isEqualTo(Outcome.APPLIED);
                assertThat(r.state().epoch()).isEqualTo(s.epoch() + 1);
                assertThat(r.state().ownershipEpoch()).isEqualTo(r.state().epoch());
                assertThat(r.state().transition()).isEmpty();
            }
            s = r.state();
        }
    }

    @Test
    void confirmMoves_staleEpochOrNonReceiverOrRepeated_changesNothing() {
        BaselineState s = BaselineTransitions.apply(threeMembers(), add("4", 1004)).state();
        String receiver = receivers(s).first();

        assertThat(BaselineTransitions.apply(s, new ConfirmMoves(receiver, s.ownershipEpoch() - 1)).state()).isEqualTo(s);
        assertThat(BaselineTransitions.apply(s, new ConfirmMoves("99", s.ownershipEpoch())).state()).isEqualTo(s);
        BaselineState once = BaselineTransitions.apply(s, new ConfirmMoves(receiver, s.ownershipEpoch())).state();
        if (once.transition().isPresent()) {
            CommandResult twice = BaselineTransitions.apply(once, new ConfirmMoves(receiver, s.ownershipEpoch()));
            assertThat(twice.outcome()).isEqualTo(Outcome.UNCHANGED);
            assertThat(twice.state()).isEqualTo(once);
        }
    }

    @Test
    void confirmMoves_withoutTransition_isUnchanged() {
        BaselineState s = threeMembers();

        CommandResult r = BaselineTransitions.apply(s, new ConfirmMoves("1", s.ownershipEpoch()));

        assertThat(r.outcome()).isEqualTo(Outcome.UNCHANGED);
        assertThat(r.state()).isEqualTo(s);
    }

    @Test
    void changeMidTransition_keepsSourceAndResetsConfirmations() {
        BaselineState s = BaselineTransitions.apply(threeMembers(), add("4", 1004)).state();
        s = BaselineTransitions.apply(s, add("5", 1005)).state();
        assertThat(receivers(s)).contains("4", "5");
        s = BaselineTransitions.apply(s, new ConfirmMoves("4", s.ownershipEpoch())).state();
        assertThat(s.transition().orElseThrow().confirmed()).containsExactly("4");

        BaselineState retargeted = BaselineTransitions.apply(s, add("6", 1006)).state();

        assertThat(ids(retargeted.transition().orElseThrow().source())).containsExactly("1", "2", "3");
        assertThat(retargeted.transition().orElseThrow().confirmed()).isEmpty();
        assertThat(retargeted.ownershipEpoch()).isEqualTo(retargeted.epoch()).isGreaterThan(s.ownershipEpoch());
        assertThat(receivers(retargeted)).contains("4", "5", "6");
        CommandResult stale = BaselineTransitions.apply(retargeted, new ConfirmMoves("5", s.ownershipEpoch()));
        assertThat(stale.state()).as("a confirmation for the old target counts for nothing").isEqualTo(retargeted);
    }

    @Test
    void changeMidTransition_backToSource_endsTransition() {
        BaselineState s = BaselineTransitions.apply(threeMembers(), add("4", 1004)).state();

        BaselineState back = BaselineTransitions.apply(s, new RemoveMember("4")).state();

        assertThat(back.transition()).isEmpty();
        assertThat(back.ownershipEpoch()).isEqualTo(back.epoch());
    }

    @Test
    void removeMember_shrinkingBelowRf_everyRemainingReplicaReceives() {
        BaselineState s = BaselineTransitions.apply(threeMembers(), new DrainMember("3")).state();

        assertThat(ids(s.transition().orElseThrow().source())).containsExactly("1", "2", "3");
        assertThat(receivers(s)).containsExactly("1", "2");
        s = BaselineTransitions.apply(s, new ConfirmMoves("1", s.ownershipEpoch())).state();
        CommandResult done = BaselineTransitions.apply(s, new ConfirmMoves("2", s.ownershipEpoch()));

        assertThat(done.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(done.state().transition()).isEmpty();
    }

    @Test
    void sourceTopology_placesLikeTheOldMembers() {
        BaselineState before = threeMembers();
        BaselineState s = BaselineTransitions.apply(before, add("4", 1004)).state();

        Topology source = TopologyMapper.sourceTopology(s).orElseThrow();
        Topology old = TopologyMapper.toTopology(before);

        for (int p = 0; p < s.partitions(); p++) {
            assertThat(source.replicas(p).stream().map(Member::id).toList())
                    .isEqualTo(old.replicas(p).stream().map(Member::id).toList());
        }
    }

    @Test
    void codec_stateWithTransitionAndConfirmCommand_roundTrip() {
        BaselineState s = BaselineTransitions.apply(threeMembers(), add("4", 1004)).state();
        s = BaselineTransitions.apply(s, new ConfirmMoves(receivers(s).first(), s.ownershipEpoch())).state();

        assertThat(BaselineCodec.decodeState(BaselineCodec.encodeState(s))).isEqualTo(s);
        ConfirmMoves c = new ConfirmMoves("4", 7);
        assertThat(BaselineCodec.decodeCommand(BaselineCodec.encodeCommand(c))).isEqualTo(c);
    }

    @Test
    void codec_versionOneState_isRefusedNamingBothVersions() {
        byte[] bytes = BaselineCodec.encodeState(threeMembers());
        bytes[4] = 1;

        assertThatThrownBy(() -> BaselineCodec.decodeState(bytes)).isInstanceOf(BaselineFormatException.class)
                .hasMessageContaining("format version 1 is not supported: this node reads version 2");
    }

    @Test
    void of_ownershipEpochAboveEpoch_isRefused() {
        assertThatThrownBy(() -> BaselineState.of(3, 4, 16, 3, List.of(), List.of(), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ownership epoch");
    }
}
