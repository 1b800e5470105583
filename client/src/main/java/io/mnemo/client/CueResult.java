package io.mnemo.client;

import java.util.List;

/**
 * The answer to a {@link MnemoClient#recallByCue recall by cue}: the most similar memories, best first, and whether
 * every partition of the space answered in time.
 *
 * <pre>{@code
 * CueResult r = client.recallByCue(cue, 10, 0.5f);
 * if (!r.complete()) {
 *     log.info("partial answer: {}/{} partitions", r.partitionsAnswered(), r.partitionsAsked());
 * }
 * r.hits().forEach(h -> System.out.println(h.similarity() + " " + h.memory().id()));
 * }</pre>
 *
 * @param hits the best matches, best first
 * @param complete false when some partitions did not answer in time (the hits are then the best of those that did)
 * @param partitionsAnswered how many partitions answered
 * @param partitionsAsked how many partitions were asked
 */
public record CueResult(List<Hit> hits, boolean complete, int partitionsAnswered, int partitionsAsked) {

    /** Copies the hits so the record stays immutable. */
    public CueResult {
        hits = List.copyOf(hits);
    }

    /**
     * One match.
     *
     * <pre>{@code
     * if (hit.similarity() > 0.9f) { ... }
     * }</pre>
     *
     * @param memory the memory
     * @param similarity cosine similarity to the cue, in [-1, 1]
     */
    public record Hit(Memory memory, float similarity) {
    }
}
