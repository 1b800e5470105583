package io.mnemo.node.query;

import io.mnemo.node.storage.TierCounts;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

/** One node's counts over the partitions it answered, per space: {hot, warm, tombstones}. */
final class CountsShard implements Shard, Serializable {
    private static final long serialVersionUID = 1L;

    private final String nodeId;
    private final HashMap<String, long[]> spaces;
    private final int[] answered;

    CountsShard(String nodeId, TierCounts counts, String onlySpace, int[] answered) {
        this.nodeId = nodeId;
        this.spaces = new HashMap<>();
        for (Map.Entry<String, TierCounts.SpaceCounts> e : counts.spaces().entrySet()) {
            if (onlySpace.isEmpty() || onlySpace.equals(e.getKey())) {
                TierCounts.SpaceCounts c = e.getValue();
                spaces.put(e.getKey(), new long[] {c.hot(), c.warm(), c.tombstones()});
            }
        }
        this.answered = answered.clone();
    }

    String nodeId() {
        return nodeId;
    }

    /** Adds this shard's counts into {@code into} (space to {hot, warm, tombstones}). */
    void addTo(Map<String, long[]> into) {
        for (Map.Entry<String, long[]> e : spaces.entrySet()) {
            long[] sum = into.computeIfAbsent(e.getKey(), k -> new long[3]);
            for (int i = 0; i < 3; i++) {
                sum[i] += e.getValue()[i];
            }
        }
    }

    @Override
    public int[] answered() {
        return answered.clone();
    }
}
