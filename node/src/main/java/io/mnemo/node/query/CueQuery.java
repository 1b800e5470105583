package io.mnemo.node.query;

import io.mnemo.node.storage.SpaceConfig;
import io.mnemo.protocol.Errors;
import java.io.Serializable;
import java.util.Objects;

/**
 * The parameters of one recall by cue, checked once by the coordinator ({@link #validate}) and then shipped to
 * every node that answers a share of it. Immutable (the cue is copied in and never handed out).
 */
public final class CueQuery implements Serializable {
    /** The largest k: the answer carries k full memories from every node, embeddings included. */
    public static final int MAX_K = 1000;
    private static final long serialVersionUID = 1L;

    private final String space;
    private final float[] cue;
    private final float cueNorm;
    private final int k;
    private final float minConfidence;

    private CueQuery(String space, float[] cue, float cueNorm, int k, float minConfidence) {
        this.space = space;
        this.cue = cue;
        this.cueNorm = cueNorm;
        this.k = k;
        this.minConfidence = minConfidence;
    }

    /**
     * A query after every check that needs the space: the cue has the space's dimension, finite values and a
     * non-zero norm (cosine similarity is undefined for a zero vector), {@code k} is in [1, {@value #MAX_K}] and
     * {@code minConfidence} in [0, 1].
     *
     * @throws io.grpc.StatusRuntimeException INVALID_ARGUMENT naming the field and the limit
     */
    public static CueQuery validate(SpaceConfig space, float[] cue, int k, float minConfidence) {
        Objects.requireNonNull(space, "space");
        Objects.requireNonNull(cue, "cue");
        if (k < 1 || k > MAX_K) {
            throw Errors.invalidArgument("k", "is " + Integer.toUnsignedString(k), "1.." + MAX_K);
        }
        if (!(minConfidence >= 0f && minConfidence <= 1f)) {
            throw Errors.invalidArgument("min_confidence", "is " + minConfidence, "[0, 1]");
        }
        if (cue.length != space.dimension()) {
            throw Errors.invalidArgument("cue", "has " + cue.length + " values but space " + space.name()
                    + " has dimension " + space.dimension(), Integer.toString(space.dimension()));
        }
        double sumSquares = 0;
        for (int i = 0; i < cue.length; i++) {
            if (!Float.isFinite(cue[i])) {
                throw Errors.invalidArgument("cue[" + i + "]", "is " + cue[i], "finite");
            }
            sumSquares += (double) cue[i] * cue[i];
        }
        float norm = (float) Math.sqrt(sumSquares);
        if (!(norm > 0f) || !Float.isFinite(norm)) {
            throw Errors.invalidArgument("cue", "has norm " + norm + ": cosine similarity needs a non-zero cue",
                    "a non-zero vector");
        }
        return new CueQuery(space.name(), cue.clone(), norm, k, minConfidence);
    }

    public String space() {
        return space;
    }

    public int dimension() {
        return cue.length;
    }

    public int k() {
        return k;
    }

    public float minConfidence() {
        return minConfidence;
    }

    /**
     * Cosine similarity of the cue with {@code embedding}, clamped to [-1, 1]; NaN when the embedding's norm is zero
     * (no direction: such a memory is never a hit). The caller checks the dimension.
     */
    float similarity(io.mnemo.node.storage.Memory memory) {
        // Four independent accumulators: the sum's order is fixed, so the result is the same on every node.
        float d0 = 0;
        float d1 = 0;
        float d2 = 0;
        float d3 = 0;
        float n0 = 0;
        float n1 = 0;
        float n2 = 0;
        float n3 = 0;
        int n = cue.length;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            float e0 = memory.embeddingAt(i);
            float e1 = memory.embeddingAt(i + 1);
            float e2 = memory.embeddingAt(i + 2);
            float e3 = memory.embeddingAt(i + 3);
            d0 += cue[i] * e0;
            d1 += cue[i + 1] * e1;
            d2 += cue[i + 2] * e2;
            d3 += cue[i + 3] * e3;
            n0 += e0 * e0;
            n1 += e1 * e1;
            n2 += e2 * e2;
            n3 += e3 * e3;
        }
        for (; i < n; i++) {
            float e = memory.embeddingAt(i);
            d0 += cue[i] * e;
            n0 += e * e;
        }
        float norm = (float) Math.sqrt((double) ((n0 + n1) + (n2 + n3)));
        if (!(norm > 0f)) {
            return Float.NaN;
        }
        float s = ((d0 + d1) + (d2 + d3)) / (cueNorm * norm);
        return Math.max(-1f, Math.min(1f, s));
    }

    @Override
    public String toString() {
        return "CueQuery[space=" + space + ", dimension=" + cue.length + ", k=" + k + ", minConfidence=" + minConfidence
                + "]";
    }
}
