package io.mnemo.node.storage;

import java.util.Iterator;

/**
 * A forward-only stream of records from {@link TieredStore#scan}. Not thread-safe: one consumer at a
 * time. {@link #resumeToken()} names the position after the last record returned, so a new scan with
 * that token continues exactly there, in the same or a later process. Close it to release its partition
 * snapshot; closing twice is harmless.
 */
public interface ScanCursor extends Iterator<StoredRecord>, AutoCloseable {

    /**
     * The position after the last record returned by {@link #next()}; pass it to
     * {@link ScanRequest.Builder#resumeToken(String)} to continue. Valid across restarts.
     */
    String resumeToken();

    /** True once every matching record has been returned (not merely the page hint reached). */
    boolean isExhausted();

    @Override
    void close();
}
