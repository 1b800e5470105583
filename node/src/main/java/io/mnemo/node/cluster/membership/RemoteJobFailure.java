package io.mnemo.node.cluster.membership;

/**
 * Carries a job's exception back from the member it ran on, tagged with that member's node id. Internal:
 * callers see a {@link ClusterJobException} with the job's own exception as the cause.
 */
final class RemoteJobFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String nodeId;

    RemoteJobFailure(String nodeId, Throwable cause) {
        super("job failed on node '" + nodeId + "': " + cause, cause);
        this.nodeId = nodeId;
    }

    String nodeId() {
        return nodeId;
    }
}
