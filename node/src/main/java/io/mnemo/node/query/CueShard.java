package io.mnemo.node.query;

import java.io.Serializable;
import java.util.List;

/**
 * One node's answer to its share of a recall by cue: its best hits (at most k, best first) over the partitions it
 * answered, and how many live memories it compared.
 */
final class CueShard implements Shard, Serializable {
    private static final long serialVersionUID = 1L;

    private final String nodeId;
    private final List<CueHit> hits;
    private final int[] answered;
    private final long compared;

    CueShard(String nodeId, List<CueHit> hits, int[] answered, long compared) {
        this.nodeId = nodeId;
        this.hits = List.copyOf(hits);
        this.answered = answered.clone();
        this.compared = compared;
    }

    String nodeId() {
        return nodeId;
    }

    List<CueHit> hits() {
        return hits;
    }

    @Override
    public int[] answered() {
        return answered.clone();
    }

    long compared() {
        return compared;
    }
}
