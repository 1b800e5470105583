package io.mnemo.bench.storage;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** Deterministic benchmark data (embeddings, contents with seed 000's 89/10/1 size mix) and temp-dir cleanup. */
final class BenchData {
    private BenchData() {
    }

    /** A finite pseudo-random embedding in [-1, 1) determined by {@code seed}. */
    static float[] embedding(long seed, int dim) {
        float[] v = new float[dim];
        long x = seed * 0x9E3779B97F4A7C15L;
        for (int i = 0; i < dim; i++) {
            x = mix(x + i);
            v[i] = ((x >>> 40) / (float) (1 << 24)) * 2f - 1f;
        }
        return v;
    }

    /** Content of ~100 B (89%), ~1 KB (10%) or ~5 KB (1%), as in seed 000's round-trip test. */
    static String content(int i) {
        int size = i % 100 == 0 ? 5_000 : i % 10 == 0 ? 1_000 : 100;
        StringBuilder sb = new StringBuilder(size);
        sb.append("memory ").append(i).append(' ');
        long x = i;
        while (sb.length() < size) {
            x = mix(x);
            sb.append((char) ('a' + (int) ((x >>> 33) % 26)));
        }
        return sb.toString();
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
