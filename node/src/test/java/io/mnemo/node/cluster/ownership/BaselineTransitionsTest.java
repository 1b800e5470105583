package io.mnemo.node.cluster.ownership;

import static io.mnemo.node.cluster.ownership.States.add;
import static io.mnemo.node.cluster.ownership.States.addZoned;
import static io.mnemo.node.cluster.ownership.States.applyAll;
import static io.mnemo.node.cluster.ownership.States.initialized;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo.node.cluster.ownership.BaselineCommand.AddMember;
import io.mnemo.node.cluster.ownership.BaselineCommand.CreateSpace;
import io.mnemo.node.cluster.ownership.BaselineCommand.DrainMember;
import io.mnemo.node.cluster.ownership.BaselineCommand.DropSpace;
import io.mnemo.node.cluster.ownership.BaselineCommand.Init;
import io.mnemo.node.cluster.ownership.BaselineCommand.RemoveMember;
import io.mnemo.node.cluster.ownership.BaselineCommand.SetWeight;
import io.mnemo.node.cluster.ownership.CommandResult.Outcome;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class BaselineTransitionsTest {

    private static CommandResult apply(BaselineState s, BaselineCommand c) {
        return BaselineTransitions.apply(s, c);
    }

    private static void assertRejected(BaselineState s, BaselineCommand c, RejectionReason reason, String messagePart) {
        CommandResult r = apply(s, c);
        assertThat(r.outcome()).isEqualTo(Outcome.REJECTED);
        assertThat(r.reason()).isEqualTo(reason);
        assertThat(r.message()).contains(messagePart);
        assertThat(r.state()).isSameAs(s);
    }

    @Test
    void init_onEmpty_createsEpochOneWithPartitionsAndReplicationFactor() {
        CommandResult r = apply(BaselineState.empty(), new Init(256, 3));

        assertThat(r.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(r.state().epoch()).isEqualTo(1);
        assertThat(r.state().isInitialized()).isTrue();
        assertThat(r.state().partitions()).isEqualTo(256);
        assertThat(r.state().replicationFactor()).isEqualTo(3);
        assertThat(r.state().members()).isEmpty();
        assertThat(r.state().spaces()).isEmpty();
    }

    @Test
    void init_againWithSameValues_isUnchangedWithoutEpochBump() {
        BaselineState s = applyAll(new Init(16, 3), add("a", 1));

        CommandResult r = apply(s, new Init(16, 3));

        assertThat(r.outcome()).isEqualTo(Outcome.UNCHANGED);
        assertThat(r.state()).isEqualTo(s);
    }

    @Test
    void init_againWithOtherValues_isRejectedAlreadyInitialized() {
        BaselineState s = initialized();
        assertRejected(s, new Init(32, 3), RejectionReason.ALREADY_INITIALIZED, "partitions=16");
        assertRejected(s, new Init(16, 2), RejectionReason.ALREADY_INITIALIZED, "replicationFactor=3");
    }

    @Test
    void anyCommand_beforeInit_isRejectedNotInitialized() {
        List<BaselineCommand> commands = List.of(add("a", 1), new DrainMember("a"), new RemoveMember("a"), new SetWeight("a", 2),
                new CreateSpace("s", 8, 100), new DropSpace("s"));
        for (BaselineCommand c : commands) {
            assertRejected(BaselineState.empty(), c, RejectionReason.NOT_INITIALIZED, "Init");
        }
    }

    @Test
    void addMember_new_addsActiveMemberAndBumpsEpoch() {
        BaselineState s = initialized();

        CommandResult r = apply(s, new AddMember("n1", "host1:7000", 5, null, 42L));

        assertThat(r.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(r.state().epoch()).isEqualTo(2);
        assertThat(r.state().members()).containsExactly(
                new BaselineMember("n1", "host1:7000", 5, null, MemberState.ACTIVE, 42L));
    }

    @Test
    void addMember_existingWithSameEndpoint_isUnchangedAndRefreshesConfirmationOnly() {
        BaselineState s = applyAll(new Init(16, 3), new AddMember("n1", "h:1", 1, null, 10L));

        CommandResult newer = apply(s, new AddMember("n1", "h:1", 1, null, 99L));
        CommandResult older = apply(newer.state(), new AddMember("n1", "h:1", 1, null, 5L));

        assertThat(newer.outcome()).isEqualTo(Outcome.UNCHANGED);
        assertThat(newer.state().epoch()).isEqualTo(s.epoch());
        assertThat(newer.state().member("n1").orElseThrow().lastConfirmedMillis()).isEqualTo(99L);
        assertThat(older.outcome()).isEqualTo(Outcome.UNCHANGED);
        assertThat(older.state()).isSameAs(newer.state());
    }

    @Test
    void addMember_existingWithOtherEndpointWeightOrZone_isRejectedMemberConflict() {
        BaselineState s = applyAll(new Init(16, 3), new AddMember("n1", "h:1", 1, null, 10L));
        assertRejected(s, new AddMember("n1", "h:2", 1, null, 10L), RejectionReason.MEMBER_CONFLICT, "h:1");
        assertRejected(s, new AddMember("n1", "h:1", 3, null, 10L), RejectionReason.MEMBER_CONFLICT, "SetWeight");
        assertRejected(s, new AddMember("n1", "h:1", 1, "z", 10L), RejectionReason.MEMBER_CONFLICT, "zone");
    }

    @Test
    void addMember_endpointHeldByAnotherMember_isRejectedEndpointInUse() {
        BaselineState s = applyAll(new Init(16, 3), new AddMember("n1", "h:1", 1, null, 10L));
        assertRejected(s, new AddMember("n2", "h:1", 1, null, 10L), RejectionReason.ENDPOINT_IN_USE, "'n1'");
    }

    @Test
    void addMember_zonePresenceDiffersFromMembers_isRejectedZoneMismatch() {
        BaselineState unzoned = applyAll(new Init(16, 3), add("a", 1));
        BaselineState zoned = applyAll(new Init(16, 3), addZoned("a", 1, "z1"));

        assertRejected(unzoned, addZoned("b", 2, "z1"), RejectionReason.ZONE_MISMATCH, "have no zone");
        assertRejected(zoned, add("b", 2), RejectionReason.ZONE_MISMATCH, "all have a zone");
        assertThat(apply(zoned, addZoned("b", 2, "z2")).outcome()).isEqualTo(Outcome.APPLIED);
    }

    @Test
    void addMember_pastPartitionMemberPairLimit_isRejectedTooManyMembers() {
        // Built directly: adding 64 members one by one at P = 65536 would compute 64 placements of 65536 partitions.
        List<BaselineMember> members = new java.util.ArrayList<>();
        for (int i = 0; i < 64; i++) {
            members.add(new BaselineMember("n" + i, "10.0.0.1:" + (1000 + i), 1, null, MemberState.ACTIVE, 1_000L));
        }
        BaselineState s = BaselineState.of(65, 65536, 3, members, List.of());
        assertThat(s.memberCount()).isEqualTo(64);
        assertRejected(s, add("n64", 2000), RejectionReason.TOO_MANY_MEMBERS, "65536");
    }

    @Test
    void drainMember_active_marksDrainingAndBumpsEpoch() {
        BaselineState s = applyAll(new Init(16, 3), add("a", 1));

        CommandResult r = apply(s, new DrainMember("a"));

        assertThat(r.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(r.state().epoch()).isEqualTo(s.epoch() + 1);
        assertThat(r.state().member("a").orElseThrow().state()).isEqualTo(MemberState.DRAINING);
        assertThat(r.state().activeMembers()).isEmpty();
    }

    @Test
    void drainMember_alreadyDraining_isUnchanged() {
        BaselineState s = applyAll(new Init(16, 3), add("a", 1), new DrainMember("a"));

        CommandResult r = apply(s, new DrainMember("a"));

        assertThat(r.outcome()).isEqualTo(Outcome.UNCHANGED);
        assertThat(r.state()).isSameAs(s);
    }

    @Test
    void drainMember_unknown_isRejectedUnknownMember() {
        assertRejected(initialized(), new DrainMember("ghost"), RejectionReason.UNKNOWN_MEMBER, "'ghost'");
    }

    @Test
    void addMember_ofDrainingMemberWithSameEndpoint_isUnchangedAndStaysDraining() {
        BaselineState s = applyAll(new Init(16, 3), add("a", 1), new DrainMember("a"));

        CommandResult r = apply(s, add("a", 1));

        assertThat(r.outcome()).isEqualTo(Outcome.UNCHANGED);
        assertThat(r.state().member("a").orElseThrow().state()).isEqualTo(MemberState.DRAINING);
    }

    @Test
    void removeMember_present_removesAndBumpsEpoch() {
        BaselineState s = applyAll(new Init(16, 3), add("a", 1), add("b", 2));

        CommandResult r = apply(s, new RemoveMember("a"));

        assertThat(r.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(r.state().epoch()).isEqualTo(s.epoch() + 1);
        assertThat(r.state().members()).extracting(BaselineMember::id).containsExactly("b");
    }

    @Test
    void removeMember_absent_isUnchanged() {
        BaselineState s = applyAll(new Init(16, 3), add("a", 1));

        CommandResult r = apply(s, new RemoveMember("zz"));

        assertThat(r.outcome()).isEqualTo(Outcome.UNCHANGED);
        assertThat(r.state()).isSameAs(s);
    }

    @Test
    void setWeight_changed_updatesWeightAndBumpsEpoch() {
        BaselineState s = applyAll(new Init(16, 3), add("a", 1));

        CommandResult r = apply(s, new SetWeight("a", 7));

        assertThat(r.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(r.state().epoch()).isEqualTo(s.epoch() + 1);
        assertThat(r.state().member("a").orElseThrow().weight()).isEqualTo(7);
    }

    @Test
    void setWeight_same_isUnchanged() {
        BaselineState s = applyAll(new Init(16, 3), add("a", 1));
        assertThat(apply(s, new SetWeight("a", 1)).outcome()).isEqualTo(Outcome.UNCHANGED);
    }

    @Test
    void setWeight_unknown_isRejectedUnknownMember() {
        assertRejected(initialized(), new SetWeight("ghost", 2), RejectionReason.UNKNOWN_MEMBER, "weight");
    }

    @Test
    void createSpace_new_addsSpaceAndBumpsEpoch() {
        CommandResult r = apply(initialized(), new CreateSpace("docs", 768, 1L << 30));

        assertThat(r.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(r.state().epoch()).isEqualTo(2);
        assertThat(r.state().space("docs")).contains(new SpaceSettings("docs", 768, 1L << 30));
    }

    @Test
    void createSpace_sameSettings_isUnchanged() {
        BaselineState s = applyAll(new Init(16, 3), new CreateSpace("docs", 768, 100));
        assertThat(apply(s, new CreateSpace("docs", 768, 100)).outcome()).isEqualTo(Outcome.UNCHANGED);
    }

    @Test
    void createSpace_otherSettings_isRejectedSpaceConflict() {
        BaselineState s = applyAll(new Init(16, 3), new CreateSpace("docs", 768, 100));
        assertRejected(s, new CreateSpace("docs", 384, 100), RejectionReason.SPACE_CONFLICT, "dimension=768");
        assertRejected(s, new CreateSpace("docs", 768, 200), RejectionReason.SPACE_CONFLICT, "quotaBytes=100");
    }

    @Test
    void dropSpace_present_removesAndBumpsEpoch_absent_isUnchanged() {
        BaselineState s = applyAll(new Init(16, 3), new CreateSpace("docs", 8, 100));

        CommandResult dropped = apply(s, new DropSpace("docs"));
        CommandResult again = apply(dropped.state(), new DropSpace("docs"));

        assertThat(dropped.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(dropped.state().epoch()).isEqualTo(s.epoch() + 1);
        assertThat(dropped.state().spaces()).isEmpty();
        assertThat(again.outcome()).isEqualTo(Outcome.UNCHANGED);
    }

    @Test
    void everyCommand_appliedTwice_equalsAppliedOnce() {
        BaselineState base = applyAll(new Init(16, 3), add("a", 1), add("b", 2), new CreateSpace("s", 4, 10));
        List<BaselineCommand> commands = List.of(new Init(16, 3), add("c", 3), new DrainMember("a"), new RemoveMember("b"),
                new SetWeight("a", 9), new CreateSpace("t", 4, 10), new DropSpace("s"));
        for (BaselineCommand c : commands) {
            BaselineState once = apply(base, c).state();
            assertThat(apply(once, c).state()).as("%s twice", c).isEqualTo(once);
        }
    }

    @Test
    void commands_invalidFields_failAtConstructionNamingTheField() {
        assertThatThrownBy(() -> new Init(0, 3)).hasMessageContaining("partitions").hasMessageContaining("got 0");
        assertThatThrownBy(() -> new Init(16, 17)).hasMessageContaining("replicationFactor").hasMessageContaining("17");
        assertThatThrownBy(() -> new AddMember("a b", "h:1", 1, null, 0)).hasMessageContaining("member id");
        assertThatThrownBy(() -> new AddMember("a\uD800", "h:1", 1, null, 0)).hasMessageContaining("unpaired surrogates");
        assertThatThrownBy(() -> new AddMember("a", "h:1", 1, "", 0)).hasMessageContaining("member zone must be 1..255");
        assertThatThrownBy(() -> new AddMember("a", "h", 1, null, 0)).hasMessageContaining("host:port");
        assertThatThrownBy(() -> new AddMember("a", "h:70000", 1, null, 0)).hasMessageContaining("port");
        assertThatThrownBy(() -> new AddMember("a", "::1:7", 1, null, 0)).hasMessageContaining("brackets");
        assertThatThrownBy(() -> new AddMember("a", "h:1", 0, null, 0)).hasMessageContaining("weight");
        assertThatThrownBy(() -> new SetWeight("a", 1_000_001)).hasMessageContaining("1000001");
        assertThatThrownBy(() -> new CreateSpace("Bad", 8, 1)).hasMessageContaining("space name");
        assertThatThrownBy(() -> new CreateSpace("ok", 0, 1)).hasMessageContaining("dimension");
        assertThatThrownBy(() -> new CreateSpace("ok", 8, 0)).hasMessageContaining("quotaBytes");
        assertThat(new AddMember("a", "[::1]:7000", 1, null, 0).endpoint()).isEqualTo("[::1]:7000");
        assertThat(new AddMember("\uD83D\uDE00", "h:1", 1, null, 0).id()).as("a paired surrogate is fine").hasSize(2);
    }

    @Test
    void of_brokenInvariants_failNamingTheRule() {
        BaselineMember a = new BaselineMember("a", "h:1", 1, null, MemberState.ACTIVE, 0);
        BaselineMember sameEndpoint = new BaselineMember("b", "h:1", 1, null, MemberState.ACTIVE, 0);
        BaselineMember zoned = new BaselineMember("c", "h:3", 1, "z", MemberState.ACTIVE, 0);

        assertThatThrownBy(() -> BaselineState.of(0, 16, 3, List.of(), List.of())).hasMessageContaining("epoch");
        assertThatThrownBy(() -> BaselineState.of(1, 16, 3, List.of(a, a), List.of())).hasMessageContaining("ids must be unique");
        assertThatThrownBy(() -> BaselineState.of(1, 16, 3, List.of(a, sameEndpoint), List.of()))
                .hasMessageContaining("endpoints must be unique");
        assertThatThrownBy(() -> BaselineState.of(1, 16, 3, List.of(a, zoned), List.of())).hasMessageContaining("zone");
    }
}
