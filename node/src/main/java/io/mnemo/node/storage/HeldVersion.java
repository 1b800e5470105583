package io.mnemo.node.storage;

import java.util.Objects;

/** The version a store holds of a key and whether it is a tombstone, without the record (a digest read). */
public record HeldVersion(Version version, boolean tombstone) {
    public HeldVersion {
        Objects.requireNonNull(version, "version");
    }
}
