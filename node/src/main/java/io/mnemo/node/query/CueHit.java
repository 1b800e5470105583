package io.mnemo.node.query;

import io.mnemo.node.storage.Memory;
import io.mnemo.node.storage.Version;
import java.io.Serializable;
import java.util.Comparator;

/**
 * One match of a recall by cue: a memory and its cosine similarity to the cue. Serializable, because it travels
 * back from the node that found it; the memory is held field by field since the storage {@link Memory} is not.
 *
 * <p>Order ({@link #BEST_FIRST}): higher similarity first; equal similarities by space, then id, ascending, so the
 * answer is the same whichever nodes answered and in whatever order.
 */
public final class CueHit implements Serializable {
    /** Best first: similarity descending, then space and id ascending. */
    public static final Comparator<CueHit> BEST_FIRST = (a, b) -> {
        int c = Float.compare(b.similarity, a.similarity);
        if (c != 0) {
            return c;
        }
        c = a.space.compareTo(b.space);
        return c != 0 ? c : a.id.compareTo(b.id);
    };
    private static final long serialVersionUID = 1L;

    private final float similarity;
    private final String space;
    private final String id;
    private final long createdAtNs;
    private final long lastAccessNs;
    private final String content;
    private final float[] embedding;
    private final float confidence;
    private final float activation;
    private final float decayRate;
    private final long accessCount;
    private final long versionHlc;
    private final int versionNode;

    private CueHit(Memory m, float similarity) {
        this.similarity = similarity;
        this.space = m.space();
        this.id = m.id();
        this.createdAtNs = m.createdAtNs();
        this.lastAccessNs = m.lastAccessNs();
        this.content = m.contentOrNull();
        this.embedding = m.embedding();
        this.confidence = m.confidence();
        this.activation = m.activation();
        this.decayRate = m.decayRate();
        this.accessCount = m.accessCount();
        Version v = m.versionOrNull();
        this.versionHlc = v == null ? -1 : v.hlc();
        this.versionNode = v == null ? -1 : v.nodeId();
    }

    static CueHit of(Memory memory, float similarity) {
        return new CueHit(memory, similarity);
    }

    public float similarity() {
        return similarity;
    }

    public String space() {
        return space;
    }

    public String id() {
        return id;
    }

    /** The memory as stored on the replica that answered (its access statistics are that replica's). */
    public Memory memory() {
        return Memory.builder(space, id).createdAtNs(createdAtNs).lastAccessNs(lastAccessNs).content(content)
                .embedding(embedding).confidence(confidence).activation(activation).decayRate(decayRate)
                .accessCount(accessCount).version(versionHlc < 0 ? null : new Version(versionHlc, versionNode))
                .build();
    }

    @Override
    public String toString() {
        return "CueHit[" + space + "/" + id + ", similarity=" + similarity + "]";
    }
}
