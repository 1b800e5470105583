package io.mnemo.node.storage;

import java.util.Objects;

/**
 * The outcome of a write.
 *
 * @param applied       true if the write changed the stored record; false if the store already held a
 *                      version at least as new (the write lost last-writer-wins and changed nothing)
 * @param storedVersion the version the store holds for the key after the write
 */
public record WriteResult(boolean applied, Version storedVersion) {
    public WriteResult {
        Objects.requireNonNull(storedVersion, "storedVersion");
    }
}
