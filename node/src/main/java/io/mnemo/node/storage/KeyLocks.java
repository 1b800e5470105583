package io.mnemo.node.storage;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Striped per-key locks: every read-modify-write of one key (compare versions, write the warm tier, update
 * the hot tier and the tallies) runs under the key's stripe, so two writers of one key never interleave.
 * Different keys mostly take different stripes. A thread holds at most one stripe at a time (the lock
 * order in node/CONCURRENCY.md), so stripes cannot deadlock with each other.
 */
final class KeyLocks {
    private final ReentrantLock[] stripes;
    private final int mask;

    KeyLocks(int stripesPowerOfTwo) {
        if (Integer.bitCount(stripesPowerOfTwo) != 1) {
            throw new IllegalArgumentException("stripes must be a power of two, got " + stripesPowerOfTwo);
        }
        stripes = new ReentrantLock[stripesPowerOfTwo];
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new ReentrantLock();
        }
        mask = stripesPowerOfTwo - 1;
    }

    /** The lock of {@code key}; callers lock it, and unlock it in a finally block. */
    ReentrantLock lockFor(MemoryKey key) {
        int h = key.hashCode();
        h ^= h >>> 16;
        return stripes[h & mask];
    }
}
