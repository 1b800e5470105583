package io.mnemo.node.storage;

import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A hybrid logical clock: timestamps are physical milliseconds in the high 48 bits and a logical counter
 * in the low 16 bits. {@link #now()} never returns the same or a smaller value twice, even if the time
 * source steps backwards; {@link #observe(long)} moves the clock past a timestamp seen from another node,
 * so this node's next write orders after it. When the 16-bit counter overflows within one millisecond it
 * carries into the millisecond field: the clock runs ahead of physical time by a millisecond rather than
 * repeating a value. Thread-safe and lock-free.
 */
public final class HybridClock {
    /** Bits of the logical counter. */
    public static final int LOGICAL_BITS = 16;
    private static final long MAX_PHYSICAL_MS = (1L << (63 - LOGICAL_BITS)) - 1;

    private final Clock time;
    /** The last timestamp issued or observed; only ever increases. */
    private final AtomicLong last = new AtomicLong();

    public HybridClock(Clock time) {
        this.time = Objects.requireNonNull(time, "time");
    }

    /** The physical milliseconds of a timestamp. */
    public static long physicalMillis(long hlc) {
        return hlc >>> LOGICAL_BITS;
    }

    /** The logical counter of a timestamp. */
    public static int logical(long hlc) {
        return (int) (hlc & ((1L << LOGICAL_BITS) - 1));
    }

    /** A new timestamp, strictly greater than every timestamp issued or observed before. */
    public long now() {
        long physical = physicalNow() << LOGICAL_BITS;
        while (true) {
            long prev = last.get();
            long next = physical > prev ? physical : prev + 1;
            if (last.compareAndSet(prev, next)) {
                return next;
            }
        }
    }

    /** Moves the clock to at least {@code hlc}, so the next {@link #now()} is greater than it. */
    public void observe(long hlc) {
        last.accumulateAndGet(hlc, Math::max);
    }

    /** A new timestamp strictly greater than {@code after} and every timestamp issued before. */
    public long nowAfter(long after) {
        observe(after);
        return now();
    }

    private long physicalNow() {
        long ms = time.millis();
        if (ms < 0 || ms > MAX_PHYSICAL_MS) {
            throw new IllegalStateException("clock reads " + ms + " ms, outside [0, " + MAX_PHYSICAL_MS + "]");
        }
        return ms;
    }
}
