package io.mnemo.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.mnemo.protocol.v1.Corruption;
import io.mnemo.protocol.v1.ErrorDetail;
import io.mnemo.protocol.v1.NotFound;
import io.mnemo.protocol.v1.QuorumUnavailable;
import io.mnemo.protocol.v1.QuotaExceeded;
import io.mnemo.protocol.v1.StaleEpoch;
import io.mnemo.protocol.v1.Unavailable;
import io.mnemo.protocol.v1.WrongOwner;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class ErrorsTest {

    /** One example of every kind; the completeness test below fails when errors.proto gains a kind without one. */
    private static Map<ErrorDetail.KindCase, ErrorDetail> oneOfEachKind() {
        Map<ErrorDetail.KindCase, ErrorDetail> m = new EnumMap<>(ErrorDetail.KindCase.class);
        for (StatusRuntimeException e : List.of(
                Errors.wrongOwner(12, 7, List.of("10.0.0.2:7400", "10.0.0.3:7400"), "not an owner"),
                Errors.quorumUnavailable(2, 1, true, "1 of 2"),
                Errors.invalidArgument("memory.content", "1048577 bytes is more than the limit", "1 MiB"),
                Errors.notFound("agents", "m-1"),
                Errors.corruption("p-007.cm3", "agents/m-1", 0xCAFEBABE, 0x12345678, "crc mismatch"),
                Errors.quotaExceeded("space.bytes", "agents", 1_000, 1_200, "quota"),
                Errors.staleEpoch(13, "stale"),
                Errors.unavailable("draining", 250))) {
            ErrorDetail d = Errors.detailOf(e).orElseThrow();
            m.put(d.getKindCase(), d);
        }
        return m;
    }

    @Test
    void codeFor_everyKind_hasAStatusCode() {
        Map<ErrorDetail.KindCase, ErrorDetail> examples = oneOfEachKind();

        for (ErrorDetail.KindCase kind : ErrorDetail.KindCase.values()) {
            if (kind != ErrorDetail.KindCase.KIND_NOT_SET) {
                assertThat(examples).as("an example of " + kind).containsKey(kind);
                assertThat(Errors.codeFor(examples.get(kind))).isNotEqualTo(Status.Code.UNKNOWN);
            }
        }
    }

    @Test
    void codeFor_eachKind_mapsToDocumentedCode() {
        Map<ErrorDetail.KindCase, ErrorDetail> ex = oneOfEachKind();

        assertThat(Errors.codeFor(ex.get(ErrorDetail.KindCase.WRONG_OWNER))).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(Errors.codeFor(ex.get(ErrorDetail.KindCase.STALE_EPOCH))).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(Errors.codeFor(ex.get(ErrorDetail.KindCase.QUORUM_UNAVAILABLE))).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(Errors.codeFor(ex.get(ErrorDetail.KindCase.UNAVAILABLE))).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(Errors.codeFor(ex.get(ErrorDetail.KindCase.INVALID_ARGUMENT))).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.codeFor(ex.get(ErrorDetail.KindCase.NOT_FOUND))).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(Errors.codeFor(ex.get(ErrorDetail.KindCase.CORRUPTION))).isEqualTo(Status.Code.DATA_LOSS);
        assertThat(Errors.codeFor(ex.get(ErrorDetail.KindCase.QUOTA_EXCEEDED))).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    }

    @Test
    void codeFor_noKindSet_isRefused() {
        assertThatThrownBy(() -> Errors.codeFor(ErrorDetail.getDefaultInstance()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no kind");
    }

    @Test
    void toException_wrongOwner_carriesEpochAndEndpointsInTrailers() {
        StatusRuntimeException e = Errors.wrongOwner(12, 7, List.of("a:1", "b:2"), "not an owner of partition 7");

        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(e.getStatus().getDescription()).isEqualTo("not an owner of partition 7");
        WrongOwner w = e.getTrailers().get(Errors.DETAIL_KEY).getWrongOwner();
        assertThat(w.getCurrentEpoch()).isEqualTo(12);
        assertThat(w.getPartition()).isEqualTo(7);
        assertThat(w.getSuggestedEndpointsList()).containsExactly("a:1", "b:2");
    }

    @Test
    void detailOf_eachKind_roundTripsThroughSerializedTrailers() {
        for (ErrorDetail d : oneOfEachKind().values()) {
            StatusRuntimeException sent = Errors.toException(d, "x");
            // What a client sees: the trailers as bytes, parsed again by a fresh Metadata.
            Metadata wire = new Metadata();
            wire.put(Metadata.Key.of(Errors.DETAIL_KEY.name(), Metadata.BINARY_BYTE_MARSHALLER),
                    sent.getTrailers().get(Metadata.Key.of(Errors.DETAIL_KEY.name(), Metadata.BINARY_BYTE_MARSHALLER)));
            StatusRuntimeException received = sent.getStatus().asRuntimeException(wire);

            assertThat(Errors.detailOf(received)).contains(d);
        }
    }

    @Test
    void detailOf_specificFields_survive() {
        Map<ErrorDetail.KindCase, ErrorDetail> ex = oneOfEachKind();

        QuorumUnavailable q = ex.get(ErrorDetail.KindCase.QUORUM_UNAVAILABLE).getQuorumUnavailable();
        assertThat(List.of(q.getNeeded(), q.getReached())).containsExactly(2, 1);
        assertThat(q.getRetryable()).isTrue();
        Corruption c = ex.get(ErrorDetail.KindCase.CORRUPTION).getCorruption();
        assertThat(c.getExpected()).isEqualTo(0xCAFEBABE);
        assertThat(c.getActual()).isEqualTo(0x12345678);
        assertThat(c.getFile()).isEqualTo("p-007.cm3");
        assertThat(c.getKey()).isEqualTo("agents/m-1");
        assertThat(c.hasOffset()).isFalse();
        QuotaExceeded qe = ex.get(ErrorDetail.KindCase.QUOTA_EXCEEDED).getQuotaExceeded();
        assertThat(qe.getLimit()).isEqualTo(1_000);
        StaleEpoch s = ex.get(ErrorDetail.KindCase.STALE_EPOCH).getStaleEpoch();
        assertThat(s.getCurrentEpoch()).isEqualTo(13);
        Unavailable u = ex.get(ErrorDetail.KindCase.UNAVAILABLE).getUnavailable();
        assertThat(u.getRetryAfterMs()).isEqualTo(250);
        assertThat(ex.get(ErrorDetail.KindCase.INVALID_ARGUMENT).getInvalidArgument().getField()).isEqualTo("memory.content");
    }

    @Test
    void notFound_emptyId_meansTheSpace() {
        StatusRuntimeException e = Errors.notFound("ghosts", "");

        assertThat(e.getStatus().getDescription()).isEqualTo("no space 'ghosts'");
        assertThat(Errors.detailOf(e).orElseThrow().getNotFound()).isEqualTo(NotFound.newBuilder().setSpace("ghosts").build());
    }

    @Test
    void detailOf_wrappedInCauses_isFound() {
        StatusRuntimeException e = Errors.staleEpoch(5, "stale");
        CompletionException wrapped = new CompletionException(new RuntimeException(e));

        assertThat(Errors.detailOf(wrapped).map(ErrorDetail::getKindCase)).contains(ErrorDetail.KindCase.STALE_EPOCH);
    }

    @Test
    void detailOf_checkedStatusException_isFound() {
        StatusRuntimeException e = Errors.unavailable("starting", 0);
        StatusException checked = e.getStatus().asException(e.getTrailers());

        assertThat(Errors.detailOf(checked).map(ErrorDetail::getKindCase)).contains(ErrorDetail.KindCase.UNAVAILABLE);
    }

    @Test
    void detailOf_noTrailers_isEmpty() {
        assertThat(Errors.detailOf(Status.DEADLINE_EXCEEDED.asRuntimeException())).isEmpty();
        assertThat(Errors.detailOf(new IllegalStateException("not grpc"))).isEmpty();
        assertThat(Errors.detailOf(null)).isEmpty();
    }

    @Test
    void detailOf_trailerBytesNotAnErrorDetail_isEmpty() {
        Metadata bad = new Metadata();
        bad.put(Metadata.Key.of(Errors.DETAIL_KEY.name(), Metadata.BINARY_BYTE_MARSHALLER), new byte[] {(byte) 0xFF, 0x01});

        assertThat(Errors.detailOf(Status.INTERNAL.asRuntimeException(bad))).isEmpty();
    }

    @Test
    void detailKey_name_isDerivedFromTheMessageName() {
        assertThat(Errors.DETAIL_KEY.name()).isEqualTo("mnemo.v1.errordetail-bin");
    }
}
