package io.mnemo.node.cluster.ownership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo.node.cluster.ownership.BaselineCommand.AddMember;
import io.mnemo.node.cluster.ownership.BaselineCommand.CreateSpace;
import io.mnemo.node.cluster.ownership.BaselineCommand.DrainMember;
import io.mnemo.node.cluster.ownership.BaselineCommand.Init;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every {@link OwnershipLog} does, run against each implementation (the in-memory fake and the
 * Raft log), so that tests written against the fake hold for the real thing.
 */
@Timeout(30)
abstract class OwnershipLogContract {
    private OwnershipLog log;

    /** A fresh, uninitialized log whose proposals can commit. */
    abstract OwnershipLog open() throws Exception;

    /** Releases whatever {@link #open()} started besides the log. */
    void cleanUp() {
    }

    @AfterEach
    void closeLog() {
        if (log != null) {
            log.close();
        }
        cleanUp();
    }

    private OwnershipLog log() throws Exception {
        if (log == null) {
            log = open();
        }
        return log;
    }

    private static BaselineState commit(OwnershipLog l, BaselineCommand c) throws Exception {
        return l.propose(c).get(15, TimeUnit.SECONDS);
    }

    @Test
    void propose_sequence_returnsEachCommittedStateAndCurrentReachesIt() throws Exception {
        OwnershipLog l = log();
        assertThat(l.current()).isEqualTo(BaselineState.empty());

        BaselineState one = commit(l, new Init(16, 3));
        BaselineState two = commit(l, new AddMember("a", "127.0.0.1:7000", 1, null, 5L));
        BaselineState same = commit(l, new AddMember("a", "127.0.0.1:7000", 1, null, 5L));

        assertThat(one.epoch()).isEqualTo(1);
        assertThat(two.epoch()).isEqualTo(2);
        assertThat(same).isEqualTo(two);
        Await.until("current() reaches epoch 2", () -> l.current().equals(two), Duration.ofSeconds(10), () -> l.current().toString());
    }

    @Test
    void propose_conflicting_failsWithNonRetryableRejectionNamingTheReason() throws Exception {
        OwnershipLog l = log();
        commit(l, new Init(16, 3));

        CompletableFuture<BaselineState> f = l.propose(new DrainMember("nobody"));

        assertThatThrownBy(() -> f.get(15, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(BaselineRejectedException.class, e -> {
                    assertThat(e.reason()).isEqualTo(RejectionReason.UNKNOWN_MEMBER);
                    assertThat(e.isRetryable()).isFalse();
                    assertThat(e.lastKnownEpoch()).isEqualTo(1);
                });
    }

    @Test
    void addEpochListener_beforeAndAfterChanges_seesCurrentThenEveryEpochOnceInOrder() throws Exception {
        OwnershipLog l = log();
        commit(l, new Init(16, 3));
        Await.until("current() at epoch 1", () -> l.current().epoch() == 1, Duration.ofSeconds(10));
        List<Long> epochs = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        l.addEpochListener(s -> {
            epochs.add(s.epoch());
            if (s.epoch() == 4) {
                done.complete(null);
            }
        });

        commit(l, new CreateSpace("a", 4, 10));
        commit(l, new CreateSpace("a", 4, 10));
        commit(l, new CreateSpace("b", 4, 10));
        commit(l, new CreateSpace("c", 4, 10));

        done.get(15, TimeUnit.SECONDS);
        assertThat(epochs).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void listener_thatThrows_isCountedAndDoesNotStopOthers() throws Exception {
        OwnershipLog l = log();
        CompletableFuture<Long> other = new CompletableFuture<>();
        l.addEpochListener(s -> {
            throw new IllegalStateException("listener bug");
        });
        l.addEpochListener(s -> other.complete(s.epoch()));

        commit(l, new Init(16, 3));

        assertThat(other.get(15, TimeUnit.SECONDS)).isEqualTo(1L);
        Await.until("the failure is counted", () -> l.listenerFailureCount() == 1, Duration.ofSeconds(10));
    }

    @Test
    void close_twice_isIdempotentAndLaterUseThrows() throws Exception {
        OwnershipLog l = log();

        l.close();
        l.close();

        assertThat(l.isLeader()).isFalse();
        assertThat(l.leaderId()).isEmpty();
        assertThatThrownBy(l::current).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> l.propose(new Init(1, 1))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> l.addEpochListener(s -> { })).isInstanceOf(IllegalStateException.class);
    }
}
