package io.mnemo.client.internal;

import io.mnemo.client.AuthenticationException;
import io.mnemo.client.ClientClosedException;
import io.mnemo.client.CorruptionException;
import io.mnemo.client.InvalidArgumentException;
import io.mnemo.client.MnemoException;
import io.mnemo.client.MnemoTimeoutException;
import io.mnemo.client.NotFoundException;
import io.mnemo.client.Operation;
import io.mnemo.client.QuorumUnavailableException;
import io.mnemo.client.QuotaExceededException;
import io.mnemo.client.TlsException;
import io.mnemo.client.UnavailableException;
import io.mnemo.protocol.v1.Corruption;
import io.mnemo.protocol.v1.ErrorDetail;
import io.mnemo.protocol.v1.InvalidArgument;
import io.mnemo.protocol.v1.NotFound;
import io.mnemo.protocol.v1.QuorumUnavailable;
import io.mnemo.protocol.v1.QuotaExceeded;
import java.time.Duration;

/** Turns the last failure of a call into the typed exception the application sees. */
public final class ErrorMapper {

    private ErrorMapper() {
    }

    /**
     * The exception for a call of {@code op} that gave up after {@code attempts} attempts and {@code elapsed}.
     * A failure that already is a {@link MnemoException} (the client's own checks) is returned as it is.
     */
    public static MnemoException toException(Operation op, Failure f, int attempts, Duration elapsed) {
        if (f.cause() instanceof MnemoException) {
            return (MnemoException) f.cause();
        }
        ErrorDetail d = f.detail().orElse(ErrorDetail.getDefaultInstance());
        String what = op.name().toLowerCase(java.util.Locale.ROOT);
        switch (f.kind()) {
            case WRONG_OWNER:
            case STALE_EPOCH:
                return new UnavailableException(what + " kept being redirected: the cluster's topology is changing "
                        + "(now at epoch " + f.currentEpoch() + ", last from " + f.endpoint() + ")", attempts, f.cause());
            case NODE_UNAVAILABLE:
            case TRANSPORT_UNAVAILABLE:
                return new UnavailableException(what + " found no node able to serve it (last: " + f.endpoint() + ": "
                        + f.description() + ")", attempts, f.cause());
            case QUORUM_RETRYABLE:
            case QUORUM_FINAL: {
                QuorumUnavailable q = d.getQuorumUnavailable();
                return new QuorumUnavailableException(q.getNeeded(), q.getReached(), f.kind() == Failure.Kind.QUORUM_RETRYABLE,
                        attempts, f.cause());
            }
            case TIMEOUT:
                return new MnemoTimeoutException(what, attempts, elapsed, f.cause());
            case INVALID_ARGUMENT: {
                InvalidArgument ia = d.getInvalidArgument();
                String field = ia.getField().isEmpty() ? "request" : ia.getField();
                String reason = ia.getReason().isEmpty() ? f.description() : ia.getReason();
                return new InvalidArgumentException(field, reason, ia.getLimit(), f.cause());
            }
            case NOT_FOUND: {
                NotFound nf = d.getNotFound();
                return new NotFoundException(nf.getSpace(), nf.getId(), f.cause());
            }
            case CORRUPTION: {
                Corruption c = d.getCorruption();
                return new CorruptionException(c.getFile(), c.getKey(), c.getExpected(), c.getActual(), f.cause());
            }
            case QUOTA_EXCEEDED: {
                QuotaExceeded q = d.getQuotaExceeded();
                return new QuotaExceededException(q.getQuota(), q.getSpace(), q.getLimit(), q.getRequested(), f.cause());
            }
            case CLIENT_CLOSED:
                return new ClientClosedException(what);
            case UNAUTHENTICATED:
                return authentication(what, f);
            case TLS:
                return tls(what, f, null);
            case CANCELLED:
                return new MnemoException(what + " was cancelled (" + f.description() + ")", f.cause());
            case OTHER:
            default:
                return new MnemoException(what + " failed on " + f.endpoint() + " with gRPC status " + f.code() + ": "
                        + f.description() + "; " + hint(f.code()), f.cause());
        }
    }

    /** The exception for a refused token or certificate. */
    static AuthenticationException authentication(String what, Failure f) {
        return new AuthenticationException(what + " was refused by " + f.endpoint() + " (" + f.code() + "): "
                + f.description() + "; set the builder's bearerToken to the cluster's token (or a client certificate "
                + "the cluster trusts)", f.endpoint(), f.cause());
    }

    /** The exception for a failed TLS handshake; {@code trustFile} names the client's trust file, if known. */
    static TlsException tls(String what, Failure f, java.nio.file.Path trustFile) {
        return new TlsException(what + ": the TLS handshake with " + f.endpoint() + " failed (" + f.description()
                + "); check that the node's certificate is signed by a CA in the client's trustCertificates"
                + (trustFile == null ? "" : " (" + trustFile + ")") + ", names the address the client connects to "
                + "and has not expired, and that the node serves TLS", f.endpoint(), f.cause());
    }

    private static String hint(io.grpc.Status.Code code) {
        switch (code) {
            case UNAUTHENTICATED:
                return "check the client's bearer token";
            case PERMISSION_DENIED:
                return "the token is not allowed this call: ask an operator for the right grant";
            case UNIMPLEMENTED:
                return "the node does not know this call: use a client version that matches the cluster";
            case RESOURCE_EXHAUSTED:
                return "a limit was hit: send less per call or ask for a higher limit";
            default:
                return "this is not a known transient failure, so it was not retried; report it with the node's logs";
        }
    }
}
