package io.mnemo.node.cluster.membership;

import java.util.Objects;

/**
 * A change of the live member set, as seen by one node.
 *
 * @param kind            what happened
 * @param member          the member it happened to (the local member for {@link Kind#LOCAL_STOPPED})
 * @param topologyVersion the membership layer's topology version after the change; increases with every
 *                        join, leave and failure the local node observes; -1 for {@link Kind#LOCAL_STOPPED}
 */
public record MembershipEvent(Kind kind, ClusterMember member, long topologyVersion) {
    /** What happened to the member. */
    public enum Kind {
        /** A member joined. */
        JOINED,
        /** A member left cleanly (it closed its membership). */
        LEFT,
        /** A member was declared failed: crashed, killed, frozen or cut off for longer than the failure detection timeout. */
        FAILED,
        /**
         * The local node is no longer a member: it was segmented (cut off and dropped by the others) or its
         * membership layer hit a critical failure and was stopped. No further events follow; the node must be
         * drained or its membership restarted.
         */
        LOCAL_STOPPED
    }

    /** Checks that no component is null. */
    public MembershipEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(member, "member");
    }
}
