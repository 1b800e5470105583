package io.mnemo.bench.cluster;

import io.mnemo.client.Memory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The benchmark's memories, deterministic from an index: a {@value #DIM}-float embedding in [-1, 1) and a
 * {@value #CONTENT_BYTES}-byte ASCII content. A pool of {@value #POOL} embeddings and contents is built once so
 * building a memory on the load generator's thread costs no more than a small object; memory {@code i} uses pool
 * entry {@code i % POOL}.
 *
 * <p>The Redis peer stores the same payload bytes: {@link #redisValue} is the content's UTF-8 bytes followed by the
 * embedding's 3,072 little-endian float bytes (what a Mnemo store carries besides its small fixed fields).
 */
final class Payloads {
    static final int DIM = 768;
    static final int CONTENT_BYTES = 200;
    private static final int POOL = 256;

    private final float[][] embeddings = new float[POOL][];
    private final String[] contents = new String[POOL];
    private final byte[][] redisValues = new byte[POOL][];

    Payloads(long seed) {
        for (int p = 0; p < POOL; p++) {
            embeddings[p] = embedding(seed + p);
            contents[p] = content(seed + p);
            ByteBuffer b = ByteBuffer.allocate(CONTENT_BYTES + DIM * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.put(contents[p].getBytes(StandardCharsets.UTF_8));
            for (float f : embeddings[p]) {
                b.putFloat(f);
            }
            redisValues[p] = b.array();
        }
    }

    /** Memory {@code i} with the given id. */
    Memory memory(String id, long i) {
        int p = (int) Math.floorMod(i, (long) POOL);
        return Memory.builder().id(id).content(contents[p]).embedding(embeddings[p]).confidence(0.9f).build();
    }

    /** The Redis value of memory {@code i}: content bytes, then the embedding's bytes. */
    byte[] redisValue(long i) {
        return redisValues[(int) Math.floorMod(i, (long) POOL)];
    }

    static int redisValueBytes() {
        return CONTENT_BYTES + DIM * 4;
    }

    private static float[] embedding(long seed) {
        float[] v = new float[DIM];
        long x = seed * 0x9E3779B97F4A7C15L;
        for (int i = 0; i < DIM; i++) {
            x = mix(x + i);
            v[i] = ((x >>> 40) / (float) (1 << 24)) * 2f - 1f;
        }
        return v;
    }

    private static String content(long seed) {
        StringBuilder sb = new StringBuilder(CONTENT_BYTES).append("memory ").append(seed).append(' ');
        long x = seed;
        while (sb.length() < CONTENT_BYTES) {
            x = mix(x);
            sb.append((char) ('a' + (int) ((x >>> 33) % 26)));
        }
        return sb.toString();
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
