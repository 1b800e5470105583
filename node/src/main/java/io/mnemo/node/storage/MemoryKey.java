package io.mnemo.node.storage;

import java.util.Objects;

/**
 * The identity of a memory: its space and its id within the space. Validation of the two parts happens
 * where input enters the store ({@link MemoryValidator}); this type only refuses nulls.
 */
public record MemoryKey(String space, String id) {
    public MemoryKey {
        Objects.requireNonNull(space, "space");
        Objects.requireNonNull(id, "id");
    }
}
