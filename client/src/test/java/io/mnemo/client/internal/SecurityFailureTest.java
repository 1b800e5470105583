package io.mnemo.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.mnemo.client.AuthenticationException;
import io.mnemo.client.Operation;
import io.mnemo.client.TlsException;
import java.time.Duration;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** A refused token or a failed TLS handshake on any call becomes a typed exception; only the handshake is retried. */
class SecurityFailureTest {

    @Test
    void unauthenticated_isNotRetried_andMapsToAuthenticationException() {
        Failure f = Failure.of(Status.UNAUTHENTICATED.withDescription("mnemo.v1.MnemoService/Recall refused: no "
                + "credentials").asRuntimeException(), "10.0.0.1:7400");
        assertThat(f.kind()).isEqualTo(Failure.Kind.UNAUTHENTICATED);
        assertThat(RetryRule.decide(f.kind(), true, 1, 4)).isEqualTo(RetryRule.Action.GIVE_UP);
        assertThat(ErrorMapper.toException(Operation.RECALL, f, 1, Duration.ofMillis(3)))
                .isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("10.0.0.1:7400").hasMessageContaining("no credentials")
                .hasMessageContaining("bearerToken");
        assertThat(Failure.of(Status.PERMISSION_DENIED.asRuntimeException(), "h:1").kind())
                .isEqualTo(Failure.Kind.UNAUTHENTICATED);
    }

    @Test
    void handshakeFailure_isRetriedLikeALostConnection_andMapsToTlsException() {
        Failure f = Failure.of(Status.UNAVAILABLE.withDescription("io exception")
                .withCause(new SSLHandshakeException("PKIX path building failed")).asRuntimeException(), "h:1");
        assertThat(f.kind()).isEqualTo(Failure.Kind.TLS);
        assertThat(RetryRule.decide(f.kind(), true, 1, 4)).isEqualTo(RetryRule.Action.RETRY_ELSEWHERE);
        assertThat(RetryRule.decide(f.kind(), false, 1, 4)).isEqualTo(RetryRule.Action.GIVE_UP);
        assertThat(ErrorMapper.toException(Operation.STORE, f, 4, Duration.ofMillis(30)))
                .isInstanceOf(TlsException.class)
                .hasMessageContaining("PKIX path building failed").hasMessageContaining("trustCertificates");
    }
}
