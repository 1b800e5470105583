package io.mnemo.bench.storage;

import io.mnemo.node.storage.Memory;
import io.mnemo.node.storage.SpaceConfig;
import io.mnemo.node.storage.StorageConfig;
import io.mnemo.node.storage.TieredStore;
import io.mnemo.node.storage.TieredStores;
import io.mnemo.node.storage.WriteResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Store and recall on a real store (hot tier over Chronicle Map files in a temporary directory) with
 * Zipf-distributed keys (exponent 0.99), after Caffeine's GetPutBenchmark: the key sequence is precomputed
 * and seeded, so the measured loop only indexes an array.
 *
 * <ul>
 *   <li>{@code tier=hot}: the hot tier (256 MiB) holds every preloaded memory and was warmed by recalling
 *       each once, so {@link #recallHit} measures a hot hit;</li>
 *   <li>{@code tier=warm}: the hot tier is off, so {@link #recallHit} decodes from the Chronicle Map files
 *       every time (warm hit) and {@link #recallMiss} looks up absent keys (warm miss);</li>
 *   <li>{@link #store} upserts Zipf keys, so hot keys are overwritten often (durable before return).</li>
 * </ul>
 *
 * <p>Sample-time mode, so the result carries percentiles; throughput is threads / mean time. The store has 16
 * partitions (the default 256 only adds file-creation time to each trial's setup).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class StorageBenchmark {
    static final String SPACE = "bench";
    static final long ZIPF_SEED = 0x2F1F_5EEDL;
    private static final int SEQUENCE = 1 << 20;
    static final int TEMPLATES = 1024;

    @Param({"hot", "warm"})
    public String tier;

    @Param({"50000"})
    public int keys;

    @Param({"768"})
    public int dim;

    private Path dir;
    private TieredStore store;
    private ZipfKeys zipf;
    private String[] ids;
    private String[] absentIds;
    private float[][] embeddings;
    private String[] contents;

    /** Per-thread position in the key sequence; threads start at different offsets. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;

        @Setup
        public void setUp() {
            next = (int) (Thread.currentThread().getId() * 104_729L);
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("mnemo-bench-storage-");
        long hotBytes = "hot".equals(tier) ? 256L << 20 : 0L;
        // 16 partitions: per-operation costs do not depend on the partition count, trial setup (file creation) does.
        store = TieredStores.open(StorageConfig.builder(dir.resolve("data")).partitions(16).hotTierMaxBytes(hotBytes).build());
        store.createSpace(SpaceConfig.of(SPACE, dim));
        zipf = new ZipfKeys(keys, 0.99, SEQUENCE, ZIPF_SEED);
        ids = new String[keys];
        absentIds = new String[keys];
        for (int i = 0; i < keys; i++) {
            ids[i] = "mem-" + i;
            absentIds[i] = "absent-" + i;
        }
        embeddings = new float[TEMPLATES][];
        contents = new String[TEMPLATES];
        for (int t = 0; t < TEMPLATES; t++) {
            embeddings[t] = BenchData.embedding(t, dim);
            contents[t] = BenchData.content(t);
        }
        for (int i = 0; i < keys; i++) {
            store.store(memory(i, i));
        }
        if (hotBytes > 0) {
            for (int i = 0; i < keys; i++) {
                store.recall(SPACE, ids[i]);
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        store.close();
        BenchData.deleteTree(dir);
    }

    private Memory memory(int key, int template) {
        int t = template & (TEMPLATES - 1);
        return Memory.builder(SPACE, ids[key])
                .createdAtNs(System.nanoTime())
                .content(contents[t])
                .embedding(embeddings[t])
                .confidence(0.9f)
                .build();
    }

    @Benchmark
    public WriteResult store(Cursor c) {
        int i = c.next++;
        return store.store(memory(zipf.at(i), i));
    }

    @Benchmark
    public Optional<Memory> recallHit(Cursor c) {
        return store.recall(SPACE, ids[zipf.at(c.next++)]);
    }

    @Benchmark
    public Optional<Memory> recallMiss(Cursor c) {
        return store.recall(SPACE, absentIds[zipf.at(c.next++)]);
    }
}
