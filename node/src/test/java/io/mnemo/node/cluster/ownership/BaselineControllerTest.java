package io.mnemo.node.cluster.ownership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo.node.cluster.ownership.BaselineCommand.AddMember;
import io.mnemo.node.cluster.ownership.BaselineCommand.DrainMember;
import io.mnemo.node.cluster.ownership.BaselineCommand.Init;
import io.mnemo.node.cluster.ownership.BaselineCommand.RemoveMember;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class BaselineControllerTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long WALL = 1_700_000_000_000L;

    /** A manual monotonic clock. */
    private long nowNs = 1_000 * SECOND;

    private static BaselineController controller() {
        return new BaselineController(BaselineController.Settings.builder()
                .settleDelay(Duration.ofSeconds(10))
                .removeAfter(Duration.ofSeconds(60))
                .retryInterval(Duration.ofSeconds(5))
                .raftGroupSize(3)
                .build());
    }

    private static LiveNode node(String id) {
        return new LiveNode(id, id + ".mnemo:7000", 1, null);
    }

    private static List<LiveNode> live(String... ids) {
        List<LiveNode> out = new ArrayList<>();
        for (String id : ids) {
            out.add(node(id));
        }
        return out;
    }

    private static AddMember add(String id) {
        return new AddMember(id, id + ".mnemo:7000", 1, null, WALL);
    }

    private static BaselineState baseline(String... ids) {
        List<BaselineCommand> cmds = new ArrayList<>();
        cmds.add(new Init(64, 3));
        for (String id : ids) {
            cmds.add(add(id));
        }
        return States.applyAll(cmds.toArray(new BaselineCommand[0]));
    }

    private List<BaselineCommand> decide(BaselineController c, BaselineState s, List<LiveNode> live) {
        return c.decide(nowNs, WALL, s, live, Set.of());
    }

    private void advance(long seconds) {
        nowNs += seconds * SECOND;
    }

    @Test
    void decide_uninitializedWithBootstrap_proposesInitOnlyOncePerRetryInterval() {
        BaselineController c = new BaselineController(BaselineController.Settings.builder().settleDelay(Duration.ZERO)
                .removeAfter(Duration.ofSeconds(60)).raftGroupSize(3).bootstrap(256, 3).build());

        assertThat(decide(c, BaselineState.empty(), live("a", "b"))).containsExactly(new Init(256, 3));
        advance(1);
        assertThat(decide(c, BaselineState.empty(), live("a", "b"))).isEmpty();
        advance(5);
        assertThat(decide(c, BaselineState.empty(), live("a", "b"))).containsExactly(new Init(256, 3));
    }

    @Test
    void decide_uninitializedWithoutBootstrap_proposesNothing() {
        assertThat(decide(controller(), BaselineState.empty(), live("a"))).isEmpty();
    }

    @Test
    void decide_nodeAliveShorterThanSettleDelay_isNotAdded() {
        BaselineController c = controller();
        BaselineState s = baseline("a");

        assertThat(decide(c, s, live("a", "b"))).isEmpty();
        advance(9);
        assertThat(decide(c, s, live("a", "b"))).isEmpty();
    }

    @Test
    void decide_nodeAliveContinuouslyForSettleDelay_isAddedWithItsEndpointWeightZoneAndWallTime() {
        BaselineController c = controller();
        BaselineState s = baseline("a");
        LiveNode b = new LiveNode("b", "10.1.1.1:7001", 3, null);

        assertThat(c.decide(nowNs, WALL, s, List.of(node("a"), b), Set.of())).isEmpty();
        advance(10);

        assertThat(c.decide(nowNs, WALL + 5, s, List.of(node("a"), b), Set.of()))
                .containsExactly(new AddMember("b", "10.1.1.1:7001", 3, null, WALL + 5));
    }

    @Test
    void decide_nodeMissedOnceDuringSettleDelay_restartsItsClock() {
        BaselineController c = controller();
        BaselineState s = baseline("a");

        decide(c, s, live("a", "b"));
        advance(6);
        decide(c, s, live("a"));
        advance(6);
        assertThat(decide(c, s, live("a", "b"))).isEmpty();
        advance(9);
        assertThat(decide(c, s, live("a", "b"))).isEmpty();
        advance(1);
        assertThat(decide(c, s, live("a", "b"))).containsExactly(add("b"));
    }

    @Test
    void decide_addProposedButNotYetCommitted_isNotRepeatedWithinRetryInterval() {
        BaselineController c = controller();
        BaselineState s = baseline("a");
        decide(c, s, live("a", "b"));
        advance(10);
        assertThat(decide(c, s, live("a", "b"))).containsExactly(add("b"));

        advance(4);
        assertThat(decide(c, s, live("a", "b"))).isEmpty();
        advance(1);
        assertThat(decide(c, s, live("a", "b"))).containsExactly(add("b"));
    }

    @Test
    void decide_memberAbsentShorterThanRemoveAfter_isKept() {
        BaselineController c = controller();
        BaselineState s = baseline("a", "b", "c");

        decide(c, s, live("a", "b"));
        advance(59);
        assertThat(decide(c, s, live("a", "b"))).isEmpty();
    }

    @Test
    void decide_memberAbsentForRemoveAfterWithLiveMajority_isRemoved() {
        BaselineController c = controller();
        BaselineState s = baseline("a", "b", "c", "d");

        decide(c, s, live("a", "b", "c"));
        advance(60);

        assertThat(decide(c, s, live("a", "b", "c"))).containsExactly(new RemoveMember("d"));
    }

    @Test
    void decide_memberBackBeforeRemoveAfter_restartsAbsenceClock() {
        BaselineController c = controller();
        BaselineState s = baseline("a", "b", "c", "d");

        decide(c, s, live("a", "b", "c"));
        advance(50);
        decide(c, s, live("a", "b", "c", "d"));
        advance(1);
        decide(c, s, live("a", "b", "c"));
        advance(50);
        assertThat(decide(c, s, live("a", "b", "c"))).isEmpty();
        advance(10);
        assertThat(decide(c, s, live("a", "b", "c"))).containsExactly(new RemoveMember("d"));
    }

    @Test
    void decide_mostOfBaselineAbsent_removesNobody() {
        BaselineController c = controller();
        BaselineState s = baseline("a", "b", "c", "d", "e");

        decide(c, s, live("a", "b"));
        advance(600);

        assertThat(decide(c, s, live("a", "b"))).isEmpty();
    }

    @Test
    void decide_exactlyHalfLive_removesNobody() {
        BaselineController c = controller();
        BaselineState s = baseline("a", "b", "c", "d");

        decide(c, s, live("a", "b"));
        advance(600);

        assertThat(decide(c, s, live("a", "b"))).isEmpty();
    }

    @Test
    void decide_removalWouldLeaveFewerThanRaftMajority_removesNobody() {
        BaselineController c = new BaselineController(BaselineController.Settings.builder().settleDelay(Duration.ZERO)
                .removeAfter(Duration.ofSeconds(60)).raftGroupSize(5).build());
        BaselineState three = baseline("a", "b", "c");
        BaselineState four = baseline("a", "b", "c", "d");

        decide(c, three, live("a", "b"));
        advance(600);
        assertThat(decide(c, three, live("a", "b"))).as("2 would remain, the Raft majority of 5 is 3").isEmpty();
        decide(c, four, live("a", "b", "c"));
        advance(60);
        assertThat(decide(c, four, live("a", "b", "c"))).as("3 would remain").containsExactly(new RemoveMember("d"));
    }

    @Test
    void decide_minMembersSetExplicitly_overridesRaftMajority() {
        BaselineController c = new BaselineController(BaselineController.Settings.builder().settleDelay(Duration.ZERO)
                .removeAfter(Duration.ofSeconds(60)).raftGroupSize(3).minMembers(4).build());
        BaselineState s = baseline("a", "b", "c", "d");

        decide(c, s, live("a", "b", "c"));
        advance(60);

        assertThat(decide(c, s, live("a", "b", "c"))).isEmpty();
    }

    @Test
    void decide_twoMembersAbsent_removesLongestAbsentFirstThenTheOtherAfterCommit() {
        BaselineController c = controller();
        BaselineState s = baseline("a", "b", "c", "d", "e", "f", "g");

        decide(c, s, live("a", "b", "c", "d", "f", "g"));
        advance(10);
        decide(c, s, live("a", "b", "c", "d", "g"));
        advance(60);

        assertThat(decide(c, s, live("a", "b", "c", "d", "g"))).containsExactly(new RemoveMember("e"));
        advance(1);
        assertThat(decide(c, s, live("a", "b", "c", "d", "g"))).as("one removal at a time").isEmpty();
        BaselineState after = BaselineTransitions.apply(s, new RemoveMember("e")).state();
        assertThat(decide(c, after, live("a", "b", "c", "d", "g"))).containsExactly(new RemoveMember("f"));
    }

    @Test
    void decide_drainingMemberAbsentButNotDrained_isNeverRemoved() {
        BaselineController c = controller();
        BaselineState s = BaselineTransitions.apply(baseline("a", "b", "c", "d"), new DrainMember("d")).state();

        decide(c, s, live("a", "b", "c"));
        advance(3600);

        assertThat(decide(c, s, live("a", "b", "c"))).isEmpty();
    }

    @Test
    void decide_drainingMemberDrained_isRemovedEvenWhileLive() {
        BaselineController c = controller();
        BaselineState s = BaselineTransitions.apply(baseline("a", "b", "c"), new DrainMember("c")).state();

        List<BaselineCommand> out = c.decide(nowNs, WALL, s, live("a", "b", "c"), Set.of("c"));

        assertThat(out).containsExactly(new RemoveMember("c"));
    }

    @Test
    void decide_newLeaderController_startsAbsenceClockAtFirstCall() {
        BaselineState s = baseline("a", "b", "c", "d");
        BaselineController first = controller();
        decide(first, s, live("a", "b", "c"));
        advance(59);

        BaselineController takeover = controller();
        assertThat(decide(takeover, s, live("a", "b", "c"))).isEmpty();
        advance(59);
        assertThat(decide(takeover, s, live("a", "b", "c"))).isEmpty();
        advance(1);
        assertThat(decide(takeover, s, live("a", "b", "c"))).containsExactly(new RemoveMember("d"));
    }

    @Test
    void decide_joinAndRemovalDue_togetherInDeterministicOrder() {
        BaselineController c = controller();
        BaselineState s = baseline("a", "b", "c", "d");

        decide(c, s, live("a", "b", "c", "y", "x"));
        advance(60);

        assertThat(decide(c, s, live("y", "a", "x", "b", "c")))
                .containsExactly(add("x"), add("y"), new RemoveMember("d"));
    }

    @Test
    void settings_invalidOrRepeated_areRefused() {
        assertThatThrownBy(() -> BaselineController.Settings.builder().removeAfter(Duration.ZERO))
                .hasMessageContaining("removeAfter must be > 0");
        assertThatThrownBy(() -> BaselineController.Settings.builder().settleDelay(Duration.ofSeconds(-1)))
                .hasMessageContaining("settleDelay must be >= 0");
        assertThatThrownBy(() -> BaselineController.Settings.builder().settleDelay(Duration.ZERO).settleDelay(Duration.ZERO))
                .hasMessageContaining("already set");
        assertThatThrownBy(() -> BaselineController.Settings.builder().settleDelay(Duration.ZERO).build())
                .hasMessageContaining("required");
        assertThatThrownBy(() -> BaselineController.Settings.builder().raftGroupSize(0))
                .hasMessageContaining("raftGroupSize must be in [1, 1000], got 0");
    }
}
