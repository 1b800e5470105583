package io.mnemo.client.internal;

import static io.mnemo.client.internal.RetryRule.Action.GIVE_UP;
import static io.mnemo.client.internal.RetryRule.Action.REFRESH_AND_RETRY;
import static io.mnemo.client.internal.RetryRule.Action.RETRY_ELSEWHERE;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.mnemo.protocol.Errors;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The retry rule, kind by kind, and its cap. */
class RetryRuleTest {

    @Test
    void decide_routingErrors_refreshAndRetryEvenWhenNotIdempotent() {
        assertThat(RetryRule.decide(Failure.Kind.WRONG_OWNER, false, 1, 4)).isEqualTo(REFRESH_AND_RETRY);
        assertThat(RetryRule.decide(Failure.Kind.STALE_EPOCH, false, 1, 4)).isEqualTo(REFRESH_AND_RETRY);
        assertThat(RetryRule.decide(Failure.Kind.NODE_UNAVAILABLE, false, 1, 4)).isEqualTo(RETRY_ELSEWHERE);
    }

    @Test
    void decide_unknownOutcome_retriedOnlyWhenIdempotent() {
        for (Failure.Kind k : List.of(Failure.Kind.TRANSPORT_UNAVAILABLE, Failure.Kind.TIMEOUT,
                Failure.Kind.QUORUM_RETRYABLE)) {
            assertThat(RetryRule.decide(k, true, 1, 4)).as("%s idempotent", k).isEqualTo(RETRY_ELSEWHERE);
            assertThat(RetryRule.decide(k, false, 1, 4)).as("%s not idempotent", k).isEqualTo(GIVE_UP);
        }
    }

    @Test
    void decide_answersThatCannotChange_neverRetried() {
        for (Failure.Kind k : List.of(Failure.Kind.INVALID_ARGUMENT, Failure.Kind.NOT_FOUND, Failure.Kind.QUOTA_EXCEEDED,
                Failure.Kind.QUORUM_FINAL, Failure.Kind.CANCELLED, Failure.Kind.CLIENT_CLOSED, Failure.Kind.OTHER)) {
            assertThat(RetryRule.decide(k, true, 1, 4)).as("%s", k).isEqualTo(GIVE_UP);
        }
    }

    @ParameterizedTest
    @EnumSource(Failure.Kind.class)
    void decide_attemptAtTheCap_givesUpWhateverTheKind(Failure.Kind kind) {
        assertThat(RetryRule.decide(kind, true, 4, 4)).isEqualTo(GIVE_UP);
        assertThat(RetryRule.decide(kind, true, 1, 1)).isEqualTo(GIVE_UP);
    }

    @Test
    void failureOf_statusesAndDetails_classifiedByDetailFirst() {
        assertThat(Failure.of(Errors.wrongOwner(5, 1, List.of("h:1"), "x"), "e").kind()).isEqualTo(Failure.Kind.WRONG_OWNER);
        assertThat(Failure.of(Errors.wrongOwner(5, 1, List.of("h:1"), "x"), "e").currentEpoch()).isEqualTo(5);
        assertThat(Failure.of(Errors.wrongOwner(5, 1, List.of("h:1"), "x"), "e").suggestedEndpoints()).containsExactly("h:1");
        assertThat(Failure.of(Errors.unavailable("draining", 250), "e").kind()).isEqualTo(Failure.Kind.NODE_UNAVAILABLE);
        assertThat(Failure.of(Errors.unavailable("draining", 250), "e").retryAfterMs()).isEqualTo(250);
        assertThat(Failure.of(Status.UNAVAILABLE.asRuntimeException(), "e").kind())
                .isEqualTo(Failure.Kind.TRANSPORT_UNAVAILABLE);
        assertThat(Failure.of(Status.DEADLINE_EXCEEDED.asRuntimeException(), "e").kind()).isEqualTo(Failure.Kind.TIMEOUT);
        assertThat(Failure.of(Status.FAILED_PRECONDITION.asRuntimeException(), "e").kind())
                .isEqualTo(Failure.Kind.STALE_EPOCH);
        assertThat(Failure.of(Status.UNAUTHENTICATED.asRuntimeException(), "e").kind())
                .isEqualTo(Failure.Kind.UNAUTHENTICATED);
        assertThat(Failure.of(Status.UNIMPLEMENTED.asRuntimeException(), "e").kind()).isEqualTo(Failure.Kind.OTHER);
        assertThat(Failure.of(Errors.quorumUnavailable(2, 1, false, "x"), "e").kind()).isEqualTo(Failure.Kind.QUORUM_FINAL);
    }

    @Test
    void itemError_rebuiltAsException_classifiesLikeTheUnaryError() {
        io.mnemo.protocol.v1.ItemError e = io.mnemo.protocol.v1.ItemError.newBuilder()
                .setCode(Status.Code.FAILED_PRECONDITION.value()).setMessage("moved")
                .setDetail(Errors.detailOf(Errors.wrongOwner(9, 3, List.of("h:2"), "moved")).orElseThrow()).build();
        Failure f = Failure.of(BatchWriter.asException(e), "e");
        assertThat(f.kind()).isEqualTo(Failure.Kind.WRONG_OWNER);
        assertThat(f.currentEpoch()).isEqualTo(9);
    }
}
