package io.mnemo.node.cluster.membership;

/**
 * Receives membership events. Calls come one at a time, in the order the local node observed the
 * changes, on a dedicated thread of the membership (never the discovery thread, never under a lock of
 * the membership). An exception thrown by a listener is logged and counted
 * ({@link Membership#listenerFailureCount()}) and does not stop later events or other listeners.
 */
@FunctionalInterface
public interface MembershipListener {
    /** Called for every event after the listener was added. */
    void onEvent(MembershipEvent event);
}
