package io.mnemo.client;

import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of storing one memory of a {@link MnemoClient#storeAll batch}: the version it was stored with, or
 * the typed error that refused it. One item failing does not fail the others.
 *
 * <pre>{@code
 * for (StoreResult r : client.storeAll(memories)) {
 *     if (!r.isStored()) {
 *         log.warn("{} not stored: {}", r.id(), r.error().orElseThrow().getMessage());
 *     }
 * }
 * }</pre>
 *
 * @param index position of the memory in the list passed to {@code storeAll}
 * @param id the memory's id
 * @param version the stored version, or {@code null} when the item failed
 * @param failure why the item failed, or {@code null} when it was stored
 */
public record StoreResult(int index, String id, Version version, MnemoException failure) {

    /** Checks that exactly one of {@code version} and {@code failure} is set. */
    public StoreResult {
        Objects.requireNonNull(id, "id");
        if ((version == null) == (failure == null)) {
            throw new IllegalArgumentException("a StoreResult has a version or a failure, not both or neither: " + id);
        }
    }

    /** Whether the memory was stored. */
    public boolean isStored() {
        return version != null;
    }

    /** The stored version, when stored. */
    public Optional<Version> storedVersion() {
        return Optional.ofNullable(version);
    }

    /** The error, when not stored. */
    public Optional<MnemoException> error() {
        return Optional.ofNullable(failure);
    }
}
