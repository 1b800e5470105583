package io.mnemo.node.storage;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Warm-tier counters of one space (in one partition, or summed over the node). Each write adjusts them
 * after it changed the map, under the key's stripe, so they are exact whenever no write is in flight.
 */
final class SpaceTally {
    final AtomicLong live = new AtomicLong();
    final AtomicLong tombstones = new AtomicLong();
    final AtomicLong bytes = new AtomicLong();
    final AtomicLong largeValues = new AtomicLong();

    void add(long dLive, long dTombstones, long dBytes, long dLarge) {
        if (dLive != 0) {
            live.addAndGet(dLive);
        }
        if (dTombstones != 0) {
            tombstones.addAndGet(dTombstones);
        }
        if (dBytes != 0) {
            bytes.addAndGet(dBytes);
        }
        if (dLarge != 0) {
            largeValues.addAndGet(dLarge);
        }
    }
}
