package io.mnemo.node.cluster.ownership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo.node.cluster.ownership.BaselineCommand.AddMember;
import io.mnemo.node.cluster.ownership.BaselineCommand.CreateSpace;
import io.mnemo.node.cluster.ownership.BaselineCommand.DrainMember;
import io.mnemo.node.cluster.ownership.BaselineCommand.Init;
import io.mnemo.node.cluster.ownership.BaselineCommand.SetWeight;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A real three-member jgroups-raft group in this JVM, on 127.0.0.1. */
@Timeout(45)
class RaftOwnershipLogClusterTest {
    private static final long WAIT_S = 15;

    @TempDir
    Path dir;

    private RaftTestCluster cluster;

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static BaselineState commit(OwnershipLog log, BaselineCommand c) throws Exception {
        return log.propose(c).get(WAIT_S, TimeUnit.SECONDS);
    }

    private static AddMember add(String id, int port) {
        return new AddMember(id, "127.0.0.1:" + port, 1, null, 1_000L);
    }

    @Test
    void start_threeMembers_electsOneLeaderThatAllAgreeOn() throws Exception {
        cluster = new RaftTestCluster(3, dir).startAll();

        int leader = cluster.awaitLeader();

        assertThat(cluster.log(leader).isLeader()).isTrue();
        for (int i = 0; i < 3; i++) {
            assertThat(cluster.log(i).leaderId()).contains(cluster.id(leader));
            assertThat(cluster.log(i).current()).isEqualTo(BaselineState.empty());
        }
    }

    @Test
    void propose_fromFollower_commitsOnAllMembersWithSameEpoch() throws Exception {
        cluster = new RaftTestCluster(3, dir).startAll();
        int follower = cluster.aFollower(cluster.awaitLeader());
        OwnershipLog log = cluster.log(follower);

        BaselineState initialized = commit(log, new Init(64, 3));
        BaselineState added = commit(log, add("m1", 9001));

        assertThat(initialized.epoch()).isEqualTo(1);
        assertThat(added.epoch()).isEqualTo(2);
        assertThat(added.members()).extracting(BaselineMember::id).containsExactly("m1");
        cluster.awaitAllAt(added);
    }

    @Test
    void propose_conflictingCommand_failsOnProposerWithTypedRejection() throws Exception {
        cluster = new RaftTestCluster(3, dir).startAll();
        int follower = cluster.aFollower(cluster.awaitLeader());
        OwnershipLog log = cluster.log(follower);
        BaselineState s = commit(log, new Init(64, 3));

        CompletableFuture<BaselineState> conflict = log.propose(new SetWeight("nobody", 2));

        assertThatThrownBy(() -> conflict.get(WAIT_S, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(BaselineRejectedException.class)
                .hasMessageContaining("UNKNOWN_MEMBER");
        assertThat(commit(log, new Init(64, 3))).as("repeating Init is a no-op").isEqualTo(s);
        cluster.awaitAllAt(s);
    }

    @Test
    void propose_onMinorityAfterTwoOfThreeStopped_failsWithRetryableNoQuorumWithinDeadline() throws Exception {
        cluster = new RaftTestCluster(3, dir, b -> b.proposeTimeout(Duration.ofSeconds(2)).attemptTimeout(Duration.ofMillis(500)));
        cluster.startAll();
        int leader = cluster.awaitLeader();
        BaselineState committed = commit(cluster.log(leader), new Init(64, 3));
        cluster.awaitAllAt(committed);
        int survivor = cluster.aFollower(leader);
        for (int i = 0; i < 3; i++) {
            if (i != survivor) {
                cluster.stop(i);
            }
        }
        OwnershipLog alone = cluster.log(survivor);
        Await.until("the survivor knows it has no leader", () -> alone.leaderId().isEmpty(), RaftTestCluster.WAIT,
                cluster::describe);

        long start = System.nanoTime();
        CompletableFuture<BaselineState> f = alone.propose(add("m1", 9001));
        Throwable failure = failureWithin(f, Duration.ofSeconds(10));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(failure).isInstanceOf(NoQuorumException.class);
        NoQuorumException nq = (NoQuorumException) failure;
        assertThat(nq.isRetryable()).isTrue();
        assertThat(nq.lastKnownEpoch()).isEqualTo(1);
        assertThat(nq.waited()).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        assertThat(took).as("fails at its deadline, not later").isLessThan(Duration.ofSeconds(8));
        assertThat(alone.current()).as("the minority keeps its last committed baseline").isEqualTo(committed);
        assertThat(alone.isLeader()).isFalse();
    }

    @Test
    void restart_memberThatMissedCommits_reloadsItsLogAndCatchesUp() throws Exception {
        cluster = new RaftTestCluster(3, dir).startAll();
        int leader = cluster.awaitLeader();
        BaselineState s = commit(cluster.log(leader), new Init(64, 3));
        s = commit(cluster.log(leader), add("m1", 9001));
        cluster.awaitAllAt(s);
        int lagging = cluster.aFollower(leader);
        cluster.stop(lagging);

        BaselineState later = commit(cluster.log(leader), add("m2", 9002));
        later = commit(cluster.log(leader), new CreateSpace("docs", 768, 1 << 20));
        RaftOwnershipLog restarted = cluster.start(lagging);

        assertThat(restarted.current().epoch()).as("reloaded from its own log").isGreaterThanOrEqualTo(s.epoch());
        cluster.awaitAllAt(later);
        assertThat(restarted.current().epoch()).isEqualTo(4);
    }

    @Test
    void snapshot_thenWholeGroupRestarted_restoresBaselineAndContinuesEpochs() throws Exception {
        cluster = new RaftTestCluster(3, dir).startAll();
        int leader = cluster.awaitLeader();
        BaselineState s = commit(cluster.log(leader), new Init(64, 3));
        s = commit(cluster.log(leader), add("m1", 9001));
        s = commit(cluster.log(leader), new DrainMember("m1"));
        cluster.awaitAllAt(s);
        for (int i = 0; i < 3; i++) {
            cluster.log(i).snapshot();
            assertThat(cluster.log(i).logSize()).as("log truncated by the snapshot").isLessThanOrEqualTo(1);
        }
        for (int i = 0; i < 3; i++) {
            cluster.stop(i);
        }

        cluster.startAll();

        for (int i = 0; i < 3; i++) {
            assertThat(cluster.log(i).current()).as("%s restored before any leader exists", cluster.id(i)).isEqualTo(s);
            assertThat(cluster.log(i).snapshotsRestored()).isEqualTo(1);
        }
        int newLeader = cluster.awaitLeader();
        BaselineState next = commit(cluster.log(cluster.aFollower(newLeader)), add("m2", 9002));
        assertThat(next.epoch()).isEqualTo(s.epoch() + 1);
        assertThat(next.member("m1").orElseThrow().state()).isEqualTo(MemberState.DRAINING);
        cluster.awaitAllAt(next);
    }

    @Test
    void restart_memberBehindLeadersTruncatedLog_installsLeaderSnapshot() throws Exception {
        cluster = new RaftTestCluster(3, dir).startAll();
        int leader = cluster.awaitLeader();
        BaselineState s = commit(cluster.log(leader), new Init(64, 3));
        cluster.awaitAllAt(s);
        int lagging = cluster.aFollower(leader);
        cluster.stop(lagging);
        for (int i = 0; i < 5; i++) {
            s = commit(cluster.log(leader), add("m" + i, 9000 + i));
        }
        for (int i = 0; i < 3; i++) {
            if (i != lagging) {
                cluster.log(i).snapshot();
            }
        }

        RaftOwnershipLog restarted = cluster.start(lagging);
        assertThat(restarted.snapshotsRestored()).as("it took no snapshot of its own").isZero();

        cluster.awaitAllAt(s);
        assertThat(restarted.current().members()).hasSize(5);
        assertThat(restarted.snapshotsRestored()).as("caught up by installing the leader's snapshot").isEqualTo(1);
    }

    @Test
    void addEpochListener_onFollower_seesEachEpochOnceInOrder() throws Exception {
        cluster = new RaftTestCluster(3, dir).startAll();
        int leader = cluster.awaitLeader();
        OwnershipLog follower = cluster.log(cluster.aFollower(leader));
        List<Long> epochs = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> sawLast = new CompletableFuture<>();
        follower.addEpochListener(state -> {
            epochs.add(state.epoch());
            if (state.epoch() == 6) {
                sawLast.complete(null);
            }
        });

        commit(cluster.log(leader), new Init(64, 3));
        for (int i = 1; i <= 5; i++) {
            commit(i % 2 == 0 ? follower : cluster.log(leader), new CreateSpace("space" + i, 8, 100));
        }
        commit(follower, new CreateSpace("space1", 8, 100));

        sawLast.get(WAIT_S, TimeUnit.SECONDS);
        assertThat(epochs).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(follower.listenerFailureCount()).isZero();
    }

    @Test
    void close_twiceThenUse_isIdempotentAndUseThrows() throws Exception {
        cluster = new RaftTestCluster(3, dir).startAll();
        RaftOwnershipLog log = cluster.log(0);

        log.close();
        log.close();

        assertThat(log.isLeader()).isFalse();
        assertThat(log.leaderId()).isEmpty();
        assertThatThrownBy(log::current).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> log.propose(new Init(1, 1))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> log.addEpochListener(s -> { })).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void start_portAlreadyTaken_failsAndReleasesEverything() throws Exception {
        cluster = new RaftTestCluster(3, dir).startAll();

        assertThatThrownBy(() -> RaftOwnershipLog.start(cluster.config(0, dir.resolve("second-n1"))))
                .isInstanceOf(Exception.class);
        assertThat(cluster.log(0).current()).isEqualTo(BaselineState.empty());
    }

    private static Throwable failureWithin(CompletableFuture<?> f, Duration limit) throws InterruptedException {
        try {
            f.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("the proposal neither committed nor failed within " + limit, e);
        }
        throw new AssertionError("the proposal committed on a minority");
    }
}
