package io.mnemo.bench.shardmap;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import io.mnemo.shardmap.Member;
import io.mnemo.shardmap.PartitionFunction;
import io.mnemo.shardmap.Topology;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The client's and coordinator's routing step: {@code (space, id) -> partition -> replicas}. Keys are
 * drawn from a Zipf distribution (s = 0.99, as YCSB) over 100,000 ids, 10% of them non-ASCII (CJK and
 * emoji), so the hot keys repeat the way a real workload's do; the draw sequence is precomputed with a
 * fixed seed and walked by a cursor, so the measured work is the lookup alone.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ShardMapLookupBenchmark {
    private static final int KEYS = 100_000;
    private static final int DRAWS = 1 << 20;

    @Param({"256", "4096"})
    int partitions;

    @Param({"16"})
    int members;

    private String[] ids;
    private int[] draws;
    private int cursor;
    private PartitionFunction function;
    private Topology topology;

    @Setup(Level.Trial)
    public void setUp() {
        Random random = new Random(20261122L);
        ids = new String[KEYS];
        for (int i = 0; i < KEYS; i++) {
            ids[i] = i % 10 == 0 ? "\u8bb0\u5fc6-" + i + "-\ud83e\udde0" : "memory-" + Long.toHexString(random.nextLong()) + "-" + i;
        }
        draws = ZipfSampler.draws(KEYS, 0.99, DRAWS, random);
        function = PartitionFunction.of(partitions);
        List<Member> ms = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            ms.add(Member.of("node-" + i, "10.0.0." + (i + 1) + ":7000", 1, "zone-" + (i % 3)));
        }
        topology = Topology.of(1, partitions, 3, ms);
    }

    private String nextId() {
        int i = cursor;
        cursor = (i + 1) & (DRAWS - 1);
        return ids[draws[i]];
    }

    /** Hash and reduce only. */
    @Benchmark
    public int partitionOf() {
        return function.partitionOf("engram", nextId());
    }

    /** Hash, reduce and read the precomputed replica list; the primary's endpoint is what a client dials. */
    @Benchmark
    public Member replicasOf() {
        return topology.replicasOf("engram", nextId()).get(0);
    }
}
