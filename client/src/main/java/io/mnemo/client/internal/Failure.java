package io.mnemo.client.internal;

import io.grpc.Status;
import io.mnemo.client.ClientClosedException;
import io.mnemo.protocol.Errors;
import io.mnemo.protocol.v1.ErrorDetail;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * One failed attempt, classified into the kinds {@link RetryRule} decides on. Immutable.
 *
 * @param kind what went wrong, as far as retrying is concerned
 * @param code the gRPC status code, {@code UNKNOWN} for a failure that carried none
 * @param description the status description, for messages
 * @param detail the typed error detail from the trailers, when the node sent one
 * @param endpoint where the attempt went, or "" when it did not get that far
 * @param cause the original throwable
 */
public record Failure(Kind kind, Status.Code code, String description, Optional<ErrorDetail> detail, String endpoint,
                      Throwable cause) {

    /** Failure kinds, by what they say about the attempt's outcome and the cure. */
    public enum Kind {
        /** The node is not a replica of the key at its (newer) epoch; nothing was applied. */
        WRONG_OWNER,
        /** The caller's epoch is older than one the node acted on; nothing was applied. */
        STALE_EPOCH,
        /** The node refused to serve (starting, draining, overloaded, behind); nothing was applied. */
        NODE_UNAVAILABLE,
        /** The connection failed or broke (no Mnemo detail): the outcome of a write is unknown. */
        TRANSPORT_UNAVAILABLE,
        /** Too few replicas answered, and they may later; a write may be on some replicas. */
        QUORUM_RETRYABLE,
        /** Too few replicas can ever answer as asked. */
        QUORUM_FINAL,
        /** The attempt's deadline passed: the outcome of a write is unknown. */
        TIMEOUT,
        INVALID_ARGUMENT,
        NOT_FOUND,
        /** A replica's copy failed its checksum; another replica may hold a good one. */
        CORRUPTION,
        QUOTA_EXCEEDED,
        /** The call was cancelled by the application (or lost a hedge race). */
        CANCELLED,
        CLIENT_CLOSED,
        /** The node refused the credentials (UNAUTHENTICATED, PERMISSION_DENIED): asking again changes nothing. */
        UNAUTHENTICATED,
        /**
         * The TLS handshake failed (an {@code SSLException} under UNAVAILABLE): usually configuration (trust, names,
         * expiry), but a node dying mid-handshake looks the same, so it is retried like a lost connection.
         */
        TLS,
        /** Any other status: unimplemented, internal errors. */
        OTHER
    }

    /** Classifies what an attempt to {@code endpoint} failed with. */
    public static Failure of(Throwable error, String endpoint) {
        Throwable t = unwrap(error);
        if (t instanceof ClientClosedException) {
            return new Failure(Kind.CLIENT_CLOSED, Status.Code.CANCELLED, t.getMessage(), Optional.empty(), endpoint, t);
        }
        Status status = Status.fromThrowable(t);
        Optional<ErrorDetail> detail = Errors.detailOf(t);
        String description = status.getDescription() == null ? status.getCode().name() : status.getDescription();
        Throwable tls = tlsCause(t);
        if (tls != null && detail.isEmpty()) {
            return new Failure(Kind.TLS, status.getCode(), description + ": " + tls.getMessage(), detail, endpoint, t);
        }
        return new Failure(kindOf(status.getCode(), detail), status.getCode(), description, detail, endpoint, t);
    }

    private static Kind kindOf(Status.Code code, Optional<ErrorDetail> detail) {
        if (detail.isPresent()) {
            ErrorDetail d = detail.get();
            switch (d.getKindCase()) {
                case WRONG_OWNER:
                    return Kind.WRONG_OWNER;
                case STALE_EPOCH:
                    return Kind.STALE_EPOCH;
                case UNAVAILABLE:
                    return Kind.NODE_UNAVAILABLE;
                case QUORUM_UNAVAILABLE:
                    return d.getQuorumUnavailable().getRetryable() ? Kind.QUORUM_RETRYABLE : Kind.QUORUM_FINAL;
                case INVALID_ARGUMENT:
                    return Kind.INVALID_ARGUMENT;
                case NOT_FOUND:
                    return Kind.NOT_FOUND;
                case CORRUPTION:
                    return Kind.CORRUPTION;
                case QUOTA_EXCEEDED:
                    return Kind.QUOTA_EXCEEDED;
                default:
                    break;
            }
        }
        switch (code) {
            case UNAVAILABLE:
                return Kind.TRANSPORT_UNAVAILABLE;
            case DEADLINE_EXCEEDED:
                return Kind.TIMEOUT;
            case CANCELLED:
                return Kind.CANCELLED;
            case FAILED_PRECONDITION:
                // errors.proto: FAILED_PRECONDITION from Mnemo always means "refresh your topology, then retry".
                return Kind.STALE_EPOCH;
            case INVALID_ARGUMENT:
                return Kind.INVALID_ARGUMENT;
            case NOT_FOUND:
                return Kind.NOT_FOUND;
            case DATA_LOSS:
                return Kind.CORRUPTION;
            case UNAUTHENTICATED:
            case PERMISSION_DENIED:
                return Kind.UNAUTHENTICATED;
            default:
                return Kind.OTHER;
        }
    }

    /** The deepest {@code SSLException} in the cause chain (the TLS layer's own reason), or null. */
    private static Throwable tlsCause(Throwable t) {
        Throwable found = null;
        int depth = 0;
        for (Throwable e = t; e != null && depth < 16; e = e.getCause(), depth++) {
            if (e instanceof javax.net.ssl.SSLException) {
                found = e;
            }
        }
        return found;
    }

    private static Throwable unwrap(Throwable t) {
        Throwable e = t;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /** The epoch a routing error says the cluster is at; 0 when it does not say. */
    public long currentEpoch() {
        if (detail.isEmpty()) {
            return 0;
        }
        ErrorDetail d = detail.get();
        return d.hasWrongOwner() ? d.getWrongOwner().getCurrentEpoch()
                : d.hasStaleEpoch() ? d.getStaleEpoch().getCurrentEpoch() : 0;
    }

    /** The endpoints a wrong-owner reply suggests, preferred first. */
    public List<String> suggestedEndpoints() {
        return detail.filter(ErrorDetail::hasWrongOwner).map(d -> d.getWrongOwner().getSuggestedEndpointsList())
                .map(List::copyOf).orElse(List.of());
    }

    /** How long the node asked the caller to wait, in ms; 0 when it did not. */
    public long retryAfterMs() {
        return detail.filter(ErrorDetail::hasUnavailable).map(d -> d.getUnavailable().getRetryAfterMs()).orElse(0L);
    }

    @Override
    public String toString() {
        return kind + " from " + (endpoint.isEmpty() ? "(no endpoint)" : endpoint) + ": " + code + " " + description;
    }
}
