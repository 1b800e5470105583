package io.mnemo.node.cluster.membership;

import java.util.Objects;

/** What a {@link ClusterJob} sees of the node it runs on: the node's id and its local services. */
public final class NodeContext {
    private final String nodeId;
    private final LocalServices services;

    /** A context for the node {@code nodeId}; public so that jobs can be unit-tested without a cluster. */
    public NodeContext(String nodeId, LocalServices services) {
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.services = Objects.requireNonNull(services, "services");
    }

    /** Mnemo's node id of the node running the job. */
    public String nodeId() {
        return nodeId;
    }

    /** The node's local services. */
    public LocalServices services() {
        return services;
    }

    /**
     * Shorthand for {@code services().get(type)}.
     *
     * @throws IllegalStateException if the node has no such service
     */
    public <T> T service(Class<T> type) {
        return services.get(type);
    }
}
