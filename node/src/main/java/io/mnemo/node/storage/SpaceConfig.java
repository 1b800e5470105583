package io.mnemo.node.storage;

import java.util.Objects;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * The settings of one space (tenant): its name, the fixed dimension of its embeddings, an optional
 * quota on the bytes its records take in the warm tier, and the largest content a memory may carry.
 * Immutable; built by a validating {@link Builder} that names the field and limit of every bad value.
 */
public final class SpaceConfig {
    /** A space name: lowercase letters, digits, '_' and '-', starting with a letter or digit, 1..64 chars. */
    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    public static final int DEFAULT_DIMENSION = 768;
    /** Largest dimension a space may declare (a 64 KiB embedding). */
    public static final int MAX_DIMENSION = 16_384;
    public static final int DEFAULT_MAX_CONTENT_BYTES = 1 << 20;
    /** Largest {@code maxContentBytes} a space may declare. */
    public static final int MAX_MAX_CONTENT_BYTES = 8 << 20;

    private final String name;
    private final int dimension;
    private final long quotaBytes; // 0 = none
    private final int maxContentBytes;

    private SpaceConfig(Builder b) {
        this.name = b.name;
        this.dimension = b.dimension;
        this.quotaBytes = b.quotaBytes;
        this.maxContentBytes = b.maxContentBytes;
    }

    /** A space with default settings (dimension 768, no quota, 1 MiB content). */
    public static SpaceConfig of(String name) {
        return builder(name).build();
    }

    /** A space with {@code dimension} and otherwise default settings. */
    public static SpaceConfig of(String name, int dimension) {
        return builder(name).dimension(dimension).build();
    }

    /**
     * A builder for a space named {@code name}.
     *
     * @throws InvalidMemoryException if the name does not match {@link #NAME}
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Throws {@link InvalidMemoryException} (field {@code space}) if {@code name} is not a valid space name. */
    public static void validateName(String name) {
        if (name == null) {
            throw new InvalidMemoryException("space", "must not be null");
        }
        if (!NAME.matcher(name).matches()) {
            throw new InvalidMemoryException("space", "must match " + NAME.pattern() + " (1..64 chars), got '"
                    + MemoryValidator.abbreviate(name) + "'");
        }
    }

    public String name() {
        return name;
    }

    public int dimension() {
        return dimension;
    }

    /** The quota on the warm-tier bytes of this space's records, if any. */
    public OptionalLong quotaBytes() {
        return quotaBytes == 0 ? OptionalLong.empty() : OptionalLong.of(quotaBytes);
    }

    public int maxContentBytes() {
        return maxContentBytes;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SpaceConfig)) {
            return false;
        }
        SpaceConfig s = (SpaceConfig) o;
        return dimension == s.dimension && quotaBytes == s.quotaBytes && maxContentBytes == s.maxContentBytes
                && name.equals(s.name);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dimension, quotaBytes, maxContentBytes);
    }

    @Override
    public String toString() {
        return "SpaceConfig[" + name + ", dimension=" + dimension
                + ", quotaBytes=" + (quotaBytes == 0 ? "none" : Long.toString(quotaBytes))
                + ", maxContentBytes=" + maxContentBytes + "]";
    }

    /** Builds a {@link SpaceConfig}; each setter validates its value and may be called once. */
    public static final class Builder {
        private final String name;
        private int dimension = DEFAULT_DIMENSION;
        private long quotaBytes;
        private int maxContentBytes = DEFAULT_MAX_CONTENT_BYTES;
        private boolean dimensionSet;
        private boolean quotaSet;
        private boolean maxContentSet;

        private Builder(String name) {
            validateName(name);
            this.name = name;
        }

        /** The embedding dimension, in [1, {@value #MAX_DIMENSION}]; default {@value #DEFAULT_DIMENSION}. */
        public Builder dimension(int v) {
            dimensionSet = once(dimensionSet, "dimension");
            if (v < 1 || v > MAX_DIMENSION) {
                throw new InvalidMemoryException("dimension", "must be in [1, " + MAX_DIMENSION + "], got " + v);
            }
            this.dimension = v;
            return this;
        }

        /** A quota on the warm-tier bytes of the space's records; must be positive. */
        public Builder quotaBytes(long v) {
            quotaSet = once(quotaSet, "quotaBytes");
            if (v <= 0) {
                throw new InvalidMemoryException("quotaBytes", "must be > 0, got " + v);
            }
            this.quotaBytes = v;
            return this;
        }

        /** The largest content in UTF-8 bytes, in [0, {@value #MAX_MAX_CONTENT_BYTES}]; default 1 MiB. */
        public Builder maxContentBytes(int v) {
            maxContentSet = once(maxContentSet, "maxContentBytes");
            if (v < 0 || v > MAX_MAX_CONTENT_BYTES) {
                throw new InvalidMemoryException("maxContentBytes",
                        "must be in [0, " + MAX_MAX_CONTENT_BYTES + "], got " + v);
            }
            this.maxContentBytes = v;
            return this;
        }

        private static boolean once(boolean alreadySet, String field) {
            if (alreadySet) {
                throw new IllegalStateException(field + " was already set");
            }
            return true;
        }

        public SpaceConfig build() {
            return new SpaceConfig(this);
        }
    }
}
