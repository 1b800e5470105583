package io.mnemo.node.cluster.ownership;

/**
 * A node that membership reports alive, with what the baseline needs to add it.
 *
 * @param id       stable node id
 * @param endpoint gRPC endpoint {@code host:port}
 * @param weight   placement weight the node is configured with, in [1, 1000000]
 * @param zone     failure zone, or null for none
 */
public record LiveNode(String id, String endpoint, int weight, String zone) {
    /** Validates every field like {@link BaselineCommand.AddMember} does. */
    public LiveNode {
        Validation.name("live node id", id);
        Validation.endpoint("live node endpoint", endpoint);
        Validation.weight("live node weight", weight);
        if (zone != null) {
            Validation.name("live node zone", zone);
        }
    }
}
