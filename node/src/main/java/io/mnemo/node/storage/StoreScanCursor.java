package io.mnemo.node.storage;

import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * A scan over the store in (partition, key bytes) order. It holds the sorted keys of one partition at a
 * time, fetches each record when it gets to it (under the key's stripe, so a concurrent write is seen
 * whole or not at all), and prefetches one record to answer {@link #hasNext()}. A key that exists for the
 * whole scan is returned exactly once; a key written during the scan is returned if it is in the
 * partition's key snapshot or in a partition not yet reached.
 *
 * <p>Resume token: {@code v1.<partition>.<base64url of the last returned key>}; an empty key part means
 * "from the start of the partition". Not thread-safe (one consumer).
 */
final class StoreScanCursor implements ScanCursor {
    private static final String PREFIX = "v1.";

    private final DefaultTieredStore store;
    private final ScanRequest request;
    private final int lastPartition;
    private final String space;

    private int partition;
    private byte[] after; // resume position within `partition`, or null for its start
    private List<byte[]> keys;
    private int index;

    private StoredRecord next;
    private byte[] nextKey;
    private int nextPartition;
    private boolean prefetched;

    private int tokenPartition;
    private byte[] tokenKey; // empty = start of tokenPartition
    private int returned;
    private boolean closed;

    StoreScanCursor(DefaultTieredStore store, ScanRequest request, int partitions) {
        this.store = store;
        this.request = request;
        this.space = request.space().orElse(null);
        int first = request.partition().isPresent() ? request.partition().getAsInt() : 0;
        this.lastPartition = request.partition().isPresent() ? first : partitions - 1;
        this.partition = first;
        if (request.resumeToken().isPresent()) {
            parse(request.resumeToken().get(), first, lastPartition);
        }
        this.tokenPartition = partition;
        this.tokenKey = after == null ? new byte[0] : after;
    }

    private void parse(String token, int first, int last) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3 || !token.startsWith(PREFIX)) {
            throw new InvalidMemoryException("resumeToken", "not a resume token of this store: '" + token + "'");
        }
        int p;
        byte[] key;
        try {
            p = Integer.parseInt(parts[1]);
            key = Base64.getUrlDecoder().decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new InvalidMemoryException("resumeToken", "malformed resume token '" + token + "': " + e.getMessage());
        }
        if (p < first || p > last + 1) {
            throw new InvalidMemoryException("resumeToken", "token partition " + p + " is outside the scanned range ["
                    + first + ", " + last + "]");
        }
        this.partition = p;
        this.after = key.length == 0 ? null : key;
    }

    private void prefetch() {
        if (prefetched) {
            return;
        }
        prefetched = true;
        next = null;
        while (partition <= lastPartition) {
            if (keys == null) {
                keys = store.scanKeys(partition, space);
                index = 0;
                if (after != null) {
                    while (index < keys.size() && Arrays.compareUnsigned(keys.get(index), after) <= 0) {
                        index++;
                    }
                }
            }
            if (index >= keys.size()) {
                keys = null;
                after = null;
                partition++;
                continue;
            }
            byte[] key = keys.get(index++);
            Optional<StoredRecord> r = store.scanFetch(partition, key, request.tier());
            if (r.isPresent() && (request.includeTombstones() || !r.get().isTombstone())) {
                next = r.get();
                nextKey = key;
                nextPartition = partition;
                return;
            }
        }
    }

    @Override
    public boolean hasNext() {
        if (closed || (request.pageHint() > 0 && returned >= request.pageHint())) {
            return false;
        }
        prefetch();
        return next != null;
    }

    @Override
    public StoredRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException("scan has no more records in this cursor");
        }
        StoredRecord r = next;
        tokenPartition = nextPartition;
        tokenKey = nextKey;
        returned++;
        prefetched = false;
        next = null;
        return r;
    }

    @Override
    public boolean isExhausted() {
        if (closed) {
            return false;
        }
        prefetch();
        return next == null;
    }

    @Override
    public String resumeToken() {
        return PREFIX + tokenPartition + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(tokenKey);
    }

    @Override
    public void close() {
        closed = true;
        keys = null;
        next = null;
    }

    @Override
    public String toString() {
        return "ScanCursor[" + (space == null ? "all spaces" : space) + ", partition " + partition + ", returned " + returned
                + ", token " + resumeToken() + "]";
    }
}
