package io.mnemo.node.replication;

import io.mnemo.node.storage.StoredRecord;
import java.util.Objects;

/**
 * A write that {@code target} missed, kept by a coordinator to deliver later (hinted handoff). Immutable.
 *
 * @param target    the replica that missed the write
 * @param partition the record's partition
 * @param record    the record, with its version
 */
public record Hint(int target, int partition, StoredRecord record) {
    public Hint {
        Objects.requireNonNull(record, "record");
        if (target < 0 || partition < 0) {
            throw new IllegalArgumentException("target and partition must be >= 0, got " + target + ", " + partition);
        }
    }

    /**
     * An estimate of the bytes the hint holds on the heap: the embedding, the content (as UTF-16) and the key,
     * plus a fixed overhead. Used only to bound hint queues.
     */
    public long estimatedBytes() {
        long bytes = 96 + 2L * (record.key().space().length() + record.key().id().length());
        if (!record.isTombstone()) {
            var m = record.memory().orElseThrow();
            bytes += 4L * m.dimension() + 2L * m.content().map(String::length).orElse(0) + 64;
        }
        // A coordinator's record also carries its storage encoding (sent to the replicas as is).
        return bytes + record.encodedBytes();
    }
}
