package io.mnemo.node.cluster.ownership;

/**
 * The cluster-wide settings of one space.
 *
 * @param name       space name, {@code [a-z0-9][a-z0-9_-]{0,63}}
 * @param dimension  embedding dimension in [1, 65536], fixed for the life of the space
 * @param quotaBytes most bytes the space may hold, at least 1
 */
public record SpaceSettings(String name, int dimension, long quotaBytes) {
    /** Validates every field; see the parameter descriptions. */
    public SpaceSettings {
        Validation.spaceName(name);
        Validation.dimension(dimension);
        Validation.quotaBytes(quotaBytes);
    }
}
