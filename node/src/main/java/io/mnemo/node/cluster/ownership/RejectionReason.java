package io.mnemo.node.cluster.ownership;

/**
 * Why the state machine refused a command. Rejections are deterministic (every replica rejects the same
 * command the same way) and final: retrying the same command against the same baseline is rejected again.
 * The wire codes are part of the persisted format: never renumber.
 */
public enum RejectionReason {
    /** Any command but {@code Init} before {@code Init}. */
    NOT_INITIALIZED(1),
    /** {@code Init} with a P or RF different from the ones the cluster was created with. */
    ALREADY_INITIALIZED(2),
    /** {@code AddMember} of an existing id with a different endpoint, weight or zone (use the specific command). */
    MEMBER_CONFLICT(3),
    /** {@code AddMember} whose endpoint another member already holds. */
    ENDPOINT_IN_USE(4),
    /** {@code AddMember} with a zone when the members have none, or without one when they have zones. */
    ZONE_MISMATCH(5),
    /** {@code DrainMember} or {@code SetWeight} of an id that is not a member. */
    UNKNOWN_MEMBER(6),
    /** {@code AddMember} past the {@code P * members <= 2^22} limit. */
    TOO_MANY_MEMBERS(7),
    /** {@code CreateSpace} of an existing name with a different dimension or quota. */
    SPACE_CONFLICT(8),
    /** {@code CreateSpace} past the space limit. */
    TOO_MANY_SPACES(9),
    /** A log entry that does not decode as a command (a newer writer, or corruption). */
    MALFORMED_COMMAND(10);

    private final int code;

    RejectionReason(int code) {
        this.code = code;
    }

    int code() {
        return code;
    }

    static RejectionReason fromCode(int code) {
        for (RejectionReason r : values()) {
            if (r.code == code) {
                return r;
            }
        }
        throw new IllegalArgumentException("rejection reason code must be in [1, 10], got " + code);
    }
}
