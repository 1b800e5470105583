package io.mnemo.node.query;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The best {@code k} hits seen so far ({@link CueHit#BEST_FIRST}), in a heap of at most {@code k} entries whose
 * root is the worst kept: a candidate costs O(log k) and memory stays O(k) however many are offered. Not
 * thread-safe: one per search.
 */
final class TopK {
    private final int k;
    private final PriorityQueue<CueHit> heap;

    TopK(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        this.k = k;
        this.heap = new PriorityQueue<>(Math.min(k, 1024) + 1, CueHit.BEST_FIRST.reversed());
    }

    /**
     * Whether a candidate with this similarity, space and id would be kept; lets the caller skip building a hit
     * that would be dropped at once.
     */
    boolean admits(float similarity, String space, String id) {
        if (heap.size() < k) {
            return true;
        }
        CueHit worst = heap.peek();
        int c = Float.compare(similarity, worst.similarity());
        if (c != 0) {
            return c > 0;
        }
        c = space.compareTo(worst.space());
        return c != 0 ? c < 0 : id.compareTo(worst.id()) < 0;
    }

    /** Keeps {@code hit} if it is among the best {@code k} so far. */
    void offer(CueHit hit) {
        if (!admits(hit.similarity(), hit.space(), hit.id())) {
            return;
        }
        heap.add(hit);
        if (heap.size() > k) {
            heap.poll();
        }
    }

    int size() {
        return heap.size();
    }

    /** The hits kept, best first. */
    List<CueHit> bestFirst() {
        List<CueHit> out = new ArrayList<>(heap);
        out.sort(CueHit.BEST_FIRST);
        return out;
    }
}
