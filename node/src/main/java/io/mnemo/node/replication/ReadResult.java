package io.mnemo.node.replication;

import io.mnemo.node.storage.Memory;
import io.mnemo.node.storage.StoredRecord;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of a read: the newest record among the replicas that answered (a tombstone for a removed key;
 * empty if none of them has seen the key), and how many answered.
 */
public record ReadResult(Optional<StoredRecord> record, int replicasAnswered) {
    public ReadResult {
        Objects.requireNonNull(record, "record");
    }

    /** The live memory, empty if the key is absent or removed. */
    public Optional<Memory> memory() {
        return record.flatMap(StoredRecord::memory);
    }
}
