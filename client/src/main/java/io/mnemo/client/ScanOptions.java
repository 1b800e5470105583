package io.mnemo.client;

import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link MnemoClient#scan scan} reads and how. Immutable; {@code with...} returns a changed copy.
 *
 * <pre>{@code
 * try (Stream<Memory> all = client.scan("demo", ScanOptions.defaults().withoutEmbeddings().withChunkSize(500))) {
 *     all.forEach(m -> System.out.println(m.id()));
 * }
 * }</pre>
 */
public final class ScanOptions {
    /** The default bound on one server stream; a scan that runs longer resumes on a fresh stream. */
    public static final Duration DEFAULT_STREAM_TIMEOUT = Duration.ofMinutes(5);
    private static final ScanOptions DEFAULTS = new ScanOptions(Tier.ALL, 0, false, DEFAULT_STREAM_TIMEOUT);

    /** Which tier to read. */
    public enum Tier {
        /** Every tier: each live memory once. */
        ALL, HOT, WARM, COLD
    }

    private final Tier tier;
    private final int chunkSize;
    private final boolean omitEmbeddings;
    private final Duration streamTimeout;

    private ScanOptions(Tier tier, int chunkSize, boolean omitEmbeddings, Duration streamTimeout) {
        this.tier = tier;
        this.chunkSize = chunkSize;
        this.omitEmbeddings = omitEmbeddings;
        this.streamTimeout = streamTimeout;
    }

    /** Every tier, the server's chunk size, with embeddings, streams of at most {@link #DEFAULT_STREAM_TIMEOUT}. */
    public static ScanOptions defaults() {
        return DEFAULTS;
    }

    public ScanOptions withTier(Tier tier) {
        return new ScanOptions(Objects.requireNonNull(tier, "tier"), chunkSize, omitEmbeddings, streamTimeout);
    }

    /**
     * Memories per chunk the client would like; the server may send fewer.
     *
     * @throws IllegalArgumentException if not in [1, 65536]
     */
    public ScanOptions withChunkSize(int chunkSize) {
        if (chunkSize < 1 || chunkSize > 65_536) {
            throw new IllegalArgumentException("chunkSize must be in [1, 65536], got " + chunkSize);
        }
        return new ScanOptions(tier, chunkSize, omitEmbeddings, streamTimeout);
    }

    /** Leave the embeddings out (they come back empty): smaller chunks when only ids and content matter. */
    public ScanOptions withoutEmbeddings() {
        return new ScanOptions(tier, chunkSize, true, streamTimeout);
    }

    /**
     * How long one server stream may stay open, and how long the scan waits for the next chunk. When it passes the
     * scan resumes from its last position on a fresh stream, which counts as one attempt.
     *
     * @throws IllegalArgumentException if not positive
     */
    public ScanOptions withStreamTimeout(Duration streamTimeout) {
        Objects.requireNonNull(streamTimeout, "streamTimeout");
        if (streamTimeout.isNegative() || streamTimeout.isZero()) {
            throw new IllegalArgumentException("streamTimeout must be positive, got " + streamTimeout);
        }
        return new ScanOptions(tier, chunkSize, omitEmbeddings, streamTimeout);
    }

    public Tier tier() {
        return tier;
    }

    /** 0 lets the server choose. */
    public int chunkSize() {
        return chunkSize;
    }

    public boolean omitEmbeddings() {
        return omitEmbeddings;
    }

    public Duration streamTimeout() {
        return streamTimeout;
    }

    @Override
    public String toString() {
        return "ScanOptions[tier=" + tier + ", chunkSize=" + chunkSize + ", omitEmbeddings=" + omitEmbeddings
                + ", streamTimeout=" + streamTimeout + "]";
    }
}
