package io.mnemo.node.storage;

/** What a scan does when a record fails its integrity check. */
public enum ScanCorruptionPolicy {
    /** Count the record in {@link StoreStats#scanCorruptionsSkipped()} and carry on with the next one. */
    SKIP,
    /** Throw the {@link CorruptionDetectedException} from the cursor. */
    FAIL
}
