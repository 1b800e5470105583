package io.mnemo.node.cluster.membership;

/**
 * A cluster job did not produce a result on one member; {@link #nodeId()} names the member and
 * {@link #kind()} says why. For {@link Kind#JOB_FAILED} the cause is the exception the job threw there.
 */
public final class ClusterJobException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why there is no result. */
    public enum Kind {
        /** The job ran and threw; the cause is its exception. Retrying runs it again. */
        JOB_FAILED,
        /** No live member has this node id (it never joined, or already left). */
        UNKNOWN_NODE,
        /** The member left or failed before answering; the job may or may not have run. */
        NODE_LEFT,
        /** No answer before the deadline; the job was cancelled but may have run. */
        TIMED_OUT,
        /** The job could not be sent or its result not returned (serialization, transport). */
        TRANSPORT,
        /** The calling thread was interrupted while waiting. */
        INTERRUPTED
    }

    private final String nodeId;
    private final Kind kind;

    ClusterJobException(String nodeId, Kind kind, String message, Throwable cause) {
        super("cluster job on node '" + nodeId + "' " + kind + ": " + message, cause);
        this.nodeId = nodeId;
        this.kind = kind;
    }

    /** Mnemo's node id of the member the job was for. */
    public String nodeId() {
        return nodeId;
    }

    public Kind kind() {
        return kind;
    }
}
