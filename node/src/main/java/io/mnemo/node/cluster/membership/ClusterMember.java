package io.mnemo.node.cluster.membership;

import java.util.Objects;

/**
 * A live member as membership sees it: Mnemo's own stable node id (from configuration, never Ignite's
 * per-start UUID), the gRPC endpoint peers and clients reach it at, and its failure zone.
 *
 * @param nodeId   stable node id, see {@link MembershipConfig.Builder#nodeId(String)}
 * @param endpoint gRPC endpoint, {@code host:port}
 * @param zone     failure zone (rack, availability zone); empty when the node has none
 */
public record ClusterMember(String nodeId, String endpoint, String zone) {
    /** Checks that no component is null. */
    public ClusterMember {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(zone, "zone");
    }
}
