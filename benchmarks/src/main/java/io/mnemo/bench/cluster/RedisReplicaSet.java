package io.mnemo.bench.cluster;

import io.mnemo.bench.ClusterFixture;
import io.mnemo.bench.storage.RedisPeer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.JedisPoolConfig;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * The peer of the cluster benchmark: three real {@code redis-server} processes on loopback (a primary and two
 * replicas started with {@code --replicaof}), no persistence on any of them, as in the storage benchmark's
 * {@link RedisPeer}. A store is {@code SET} then {@code WAIT 1 <timeout>} pipelined on one connection (one round
 * trip): it returns once the primary and at least one replica hold the write, the Redis form of W = 2 of 3. A recall
 * is {@code GET} from the primary. Jedis is blocking, so each operation runs on a pool thread with its own pooled
 * connection; the open-loop generator charges any wait for a thread to the operation.
 */
final class RedisReplicaSet implements AutoCloseable {
    static final long WAIT_TIMEOUT_MS = 1_000;
    private static final int CONNECTIONS = 64;

    private final List<RedisPeer> servers;
    private final JedisPool pool;
    private final ExecutorService callers;

    private RedisReplicaSet(List<RedisPeer> servers) {
        this.servers = servers;
        JedisPoolConfig config = new JedisPoolConfig();
        config.setMaxTotal(CONNECTIONS);
        config.setMaxIdle(CONNECTIONS);
        config.setMinIdle(CONNECTIONS / 4);
        this.pool = new JedisPool(config, "127.0.0.1", servers.get(0).port(), 5_000);
        this.callers = Executors.newFixedThreadPool(CONNECTIONS, r -> {
            Thread t = new Thread(r, "redis-peer-call");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts the three servers and waits until both replicas are online; null (skipped) without redis-server. */
    static RedisReplicaSet start() throws IOException, InterruptedException {
        if (RedisPeer.binary() == null) {
            System.out.println("redis-server not found: the Redis peer is skipped");
            return null;
        }
        List<RedisPeer> servers = new ArrayList<>();
        try {
            RedisPeer primary = RedisPeer.start("redis-primary", "--appendonly", "no");
            servers.add(primary);
            for (int r = 1; r <= 2; r++) {
                servers.add(RedisPeer.start("redis-replica-" + r, "--appendonly", "no", "--replicaof", "127.0.0.1",
                        Integer.toString(primary.port())));
            }
            ClusterFixture.await(Duration.ofSeconds(30), () -> onlineReplicas(primary.port()) == 2);
        } catch (IOException | InterruptedException | RuntimeException e) {
            for (RedisPeer s : servers) {
                s.close();
            }
            throw e;
        }
        return new RedisReplicaSet(servers);
    }

    private static int onlineReplicas(int port) {
        try (Jedis j = new Jedis("127.0.0.1", port)) {
            return (int) j.info("replication").lines().filter(l -> l.startsWith("slave") && l.contains("state=online"))
                    .count();
        }
    }

    /** SET then WAIT 1, one round trip; fails if no replica acknowledged within the timeout. */
    CompletableFuture<Long> store(byte[] key, byte[] value) {
        return CompletableFuture.supplyAsync(() -> {
            try (Jedis j = pool.getResource()) {
                Pipeline p = j.pipelined();
                p.set(key, value);
                Response<Long> acked = p.waitReplicas(1, WAIT_TIMEOUT_MS);
                p.sync();
                if (acked.get() < 1) {
                    throw new IllegalStateException("WAIT 1 " + WAIT_TIMEOUT_MS + ": no replica acknowledged");
                }
                return acked.get();
            }
        }, callers);
    }

    /** GET from the primary; fails if the key is missing. */
    CompletableFuture<byte[]> recall(byte[] key) {
        return CompletableFuture.supplyAsync(() -> {
            try (Jedis j = pool.getResource()) {
                byte[] v = j.get(key);
                if (v == null) {
                    throw new IllegalStateException("key missing in Redis: " + new String(key, StandardCharsets.UTF_8));
                }
                return v;
            }
        }, callers);
    }

    Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("setup", "primary + 2 replicas (--replicaof), no persistence; store = SET + WAIT 1 " + WAIT_TIMEOUT_MS
                + " pipelined (one replica acknowledged: W = 2 of 3), recall = GET from the primary; up to " + CONNECTIONS
                + " pooled Jedis connections, each call on a pool thread");
        m.put("redisVersion", servers.get(0).describe("").get("redisVersion"));
        List<String> commands = new ArrayList<>();
        for (RedisPeer s : servers) {
            commands.add(String.valueOf(s.describe("").get("command")));
        }
        m.put("commands", commands);
        return m;
    }

    @Override
    public void close() throws IOException {
        callers.shutdownNow();
        try {
            callers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pool.close();
        IOException first = null;
        for (int i = servers.size() - 1; i >= 0; i--) {
            try {
                servers.get(i).close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
