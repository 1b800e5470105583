package io.mnemo.client;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * One memory: an id within a space, optional text content, an embedding and its activation statistics.
 * Immutable; the embedding is copied in and out, so neither the builder's caller nor a reader can change it.
 *
 * <p>Content that is absent and content that is {@code ""} are different values and both round-trip:
 * {@link #content()} is empty for the first and {@code Optional.of("")} for the second.
 *
 * <pre>{@code
 * Memory m = Memory.builder()
 *         .id("m-1")
 *         .content("met Ada at the station")
 *         .embedding(new float[] {0.1f, 0.2f, 0.3f})
 *         .confidence(0.9f)
 *         .build();                 // space left unset: the client's default space
 * client.store(m);
 * }</pre>
 */
public final class Memory {
    private final String space;
    private final String id;
    private final long createdAtNs;
    private final long lastAccessNs;
    private final String content;
    private final float[] embedding;
    private final float confidence;
    private final float activation;
    private final float decayRate;
    private final long accessCount;
    private final Version version;

    private Memory(Builder b) {
        this.space = b.space;
        this.id = b.id;
        this.createdAtNs = b.createdAtNs;
        this.lastAccessNs = b.lastAccessNs;
        this.content = b.content;
        this.embedding = b.embedding.clone();
        this.confidence = b.confidence;
        this.activation = b.activation;
        this.decayRate = b.decayRate;
        this.accessCount = b.accessCount;
        this.version = b.version;
    }

    /** A builder with every field unset (no content, an empty embedding, zeros). */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this memory's values, to derive a changed copy. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.space = space;
        b.id = id;
        b.createdAtNs = createdAtNs;
        b.lastAccessNs = lastAccessNs;
        b.content = content;
        b.embedding = embedding.clone();
        b.confidence = confidence;
        b.activation = activation;
        b.decayRate = decayRate;
        b.accessCount = accessCount;
        b.version = version;
        return b;
    }

    /** The space, or empty when unset (a store then uses the client's default space). */
    public Optional<String> space() {
        return Optional.ofNullable(space);
    }

    public String id() {
        return id;
    }

    public long createdAtNs() {
        return createdAtNs;
    }

    public long lastAccessNs() {
        return lastAccessNs;
    }

    /** The content; empty when absent, which is not the same as {@code Optional.of("")}. */
    public Optional<String> content() {
        return Optional.ofNullable(content);
    }

    /** A copy of the embedding. */
    public float[] embedding() {
        return embedding.clone();
    }

    /** The embedding's length, without copying it. */
    public int dimension() {
        return embedding.length;
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

    /** The stored version; empty on a memory that was never stored. */
    public Optional<Version> version() {
        return Optional.ofNullable(version);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Memory)) {
            return false;
        }
        Memory m = (Memory) o;
        return createdAtNs == m.createdAtNs && lastAccessNs == m.lastAccessNs
                && Float.compare(confidence, m.confidence) == 0 && Float.compare(activation, m.activation) == 0
                && Float.compare(decayRate, m.decayRate) == 0 && accessCount == m.accessCount
                && Objects.equals(space, m.space) && id.equals(m.id) && Objects.equals(content, m.content)
                && Arrays.equals(embedding, m.embedding) && Objects.equals(version, m.version);
    }

    @Override
    public int hashCode() {
        return Objects.hash(space, id, content, version) * 31 + Arrays.hashCode(embedding);
    }

    @Override
    public String toString() {
        String shown = content == null ? "absent" : content.length() <= 40 ? '"' + content + '"'
                : '"' + content.substring(0, 40) + "...\" (" + content.length() + " chars)";
        return "Memory[space=" + space + ", id=" + id + ", content=" + shown + ", dim=" + embedding.length
                + ", confidence=" + confidence + ", version=" + version + "]";
    }

    /**
     * Builds a {@link Memory}. Only the id is required here; the client checks the rest (space name, id length,
     * finite embedding) when the memory is sent, and the server checks again against the space's limits.
     *
     * <pre>{@code
     * Memory empty = Memory.builder().id("m-2").content("").build();   // present but empty content
     * }</pre>
     */
    public static final class Builder {
        private String space;
        private String id;
        private long createdAtNs;
        private long lastAccessNs;
        private String content;
        private float[] embedding = new float[0];
        private float confidence;
        private float activation;
        private float decayRate;
        private long accessCount;
        private Version version;

        private Builder() {
        }

        /** The space; {@code null} leaves it unset, so the client's default space applies. */
        public Builder space(String space) {
            this.space = space;
            return this;
        }

        public Builder id(String id) {
            this.id = Objects.requireNonNull(id, "id");
            return this;
        }

        public Builder createdAtNs(long createdAtNs) {
            this.createdAtNs = createdAtNs;
            return this;
        }

        public Builder lastAccessNs(long lastAccessNs) {
            this.lastAccessNs = lastAccessNs;
            return this;
        }

        /** The content; {@code null} makes it absent, {@code ""} makes it present and empty. */
        public Builder content(String content) {
            this.content = content;
            return this;
        }

        /** Removes the content (absent, not empty). */
        public Builder noContent() {
            this.content = null;
            return this;
        }

        /** The embedding, copied. */
        public Builder embedding(float[] embedding) {
            this.embedding = Objects.requireNonNull(embedding, "embedding").clone();
            return this;
        }

        public Builder confidence(float confidence) {
            this.confidence = confidence;
            return this;
        }

        public Builder activation(float activation) {
            this.activation = activation;
            return this;
        }

        public Builder decayRate(float decayRate) {
            this.decayRate = decayRate;
            return this;
        }

        public Builder accessCount(long accessCount) {
            this.accessCount = accessCount;
            return this;
        }

        /** The version; set by the client on memories it read. A store ignores it: the server stamps versions. */
        public Builder version(Version version) {
            this.version = version;
            return this;
        }

        /**
         * The memory.
         *
         * @throws IllegalStateException if no id was set
         */
        public Memory build() {
            if (id == null) {
                throw new IllegalStateException("Memory.Builder: id is required (1..256 bytes of UTF-8)");
            }
            return new Memory(this);
        }
    }
}
