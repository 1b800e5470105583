package io.mnemo.client;

import java.util.Map;
import java.util.Objects;

/**
 * Exact memory counts by tier, in total and per space. A memory cached in the hot tier is counted in hot and in its
 * durable tier.
 *
 * <pre>{@code
 * Counts c = client.counts();
 * System.out.println(c.total().warm() + " memories, " + c.spaces().get("demo").warm() + " in demo");
 * }</pre>
 *
 * @param total the counts over every space asked
 * @param spaces the counts per space name
 */
public record Counts(Tiers total, Map<String, Tiers> spaces) {

    /** Copies {@code spaces} so the record stays immutable. */
    public Counts {
        Objects.requireNonNull(total, "total");
        spaces = Map.copyOf(spaces);
    }

    /**
     * Counts of live memories (and tombstones) by tier.
     *
     * <pre>{@code
     * long durable = tiers.warm() + tiers.cold();
     * }</pre>
     *
     * @param hot cached in the heap
     * @param warm in the node's persistent map files
     * @param cold in compressed segments
     * @param tombstones removed memories not yet garbage-collected
     */
    public record Tiers(long hot, long warm, long cold, long tombstones) {
    }
}
