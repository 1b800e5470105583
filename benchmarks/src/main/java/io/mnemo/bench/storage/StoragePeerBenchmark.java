package io.mnemo.bench.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.map.ChronicleMap;
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
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/**
 * The peers of {@link StorageBenchmark}, on the same data: the same Zipf key sequence (same seed, same key
 * count), and values that are the exact record bytes Mnemo writes for the same 768-float memories
 * ({@link PeerData}). Same modes, units and thread count as {@link StorageBenchmark}.
 *
 * <ul>
 *   <li>{@code peer=chronicle}: a raw persisted {@code ChronicleMap<byte[], byte[]>} in a temporary directory,
 *       {@code put}/{@code get} of the encoded bytes (Mnemo's substrate without Mnemo);</li>
 *   <li>{@code peer=redis}: a real {@code redis-server} on loopback started by the runner with no persistence
 *       ({@code --save '' --appendonly no}), one Jedis connection, {@code SET}/{@code GET};</li>
 *   <li>{@code peer=redis-aof}: the same with {@code --appendonly yes --appendfsync everysec}.</li>
 * </ul>
 *
 * <p>The Redis port of each configuration comes from system properties {@code mnemo.bench.redis.port} and
 * {@code mnemo.bench.redisAof.port}, set by {@link StorageBenchmarkRunner} on the forked JVM.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class StoragePeerBenchmark {
    static final String REDIS_PORT = "mnemo.bench.redis.port";
    static final String REDIS_AOF_PORT = "mnemo.bench.redisAof.port";
    private static final int SEQUENCE = 1 << 20;

    @Param({"chronicle", "redis", "redis-aof"})
    public String peer;

    @Param({"50000"})
    public int keys;

    @Param({"768"})
    public int dim;

    private Path dir;
    private ChronicleMap<byte[], byte[]> map;
    private Jedis jedis;
    private ZipfKeys zipf;
    private byte[][] keyBytes;
    private byte[][] absentKeyBytes;
    private byte[][] values;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        PeerData data = PeerData.encode(keys, dim);
        keyBytes = data.keys();
        absentKeyBytes = data.absentKeys();
        values = data.templates();
        zipf = new ZipfKeys(keys, 0.99, SEQUENCE, StorageBenchmark.ZIPF_SEED);
        switch (peer) {
            case "chronicle" -> {
                dir = Files.createTempDirectory("mnemo-bench-chronicle-");
                map = ChronicleMap.of(byte[].class, byte[].class)
                        .name("bench-peer")
                        .entries(keys)
                        .averageKeySize(data.averageKeyBytes())
                        .averageValueSize(data.averageValueBytes())
                        .maxBloatFactor(2.0)
                        .createPersistedTo(dir.resolve("peer.cmap").toFile());
                for (int i = 0; i < keys; i++) {
                    map.put(keyBytes[i], values[i & (values.length - 1)]);
                }
            }
            case "redis", "redis-aof" -> {
                String prop = "redis".equals(peer) ? REDIS_PORT : REDIS_AOF_PORT;
                Integer port = Integer.getInteger(prop);
                if (port == null) {
                    throw new IllegalStateException("no " + prop + ": the runner starts redis-server and sets it");
                }
                jedis = new Jedis("127.0.0.1", port);
                jedis.flushAll();
                Pipeline p = jedis.pipelined();
                for (int i = 0; i < keys; i++) {
                    p.set(keyBytes[i], values[i & (values.length - 1)]);
                    if ((i & 1023) == 1023) {
                        p.sync();
                    }
                }
                p.sync();
                p.close();
            }
            default -> throw new IllegalArgumentException("unknown peer " + peer);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        if (map != null) {
            map.close();
            BenchData.deleteTree(dir);
        }
        if (jedis != null) {
            jedis.flushAll();
            jedis.close();
        }
    }

    @Benchmark
    public Object store(StorageBenchmark.Cursor c) {
        int i = c.next++;
        byte[] k = keyBytes[zipf.at(i)];
        byte[] v = values[i & (values.length - 1)];
        return map != null ? map.put(k, v) : jedis.set(k, v);
    }

    @Benchmark
    public byte[] recallHit(StorageBenchmark.Cursor c) {
        byte[] k = keyBytes[zipf.at(c.next++)];
        return map != null ? map.get(k) : jedis.get(k);
    }

    @Benchmark
    public byte[] recallMiss(StorageBenchmark.Cursor c) {
        byte[] k = absentKeyBytes[zipf.at(c.next++)];
        return map != null ? map.get(k) : jedis.get(k);
    }
}
