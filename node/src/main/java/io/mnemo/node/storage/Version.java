package io.mnemo.node.storage;

/**
 * The version of one write to one key: a hybrid-logical-clock timestamp and the id of the node that
 * stamped it. Versions are totally ordered (timestamp first, node id as the tie-break), and the newest
 * version of a key wins (last writer wins). {@link #ZERO} is older than every real version.
 *
 * @param hlc     hybrid logical clock timestamp: physical milliseconds in the high 48 bits, a logical
 *                counter in the low 16 bits
 * @param nodeId  the writer's node id, non-negative
 */
public record Version(long hlc, int nodeId) implements Comparable<Version> {
    /** Older than every version a clock can stamp. */
    public static final Version ZERO = new Version(0L, 0);

    public Version {
        if (hlc < 0) {
            throw new IllegalArgumentException("hlc must be >= 0, got " + hlc);
        }
        if (nodeId < 0) {
            throw new IllegalArgumentException("nodeId must be >= 0, got " + nodeId);
        }
    }

    @Override
    public int compareTo(Version other) {
        int c = Long.compare(hlc, other.hlc);
        return c != 0 ? c : Integer.compare(nodeId, other.nodeId);
    }

    /** True if this version is strictly newer than {@code other}. */
    public boolean isNewerThan(Version other) {
        return compareTo(other) > 0;
    }
}
