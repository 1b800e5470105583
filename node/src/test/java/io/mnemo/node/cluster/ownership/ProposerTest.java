package io.mnemo.node.cluster.ownership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo.node.cluster.ownership.BaselineCommand.CreateSpace;
import io.mnemo.node.cluster.ownership.BaselineCommand.Init;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jgroups.protocols.raft.RaftLeaderException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class ProposerTest {
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
    private final BaselineState state = States.initialized();

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    private Proposer proposer(Proposer.Submitter submitter, Duration proposeTimeout, Duration attemptTimeout) {
        return new Proposer(submitter, timer, Runnable::run, System::nanoTime, proposeTimeout, attemptTimeout, () -> state,
                () -> Optional.of("n2"));
    }

    /** A submitter that applies the command to {@link #state} like a leader would and replies. */
    private CompletableFuture<byte[]> commit(byte[] command) {
        CommandResult r = BaselineTransitions.apply(state, BaselineCodec.decodeCommand(command));
        return CompletableFuture.completedFuture(BaselineCodec.encodeResult(r));
    }

    private static Throwable failureOf(CompletableFuture<?> f) throws InterruptedException {
        try {
            f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("proposal did not complete", e);
        }
        throw new AssertionError("proposal succeeded");
    }

    @Test
    void propose_leaderCommits_completesWithResultingState() throws Exception {
        BaselineState result = proposer(this::commit, Duration.ofSeconds(5), Duration.ofSeconds(1))
                .propose(new CreateSpace("docs", 8, 10)).get(10, TimeUnit.SECONDS);

        assertThat(result.epoch()).isEqualTo(2);
        assertThat(result.space("docs")).isPresent();
    }

    @Test
    void propose_rejected_failsWithTypedNonRetryableRejection() throws Exception {
        Throwable t = failureOf(proposer(this::commit, Duration.ofSeconds(5), Duration.ofSeconds(1)).propose(new Init(8, 1)));

        assertThat(t).isInstanceOf(BaselineRejectedException.class);
        BaselineRejectedException r = (BaselineRejectedException) t;
        assertThat(r.reason()).isEqualTo(RejectionReason.ALREADY_INITIALIZED);
        assertThat(r.isRetryable()).isFalse();
        assertThat(r.lastKnownEpoch()).isEqualTo(1);
        assertThat(r.command()).isEqualTo(new Init(8, 1));
    }

    @Test
    void propose_noLeaderUntilDeadline_failsWithRetryableNoQuorumAfterSeveralAttempts() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        Proposer p = proposer(b -> {
            attempts.incrementAndGet();
            throw new RaftLeaderException("there is currently no leader");
        }, Duration.ofMillis(400), Duration.ofMillis(100));

        Throwable t = failureOf(p.propose(new CreateSpace("docs", 8, 10)));

        assertThat(t).isInstanceOf(NoQuorumException.class).hasMessageContaining("no Raft majority committed CREATE_SPACE");
        NoQuorumException nq = (NoQuorumException) t;
        assertThat(nq.isRetryable()).isTrue();
        assertThat(nq.leaderHint()).contains("n2");
        assertThat(nq.lastKnownEpoch()).isEqualTo(1);
        assertThat(nq.waited()).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        assertThat(nq.getCause()).isInstanceOf(RaftLeaderException.class);
        assertThat(attempts.get()).isGreaterThan(1);
    }

    @Test
    void propose_notLeaderThenLeader_retriesAndSucceeds() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        Proposer p = proposer(b -> {
            if (attempts.incrementAndGet() < 3) {
                return CompletableFuture.failedFuture(new CompletionException(new IllegalStateException("I'm not the leader")));
            }
            return commit(b);
        }, Duration.ofSeconds(5), Duration.ofSeconds(1));

        assertThat(p.propose(new CreateSpace("docs", 8, 10)).get(10, TimeUnit.SECONDS).epoch()).isEqualTo(2);
        assertThat(attempts.get()).isEqualTo(3);
    }

    @Test
    void propose_replyNeverArrives_resubmitsAfterAttemptTimeout() throws Exception {
        List<byte[]> submitted = new ArrayList<>();
        Proposer p = proposer(b -> {
            submitted.add(b);
            return submitted.size() == 1 ? new CompletableFuture<>() : commit(b);
        }, Duration.ofSeconds(5), Duration.ofMillis(100));

        assertThat(p.propose(new CreateSpace("docs", 8, 10)).get(10, TimeUnit.SECONDS).epoch()).isEqualTo(2);
        assertThat(submitted).hasSize(2);
        assertThat(submitted.get(1)).isEqualTo(submitted.get(0));
    }

    @Test
    void propose_unexpectedError_failsAtOnceWithThatError() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        Proposer p = proposer(b -> {
            attempts.incrementAndGet();
            return CompletableFuture.failedFuture(new IOException("disk full"));
        }, Duration.ofSeconds(5), Duration.ofSeconds(1));

        assertThat(failureOf(p.propose(new CreateSpace("docs", 8, 10)))).isInstanceOf(IOException.class).hasMessage("disk full");
        assertThat(attempts.get()).isEqualTo(1);
    }

    @Test
    void close_withPendingProposal_failsItAndRefusesNewOnes() throws Exception {
        Proposer p = proposer(b -> new CompletableFuture<>(), Duration.ofSeconds(30), Duration.ofSeconds(30));
        CompletableFuture<BaselineState> pending = p.propose(new CreateSpace("docs", 8, 10));

        p.close();

        assertThat(failureOf(pending)).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> p.propose(new CreateSpace("x", 8, 10)).join()).hasCauseInstanceOf(IllegalStateException.class);
    }

    @Test
    void isRetryable_eachFailureKind_followsTheRules() {
        assertThat(Proposer.isRetryable(new RaftLeaderException("none"))).isTrue();
        assertThat(Proposer.isRetryable(new CompletionException(new IllegalStateException("not leader")))).isTrue();
        assertThat(Proposer.isRetryable(new TimeoutException())).isTrue();
        assertThat(Proposer.isRetryable(new IOException("x"))).isFalse();
        assertThat(Proposer.isRetryable(new BaselineFormatException("bad", 0, null))).isFalse();
    }
}
