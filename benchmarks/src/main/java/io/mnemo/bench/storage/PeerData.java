package io.mnemo.bench.storage;

import io.mnemo.node.storage.Memory;
import io.mnemo.node.storage.SpaceConfig;
import io.mnemo.node.storage.StorageConfig;
import io.mnemo.node.storage.TieredStore;
import io.mnemo.node.storage.TieredStores;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.openhft.chronicle.map.ChronicleMap;

/**
 * The bytes the peers of {@link StorageBenchmark} store: Mnemo's own encoding of the benchmark's memories.
 * The template memories ({@link StorageBenchmark#TEMPLATES} of them, same content and embedding seeds) are
 * stored in a scratch Mnemo store (hot tier off), which is closed; its Chronicle Map record files are then
 * read back, so each peer value is exactly the record Mnemo writes for that memory (header, timestamps,
 * 768 floats, content, CRC) and each peer key is Mnemo's warm-tier key for the same id.
 *
 * @param keys       Mnemo's key of {@code mem-i} for every benchmark key {@code i}
 * @param absentKeys keys that are never stored ({@code absent-i}), for misses
 * @param templates  the encoded record of template {@code t} (a power-of-two count)
 */
record PeerData(byte[][] keys, byte[][] absentKeys, byte[][] templates) {

    static PeerData encode(int keyCount, int dim) throws IOException {
        int n = StorageBenchmark.TEMPLATES;
        if (keyCount < n) {
            throw new IllegalArgumentException("need at least " + n + " keys, got " + keyCount);
        }
        Path dir = Files.createTempDirectory("mnemo-bench-encode-");
        try {
            Path data = dir.resolve("data");
            try (TieredStore store = TieredStores.open(StorageConfig.builder(data).partitions(16).hotTierMaxBytes(0).build())) {
                store.createSpace(SpaceConfig.of(StorageBenchmark.SPACE, dim));
                for (int t = 0; t < n; t++) {
                    store.store(Memory.builder(StorageBenchmark.SPACE, "mem-" + t)
                            .createdAtNs(System.nanoTime())
                            .content(BenchData.content(t))
                            .embedding(BenchData.embedding(t, dim))
                            .confidence(0.9f)
                            .build());
                }
            }
            Map<String, byte[]> byId = new HashMap<>();
            byte[] prefix = null;
            List<Path> files;
            try (Stream<Path> s = Files.walk(data)) {
                files = s.filter(p -> p.getFileName().toString().matches("records-\\d{4}\\.cmap")).toList();
            }
            for (Path f : files) {
                try (ChronicleMap<byte[], byte[]> m = ChronicleMap.of(byte[].class, byte[].class)
                        .entries(1).averageKeySize(16).averageValueSize(4096).createPersistedTo(f.toFile())) {
                    for (Map.Entry<byte[], byte[]> e : m.entrySet()) {
                        byte[] k = e.getKey();
                        int sep = StorageBenchmark.SPACE.getBytes(StandardCharsets.UTF_8).length;
                        prefix = Arrays.copyOf(k, sep + 1);
                        byId.put(new String(k, sep + 1, k.length - sep - 1, StandardCharsets.UTF_8), e.getValue());
                    }
                }
            }
            byte[][] templates = new byte[n][];
            for (int t = 0; t < n; t++) {
                templates[t] = byId.get("mem-" + t);
                if (templates[t] == null) {
                    throw new IllegalStateException("no record for mem-" + t + " in " + files.size() + " files under " + data);
                }
            }
            byte[][] keys = new byte[keyCount][];
            byte[][] absent = new byte[keyCount][];
            for (int i = 0; i < keyCount; i++) {
                keys[i] = withPrefix(prefix, "mem-" + i);
                absent[i] = withPrefix(prefix, "absent-" + i);
            }
            return new PeerData(keys, absent, templates);
        } finally {
            BenchData.deleteTree(dir);
        }
    }

    private static byte[] withPrefix(byte[] prefix, String id) {
        byte[] i = id.getBytes(StandardCharsets.UTF_8);
        byte[] out = Arrays.copyOf(prefix, prefix.length + i.length);
        System.arraycopy(i, 0, out, prefix.length, i.length);
        return out;
    }

    double averageKeyBytes() {
        return Arrays.stream(keys).mapToInt(k -> k.length).average().orElse(16);
    }

    double averageValueBytes() {
        return Arrays.stream(templates).mapToInt(v -> v.length).average().orElse(4096);
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }

    @Override
    public String toString() {
        return "PeerData[" + keys.length + " keys, " + templates.length + " templates]";
    }
}
