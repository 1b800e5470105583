package io.mnemo.node.replication;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.mnemo.node.storage.CorruptionDetectedException;
import io.mnemo.node.storage.InvalidMemoryException;
import io.mnemo.node.storage.QuotaExceededException;
import io.mnemo.node.storage.StoreClosedException;
import io.mnemo.node.storage.UnknownSpaceException;
import io.mnemo.protocol.Errors;
import io.mnemo.protocol.v1.ErrorDetail;
import io.mnemo.protocol.v1.ItemError;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * Maps replication failures to typed wire errors ({@link Errors}) on the server and back on the client, so a
 * remote failure reaches the coordinator as the same exception an in-process one would be.
 */
final class WireErrors {
    private WireErrors() {
    }

    /** The status a server call fails with; {@code endpointOf} names a node's address for wrong-owner replies. */
    static StatusRuntimeException toStatus(Throwable error, IntFunction<String> endpointOf) {
        Throwable t = Failures.unwrap(error);
        if (t instanceof WrongOwnerException) {
            WrongOwnerException w = (WrongOwnerException) t;
            List<String> endpoints = new ArrayList<>();
            for (int n : w.suggestedReplicas()) {
                endpoints.add(endpointOf.apply(n));
            }
            return Errors.wrongOwner(w.currentEpoch(), w.partition(), endpoints, t.getMessage());
        }
        if (t instanceof StaleEpochException) {
            return Errors.staleEpoch(((StaleEpochException) t).currentEpoch(), t.getMessage());
        }
        if (t instanceof ReplicaUnavailableException || t instanceof StoreClosedException) {
            return Errors.unavailable(t.getMessage(), 0);
        }
        if (t instanceof QuorumUnavailableException) {
            QuorumUnavailableException q = (QuorumUnavailableException) t;
            return Errors.quorumUnavailable(q.needed(), q.reached(), q.retryable(), t.getMessage());
        }
        if (t instanceof InvalidMemoryException) {
            return Errors.invalidArgument(((InvalidMemoryException) t).field(), t.getMessage(), "");
        }
        if (t instanceof IllegalArgumentException) {
            return Errors.invalidArgument("request", String.valueOf(t.getMessage()), "");
        }
        if (t instanceof UnknownSpaceException) {
            return Errors.notFound(((UnknownSpaceException) t).space(), "");
        }
        if (t instanceof QuotaExceededException) {
            return Errors.quotaExceeded("node.bytes", "", 0, 0, t.getMessage());
        }
        if (t instanceof CorruptionDetectedException) {
            CorruptionDetectedException c = (CorruptionDetectedException) t;
            return Errors.corruption(String.valueOf(c.file()), c.key(), (int) c.expectedChecksum(), (int) c.actualChecksum(),
                    t.getMessage());
        }
        return Status.INTERNAL.withDescription(t.toString()).withCause(t).asRuntimeException();
    }

    /** One refused item of a batch: the status and detail a call of that item alone would have failed with. */
    static ItemError toItemError(Throwable error, IntFunction<String> endpointOf) {
        StatusRuntimeException s = toStatus(error, endpointOf);
        ItemError.Builder b = ItemError.newBuilder().setCode(s.getStatus().getCode().value())
                .setMessage(String.valueOf(s.getStatus().getDescription()));
        Errors.detailOf(s).ifPresent(b::setDetail);
        return b.build();
    }

    /** The exception a refused item of a batch stands for: what {@link #fromStatus} makes of the same failed call. */
    static RuntimeException fromItemError(ItemError error, int target, Function<String, Integer> nodeOfEndpoint) {
        Metadata trailers = new Metadata();
        if (error.hasDetail() && error.getDetail().getKindCase() != ErrorDetail.KindCase.KIND_NOT_SET) {
            trailers.put(Errors.DETAIL_KEY, error.getDetail());
        }
        Status status = Status.fromCodeValue(error.getCode()).withDescription(error.getMessage());
        return fromStatus(status.asRuntimeException(trailers), target, nodeOfEndpoint);
    }

    /**
     * The exception a failed client call stands for. A call without a typed detail (connection refused, deadline,
     * cancelled, an internal error) reads as {@link ReplicaUnavailableException}: the caller cannot tell whether
     * it applied, so the write is hinted and redelivered (idempotent by last writer wins).
     */
    static RuntimeException fromStatus(Throwable error, int target, Function<String, Integer> nodeOfEndpoint) {
        Optional<ErrorDetail> detail = Errors.detailOf(error);
        String message = Status.fromThrowable(error).getDescription();
        if (detail.isEmpty()) {
            return new ReplicaUnavailableException(target, Status.fromThrowable(error).getCode() + ": " + message, error);
        }
        ErrorDetail d = detail.get();
        switch (d.getKindCase()) {
            case WRONG_OWNER:
                List<Integer> nodes = new ArrayList<>();
                for (String e : d.getWrongOwner().getSuggestedEndpointsList()) {
                    Integer n = nodeOfEndpoint.apply(e);
                    if (n != null) {
                        nodes.add(n);
                    }
                }
                return new WrongOwnerException(d.getWrongOwner().getCurrentEpoch(), d.getWrongOwner().getPartition(), nodes,
                        "replica " + target + ": " + message);
            case STALE_EPOCH:
                return new StaleEpochException(d.getStaleEpoch().getCurrentEpoch(), "replica " + target + ": " + message);
            case UNAVAILABLE:
                return new ReplicaUnavailableException(target, d.getUnavailable().getReason());
            case QUORUM_UNAVAILABLE:
                return new QuorumUnavailableException(d.getQuorumUnavailable().getNeeded(), d.getQuorumUnavailable().getReached(),
                        d.getQuorumUnavailable().getRetryable(), "replica " + target + ": " + message);
            case INVALID_ARGUMENT:
                return new ReplicaRejectedException(target, ReplicaRejectedException.Reason.INVALID_ARGUMENT, message);
            case NOT_FOUND:
                return new ReplicaRejectedException(target, ReplicaRejectedException.Reason.NOT_FOUND, message);
            case QUOTA_EXCEEDED:
                return new ReplicaRejectedException(target, ReplicaRejectedException.Reason.QUOTA_EXCEEDED, message);
            case CORRUPTION:
                return new ReplicaRejectedException(target, ReplicaRejectedException.Reason.CORRUPTION, message);
            default:
                return new ReplicaUnavailableException(target, "unknown error kind " + d.getKindCase() + ": " + message, error);
        }
    }
}
