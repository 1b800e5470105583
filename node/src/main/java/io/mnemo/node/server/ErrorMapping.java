package io.mnemo.node.server;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.mnemo.node.replication.QuorumUnavailableException;
import io.mnemo.node.replication.ReplicaRejectedException;
import io.mnemo.node.replication.StaleEpochException;
import io.mnemo.node.replication.WrongOwnerException;
import io.mnemo.node.storage.CorruptionDetectedException;
import io.mnemo.node.storage.InvalidMemoryException;
import io.mnemo.node.storage.QuotaExceededException;
import io.mnemo.node.storage.SpaceConfig;
import io.mnemo.node.storage.StoreClosedException;
import io.mnemo.node.storage.UnknownSpaceException;
import io.mnemo.protocol.Errors;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.IntFunction;

/**
 * Turns what storage and replication throw into the typed errors clients see ({@link Errors}). One rule per
 * failure kind, in {@link #toStatus}; anything not listed is an INTERNAL error whose description names the
 * exception, so it is visible rather than disguised as a client mistake.
 */
final class ErrorMapping {
    private ErrorMapping() {
    }

    /**
     * The status to fail a call with.
     *
     * @param error       what the call threw (completion wrappers are looked through)
     * @param fieldPrefix path of the request's memory ("memory", "memories[3]"), prefixed to invalid fields
     * @param space       the space of the call, when known, to name the limit an invalid field broke
     * @param endpointOf  a node id's gRPC endpoint, for wrong-owner replies
     */
    static StatusRuntimeException toStatus(Throwable error, String fieldPrefix, Optional<SpaceConfig> space,
                                           IntFunction<String> endpointOf) {
        Throwable e = unwrap(error);
        if (e instanceof StatusRuntimeException) {
            return (StatusRuntimeException) e;
        }
        if (e instanceof InvalidMemoryException) {
            // The client sent a value the space's rules refuse: name the field and the limit, never retry.
            InvalidMemoryException ime = (InvalidMemoryException) e;
            String field = fieldPrefix.isEmpty() ? ime.field() : fieldPrefix + "." + ime.field();
            return Errors.invalidArgument(field, ime.getMessage(), limitOf(ime.field(), space));
        }
        if (e instanceof UnknownSpaceException) {
            // The space does not exist: NOT_FOUND with an empty id (errors.proto's convention for a space).
            return Errors.notFound(((UnknownSpaceException) e).space(), "");
        }
        if (e instanceof QuotaExceededException) {
            return Errors.quotaExceeded("space.bytes", space.map(SpaceConfig::name).orElse(""),
                    space.flatMap(s -> s.quotaBytes().isPresent() ? Optional.of(s.quotaBytes().getAsLong())
                            : Optional.empty()).orElse(0L), 0, e.getMessage());
        }
        if (e instanceof CorruptionDetectedException) {
            CorruptionDetectedException c = (CorruptionDetectedException) e;
            return Errors.corruption(c.file().toString(), c.key(), (int) c.expectedChecksum(), (int) c.actualChecksum(),
                    c.getMessage());
        }
        if (e instanceof QuorumUnavailableException) {
            QuorumUnavailableException q = (QuorumUnavailableException) e;
            return Errors.quorumUnavailable(q.needed(), q.reached(), q.retryable(), q.getMessage());
        }
        if (e instanceof WrongOwnerException) {
            // The caller's topology is old: give the epoch and the owners' endpoints so it can go straight there.
            WrongOwnerException w = (WrongOwnerException) e;
            List<String> endpoints = new ArrayList<>();
            for (int node : w.suggestedReplicas()) {
                String ep = endpointOf.apply(node);
                if (ep != null) {
                    endpoints.add(ep);
                }
            }
            return Errors.wrongOwner(w.currentEpoch(), w.partition(), endpoints, w.getMessage());
        }
        if (e instanceof StaleEpochException) {
            return Errors.staleEpoch(((StaleEpochException) e).currentEpoch(), e.getMessage());
        }
        if (e instanceof ReplicaRejectedException) {
            return fromRejection((ReplicaRejectedException) e, fieldPrefix, space);
        }
        if (e instanceof java.util.concurrent.RejectedExecutionException) {
            // The partition's worker pool queue is full: back-pressure, retry after a moment.
            return Errors.unavailable("node overloaded: " + e.getMessage(), 50);
        }
        if (e instanceof StoreClosedException) {
            // The node is shutting down: another replica can serve the call.
            return Errors.unavailable("node is closing: " + e.getMessage(), 0);
        }
        return Status.INTERNAL.withDescription(e.getClass().getSimpleName() + ": " + e.getMessage()).withCause(e)
                .asRuntimeException();
    }

    private static StatusRuntimeException fromRejection(ReplicaRejectedException r, String fieldPrefix,
                                                        Optional<SpaceConfig> space) {
        switch (r.reason()) {
            case INVALID_ARGUMENT:
                return Errors.invalidArgument(fieldPrefix, "refused by replica " + r.node() + ": " + r.getMessage(), "");
            case NOT_FOUND:
                return Errors.notFound(space.map(SpaceConfig::name).orElse(""), "");
            case QUOTA_EXCEEDED:
                return Errors.quotaExceeded("space.bytes", space.map(SpaceConfig::name).orElse(""), 0, 0, r.getMessage());
            default:
                return Status.INTERNAL.withDescription("replica " + r.node() + " failed: " + r.getMessage())
                        .asRuntimeException();
        }
    }

    /** The limit a field of a memory is held to, as text; empty when the field has none. */
    static String limitOf(String field, Optional<SpaceConfig> space) {
        if (field.equals("content")) {
            return space.map(s -> s.maxContentBytes() + " bytes").orElse("");
        }
        if (field.equals("embedding")) {
            return space.map(s -> Integer.toString(s.dimension())).orElse("");
        }
        if (field.startsWith("embedding[")) {
            return "finite";
        }
        if (field.equals("confidence")) {
            return "[0, 1]";
        }
        if (field.equals("id")) {
            return "1..256 bytes";
        }
        if (field.equals("space")) {
            return SpaceConfig.NAME.pattern();
        }
        return "";
    }

    private static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
