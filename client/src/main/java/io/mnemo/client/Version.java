package io.mnemo.client;

/**
 * The version a write was stored with: a hybrid-logical-clock timestamp and the id of the node that stamped it.
 * Versions of one key are totally ordered by {@code (hlc, nodeId)}; the newest wins (last writer wins).
 *
 * <pre>{@code
 * Version v = client.store(memory).version();
 * boolean newer = v.compareTo(previous) > 0;
 * }</pre>
 *
 * @param hlc physical milliseconds in the high 48 bits, a logical counter in the low 16 bits
 * @param nodeId the node that stamped the write; breaks ties between equal {@code hlc} values
 */
public record Version(long hlc, int nodeId) implements Comparable<Version> {

    /** Physical milliseconds since the epoch encoded in {@link #hlc()}. */
    public long physicalMillis() {
        return hlc >>> 16;
    }

    @Override
    public int compareTo(Version other) {
        int byClock = Long.compareUnsigned(hlc, other.hlc);
        return byClock != 0 ? byClock : Integer.compareUnsigned(nodeId, other.nodeId);
    }
}
