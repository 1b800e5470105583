package io.mnemo.node.cluster.membership;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The {@link NodeContext} of every Ignite node running in this JVM, by Ignite instance name.
 *
 * <p>A job arrives at a node as bytes; Ignite injects the local {@code Ignite} into it, and its instance
 * name finds the context here. The context is registered before the Ignite node starts and removed after
 * it stopped, so a job that reaches the node always finds it (Ignite's node-local map only exists after
 * start, leaving a window where a job would find nothing). Instance names are unique per JVM.
 */
final class NodeContexts {
    private static final ConcurrentMap<String, NodeContext> BY_INSTANCE = new ConcurrentHashMap<>();

    private NodeContexts() {
    }

    static void register(String instanceName, NodeContext context) {
        NodeContext previous = BY_INSTANCE.putIfAbsent(instanceName, context);
        if (previous != null) {
            throw new IllegalStateException("an Ignite node named " + instanceName + " already runs in this JVM (node "
                    + previous.nodeId() + ")");
        }
    }

    static void unregister(String instanceName, NodeContext context) {
        BY_INSTANCE.remove(instanceName, context);
    }

    static NodeContext get(String instanceName) {
        return BY_INSTANCE.get(instanceName);
    }
}
