package io.mnemo.node.storage;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Exact record counts per tier and per space, taken at one moment. Warm counts cover live records;
 * tombstones are counted apart. A space with no records is absent from {@link #spaces()}.
 *
 * @param spaces          per-space counts, sorted by space name
 * @param hotTotal        live memories cached in the hot tier
 * @param warmTotal       live memories in the warm tier
 * @param tombstonesTotal tombstones in the warm tier (not yet garbage-collected)
 */
public record TierCounts(Map<String, SpaceCounts> spaces, long hotTotal, long warmTotal, long tombstonesTotal) {
    public TierCounts {
        spaces = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(spaces, "spaces")));
    }

    /** Live memories of {@code space} in the hot tier. */
    public long hot(String space) {
        SpaceCounts c = spaces.get(space);
        return c == null ? 0 : c.hot();
    }

    /** Live memories of {@code space} in the warm tier. */
    public long warm(String space) {
        SpaceCounts c = spaces.get(space);
        return c == null ? 0 : c.warm();
    }

    /** Tombstones of {@code space} in the warm tier. */
    public long tombstones(String space) {
        SpaceCounts c = spaces.get(space);
        return c == null ? 0 : c.tombstones();
    }

    /**
     * The counts of one space.
     *
     * @param hot        live memories cached in the hot tier
     * @param warm       live memories in the warm tier
     * @param tombstones tombstones in the warm tier
     */
    public record SpaceCounts(long hot, long warm, long tombstones) {
    }
}
