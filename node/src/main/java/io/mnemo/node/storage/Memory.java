package io.mnemo.node.storage;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * One episodic memory, immutable.
 *
 * <p>Content is optional and <b>absent content is not empty content</b>: {@code content()} is
 * {@code Optional.empty()} for a memory stored without content and {@code Optional.of("")} for one stored
 * with empty content, and both round-trip through every tier and the wire.
 *
 * <p>The embedding is copied on the way in and on the way out, so no caller can change a stored memory.
 * Construction checks only structural rules (non-null parts); the domain rules (id length, dimension,
 * finiteness, ranges, size limits) are checked by {@link MemoryValidator} where input enters the store,
 * so that a corrupt record read from disk can still be represented and reported.
 */
public final class Memory {
    private final String space;
    private final String id;
    private final long createdAtNs;
    private final long lastAccessNs;
    private final String content; // null = absent
    private final float[] embedding;
    private final float confidence;
    private final float activation;
    private final float decayRate;
    private final long accessCount;
    private final Version version; // null = not yet stamped

    private Memory(Builder b) {
        this.space = Objects.requireNonNull(b.space, "space");
        this.id = Objects.requireNonNull(b.id, "id");
        this.createdAtNs = b.createdAtNs;
        this.lastAccessNs = b.lastAccessNs;
        this.content = b.content;
        this.embedding = Objects.requireNonNull(b.embedding, "embedding").clone();
        this.confidence = b.confidence;
        this.activation = b.activation;
        this.decayRate = b.decayRate;
        this.accessCount = b.accessCount;
        this.version = b.version;
    }

    /** A builder for a memory in {@code space} with {@code id}. */
    public static Builder builder(String space, String id) {
        return new Builder(space, id);
    }

    /** A builder initialised with every field of this memory. */
    public Builder toBuilder() {
        return new Builder(space, id)
                .createdAtNs(createdAtNs)
                .lastAccessNs(lastAccessNs)
                .content(content)
                .embedding(embedding)
                .confidence(confidence)
                .activation(activation)
                .decayRate(decayRate)
                .accessCount(accessCount)
                .version(version);
    }

    public String space() {
        return space;
    }

    public String id() {
        return id;
    }

    public MemoryKey key() {
        return new MemoryKey(space, id);
    }

    public long createdAtNs() {
        return createdAtNs;
    }

    public long lastAccessNs() {
        return lastAccessNs;
    }

    /** The content; empty if the memory has none, which is different from {@code Optional.of("")}. */
    public Optional<String> content() {
        return Optional.ofNullable(content);
    }

    /** The content or null if absent; for codecs that must not allocate an Optional. */
    public String contentOrNull() {
        return content;
    }

    /** A copy of the embedding. */
    public float[] embedding() {
        return embedding.clone();
    }

    /** The embedding's dimension. */
    public int dimension() {
        return embedding.length;
    }

    /** The embedding value at {@code i}, without copying the array. */
    public float embeddingAt(int i) {
        return embedding[i];
    }

    public float confidence() {
        return confidence;
    }

    public float activation() {
        return activation;
    }

    public float decayRate() {
        return decayRate;
    }

    public long accessCount() {
        return accessCount;
    }

    /** The stored version; empty for a memory not yet written. */
    public Optional<Version> version() {
        return Optional.ofNullable(version);
    }

    /** The version or null; for codecs. */
    public Version versionOrNull() {
        return version;
    }

    /** Equal when every field is equal, comparing floats by their bits (so NaN equals NaN, 0.0 != -0.0). */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Memory)) {
            return false;
        }
        Memory m = (Memory) o;
        return createdAtNs == m.createdAtNs
                && lastAccessNs == m.lastAccessNs
                && Float.floatToRawIntBits(confidence) == Float.floatToRawIntBits(m.confidence)
                && Float.floatToRawIntBits(activation) == Float.floatToRawIntBits(m.activation)
                && Float.floatToRawIntBits(decayRate) == Float.floatToRawIntBits(m.decayRate)
                && accessCount == m.accessCount
                && space.equals(m.space)
                && id.equals(m.id)
                && Objects.equals(content, m.content)
                && Arrays.equals(embedding, m.embedding)
                && Objects.equals(version, m.version);
    }

    @Override
    public int hashCode() {
        return Objects.hash(space, id, createdAtNs, content, Arrays.hashCode(embedding), version);
    }

    @Override
    public String toString() {
        return "Memory[" + space + "/" + id
                + ", content=" + (content == null ? "<absent>" : content.length() + " chars")
                + ", dim=" + embedding.length
                + ", confidence=" + confidence
                + ", accessCount=" + accessCount
                + ", version=" + version + "]";
    }

    /** Builds a {@link Memory}; not thread-safe. */
    public static final class Builder {
        private final String space;
        private final String id;
        private long createdAtNs;
        private long lastAccessNs;
        private String content;
        private float[] embedding;
        private float confidence = 1.0f;
        private float activation;
        private float decayRate;
        private long accessCount;
        private Version version;

        private Builder(String space, String id) {
            this.space = space;
            this.id = id;
        }

        public Builder createdAtNs(long v) {
            this.createdAtNs = v;
            return this;
        }

        public Builder lastAccessNs(long v) {
            this.lastAccessNs = v;
            return this;
        }

        /** Sets the content; {@code null} means absent, {@code ""} means present and empty. */
        public Builder content(String v) {
            this.content = v;
            return this;
        }

        /** Sets the embedding; the array is copied when the memory is built. */
        public Builder embedding(float[] v) {
            this.embedding = v;
            return this;
        }

        public Builder confidence(float v) {
            this.confidence = v;
            return this;
        }

        public Builder activation(float v) {
            this.activation = v;
            return this;
        }

        public Builder decayRate(float v) {
            this.decayRate = v;
            return this;
        }

        public Builder accessCount(long v) {
            this.accessCount = v;
            return this;
        }

        /** Sets the version; {@code null} lets the store stamp one. */
        public Builder version(Version v) {
            this.version = v;
            return this;
        }

        public Memory build() {
            return new Memory(this);
        }
    }
}
