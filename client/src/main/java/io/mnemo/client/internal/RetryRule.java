package io.mnemo.client.internal;

/**
 * The one place that decides whether a failed attempt is retried, and how. Every call of the client (unary calls,
 * each item of a batch, each stream of a scan) goes through {@link #decide}.
 *
 * <p>Which calls are idempotent. Nothing the client sends carries a client-made stamp: the coordinator stamps every
 * write with a fresh HLC version and replicas keep the newest (last writer wins). So a store or remove repeated
 * after an unknown outcome leaves the key holding the same value (or the same tombstone) as the first attempt
 * would have; only its version is newer. The price, accepted here: if another writer wrote the key between the
 * lost first attempt and the retry, the retry's newer version wins over that write. Store, remove, batches and
 * every read are therefore treated as idempotent. A recall by id also bumps access statistics; a retry may count an
 * access twice, which is statistics, not data. {@code createSpace} and {@code dropSpace} are not idempotent: a
 * retry after an unknown outcome could report "exists" or "not found" for the caller's own success.
 */
public final class RetryRule {

    /** What to do after a failed attempt. */
    public enum Action {
        /** Fail the call with the mapped error. */
        GIVE_UP,
        /** Retry after a backoff, on the next replica in the route. */
        RETRY_ELSEWHERE,
        /** Refresh the topology (from the reply's hint when it has one), then retry on the new route. */
        REFRESH_AND_RETRY
    }

    private RetryRule() {
    }

    /**
     * The decision for a call that just failed its {@code attempt}-th attempt (1-based).
     *
     * @param kind the failure's kind
     * @param idempotent whether sending the call twice is harmless (see the class comment)
     * @param attempt attempts made so far, the failed one included
     * @param maxAttempts the cap on attempts, from the retry policy
     */
    public static Action decide(Failure.Kind kind, boolean idempotent, int attempt, int maxAttempts) {
        // The cap: no failure kind earns more than maxAttempts attempts in total.
        if (attempt >= maxAttempts) {
            return Action.GIVE_UP;
        }
        switch (kind) {
            // Routing errors: the node refused before doing anything and the reply says the cluster moved on, so
            // even a non-idempotent call is safe to resend once the client follows the move.
            case WRONG_OWNER:
            case STALE_EPOCH:
                return Action.REFRESH_AND_RETRY;
            // The node said it cannot serve now (starting, draining, behind): nothing was applied, another
            // replica may serve it.
            case NODE_UNAVAILABLE:
                return Action.RETRY_ELSEWHERE;
            // Connection lost or refused, deadline passed, or a quorum not reached for now: the call may or may not
            // have taken effect, so only an idempotent call may be resent, preferably to another replica.
            case TRANSPORT_UNAVAILABLE:
            case TLS:
            case TIMEOUT:
            case QUORUM_RETRYABLE:
                return idempotent ? Action.RETRY_ELSEWHERE : Action.GIVE_UP;
            // One replica's copy is corrupt; another coordinator may read a good copy. Writes never see this.
            case CORRUPTION:
                return idempotent ? Action.RETRY_ELSEWHERE : Action.GIVE_UP;
            // The answer will not change by asking again: the caller must change the request (field, quota,
            // consistency) or the data.
            case INVALID_ARGUMENT:
            case NOT_FOUND:
            case QUOTA_EXCEEDED:
            case QUORUM_FINAL:
                return Action.GIVE_UP;
            // The application (or a won hedge, or close()) ended the call: stop.
            case CANCELLED:
            case CLIENT_CLOSED:
                return Action.GIVE_UP;
            // Refused credentials: the same token gets the same answer.
            case UNAUTHENTICATED:
                return Action.GIVE_UP;
            // Unimplemented, internal errors: not transient as far as we know; do not hammer.
            case OTHER:
                return Action.GIVE_UP;
            default:
                return Action.GIVE_UP;
        }
    }
}
