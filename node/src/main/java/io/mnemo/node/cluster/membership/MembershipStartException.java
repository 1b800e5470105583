package io.mnemo.node.cluster.membership;

/** The membership layer could not start or join; the message names the node, its ports and seeds. */
public final class MembershipStartException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MembershipStartException(MembershipConfig config, Throwable cause) {
        super("node " + config.nodeId() + " could not start membership (" + config + "): " + cause.getMessage()
                + "; check that the ports are free and the seeds reachable", cause);
    }
}
