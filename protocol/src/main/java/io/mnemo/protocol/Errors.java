package io.mnemo.protocol;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import io.mnemo.protocol.v1.Corruption;
import io.mnemo.protocol.v1.ErrorDetail;
import io.mnemo.protocol.v1.InvalidArgument;
import io.mnemo.protocol.v1.NotFound;
import io.mnemo.protocol.v1.QuorumUnavailable;
import io.mnemo.protocol.v1.QuotaExceeded;
import io.mnemo.protocol.v1.StaleEpoch;
import io.mnemo.protocol.v1.Unavailable;
import io.mnemo.protocol.v1.WrongOwner;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Typed errors on the wire: a failed call carries an {@link ErrorDetail} in its trailers, under
 * {@link #DETAIL_KEY} ({@code mnemo.v1.errordetail-bin}), next to a gRPC status whose code follows from the
 * detail's kind. Servers raise errors with {@link #toException}; clients read them with {@link #detailOf}.
 *
 * <p>The status code of each kind, and why. The detail is what a Mnemo client decides on; the code is chosen so
 * that a generic gRPC client (grpcurl, a service-config retry policy, another language) does the right thing too:
 * <table>
 *   <caption>ErrorDetail kind to gRPC status code</caption>
 *   <tr><th>kind</th><th>code</th><th>why</th></tr>
 *   <tr><td>wrong_owner</td><td>FAILED_PRECONDITION</td><td>the caller's topology is out of date: retrying the
 *       same call on the same node cannot help; refresh the topology (the detail has the epoch and the owners)
 *       and send it elsewhere</td></tr>
 *   <tr><td>stale_epoch</td><td>FAILED_PRECONDITION</td><td>same rule: FAILED_PRECONDITION from Mnemo always means
 *       "refresh your topology, then retry"</td></tr>
 *   <tr><td>quorum_unavailable</td><td>UNAVAILABLE</td><td>transient by nature (replicas down or cut off); the
 *       detail's {@code retryable} says whether this particular call can ever succeed as asked</td></tr>
 *   <tr><td>unavailable</td><td>UNAVAILABLE</td><td>the node cannot serve now (starting, draining, behind);
 *       retry, preferably on another replica</td></tr>
 *   <tr><td>invalid_argument</td><td>INVALID_ARGUMENT</td><td>never retry: fix the named field</td></tr>
 *   <tr><td>not_found</td><td>NOT_FOUND</td><td>the memory or space does not exist</td></tr>
 *   <tr><td>corruption</td><td>DATA_LOSS</td><td>a stored record failed its checksum; gRPC reserves DATA_LOSS for
 *       unrecoverable corruption, which this is on the replica that reports it</td></tr>
 *   <tr><td>quota_exceeded</td><td>RESOURCE_EXHAUSTED</td><td>not retryable until data is removed or the quota
 *       raised</td></tr>
 * </table>
 * {@link #codeFor} is that table as code; a new kind added to {@code errors.proto} without a row here is refused
 * by {@code codeFor} and by the tests.
 */
public final class Errors {
    /** The trailer key that carries the detail: the message's full name plus {@code -bin}, binary encoded. */
    public static final Metadata.Key<ErrorDetail> DETAIL_KEY = ProtoUtils.keyForProto(ErrorDetail.getDefaultInstance());

    private Errors() {
    }

    /**
     * The status code a detail travels with (see the class comment for the rule behind each).
     *
     * @throws IllegalArgumentException if the detail has no kind set
     */
    public static Status.Code codeFor(ErrorDetail detail) {
        Objects.requireNonNull(detail, "detail");
        switch (detail.getKindCase()) {
            case WRONG_OWNER:
            case STALE_EPOCH:
                return Status.Code.FAILED_PRECONDITION;
            case QUORUM_UNAVAILABLE:
            case UNAVAILABLE:
                return Status.Code.UNAVAILABLE;
            case INVALID_ARGUMENT:
                return Status.Code.INVALID_ARGUMENT;
            case NOT_FOUND:
                return Status.Code.NOT_FOUND;
            case CORRUPTION:
                return Status.Code.DATA_LOSS;
            case QUOTA_EXCEEDED:
                return Status.Code.RESOURCE_EXHAUSTED;
            case KIND_NOT_SET:
                throw new IllegalArgumentException("ErrorDetail has no kind set: an error must say what went wrong");
            default:
                throw new IllegalArgumentException("ErrorDetail kind " + detail.getKindCase()
                        + " has no status code: add it to Errors.codeFor");
        }
    }

    /**
     * A failure to return from a server call: the status code {@link #codeFor} gives, {@code message} as the
     * status description (for people and logs) and {@code detail} in the trailers (for programs).
     */
    public static StatusRuntimeException toException(ErrorDetail detail, String message) {
        Status status = Status.fromCode(codeFor(detail)).withDescription(message);
        Metadata trailers = new Metadata();
        trailers.put(DETAIL_KEY, detail);
        return status.asRuntimeException(trailers);
    }

    /**
     * The detail a failed call carried, looking through {@code error} and its causes for a gRPC status exception
     * with trailers; empty when there is none (a transport failure, a deadline, a server that sent no detail).
     * A trailer that does not parse as an {@code ErrorDetail} reads as none.
     */
    public static Optional<ErrorDetail> detailOf(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            Metadata trailers = null;
            if (t instanceof StatusRuntimeException) {
                trailers = ((StatusRuntimeException) t).getTrailers();
            } else if (t instanceof StatusException) {
                trailers = ((StatusException) t).getTrailers();
            }
            if (trailers != null && trailers.containsKey(DETAIL_KEY)) {
                return parsed(trailers);
            }
        }
        return Optional.empty();
    }

    private static Optional<ErrorDetail> parsed(Metadata trailers) {
        try {
            return Optional.ofNullable(trailers.get(DETAIL_KEY));
        } catch (IllegalArgumentException malformed) {
            // ProtoUtils' marshaller reports bytes that are not an ErrorDetail this way; such a trailer says nothing.
            return Optional.empty();
        }
    }

    /** The node is not a replica of the key's partition at {@code currentEpoch}; the owners are at {@code endpoints}. */
    public static StatusRuntimeException wrongOwner(long currentEpoch, int partition, List<String> endpoints, String message) {
        return toException(ErrorDetail.newBuilder().setWrongOwner(WrongOwner.newBuilder()
                .setCurrentEpoch(currentEpoch).setPartition(partition).addAllSuggestedEndpoints(endpoints)).build(), message);
    }

    /** The caller's topology epoch is older than {@code currentEpoch}. */
    public static StatusRuntimeException staleEpoch(long currentEpoch, String message) {
        return toException(ErrorDetail.newBuilder()
                .setStaleEpoch(StaleEpoch.newBuilder().setCurrentEpoch(currentEpoch)).build(), message);
    }

    /** Only {@code reached} of {@code needed} replicas answered. */
    public static StatusRuntimeException quorumUnavailable(int needed, int reached, boolean retryable, String message) {
        return toException(ErrorDetail.newBuilder().setQuorumUnavailable(QuorumUnavailable.newBuilder()
                .setNeeded(needed).setReached(reached).setRetryable(retryable)).build(), message);
    }

    /** {@code field} was refused because of {@code reason}; {@code limit} is the broken limit, or "" if none. */
    public static StatusRuntimeException invalidArgument(String field, String reason, String limit) {
        return toException(ErrorDetail.newBuilder().setInvalidArgument(InvalidArgument.newBuilder()
                .setField(field).setReason(reason).setLimit(limit)).build(), field + ": " + reason);
    }

    /** The memory {@code id} of {@code space} does not exist; an empty id means the space does not. */
    public static StatusRuntimeException notFound(String space, String id) {
        String message = id.isEmpty() ? "no space '" + space + "'" : "no memory '" + id + "' in space '" + space + "'";
        return toException(ErrorDetail.newBuilder()
                .setNotFound(NotFound.newBuilder().setSpace(space).setId(id)).build(), message);
    }

    /** A record of {@code file} failed its CRC32C check. */
    public static StatusRuntimeException corruption(String file, String key, int expected, int actual, String message) {
        return toException(ErrorDetail.newBuilder().setCorruption(Corruption.newBuilder()
                .setFile(file).setKey(key).setExpected(expected).setActual(actual)).build(), message);
    }

    /** The quota named {@code quota} of {@code space} ({@code limit}) would be exceeded. */
    public static StatusRuntimeException quotaExceeded(String quota, String space, long limit, long requested,
                                                       String message) {
        return toException(ErrorDetail.newBuilder().setQuotaExceeded(QuotaExceeded.newBuilder()
                .setQuota(quota).setSpace(space).setLimit(limit).setRequested(requested)).build(), message);
    }

    /** The node cannot serve now because of {@code reason}; retry after {@code retryAfterMs} (0: at once). */
    public static StatusRuntimeException unavailable(String reason, long retryAfterMs) {
        return toException(ErrorDetail.newBuilder().setUnavailable(Unavailable.newBuilder()
                .setReason(reason).setRetryAfterMs(retryAfterMs)).build(), "unavailable: " + reason);
    }
}
