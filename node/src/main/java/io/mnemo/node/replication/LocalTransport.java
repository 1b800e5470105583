package io.mnemo.node.replication;

import io.mnemo.node.storage.MemoryKey;
import io.mnemo.node.storage.StoredRecord;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * An in-JVM {@link ReplicaTransport}: calls go straight to the target's {@link ReplicaHandler}, run on an
 * executor (so a coordinator's calls to several replicas really run in parallel; {@code Runnable::run} makes
 * them synchronous). Handler exceptions complete the future as they are; a call to a node with no handler
 * fails with {@link ReplicaUnavailableException}. Shared by every node of an in-JVM cluster. Thread-safe.
 */
public final class LocalTransport implements ReplicaTransport {
    private final Map<Integer, ReplicaHandler> handlers = new ConcurrentHashMap<>();
    private final Executor executor;
    private volatile boolean closed;

    public LocalTransport(Executor executor) {
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    /** Routes calls for {@code handler.nodeId()} to {@code handler}, replacing any earlier one. */
    public void register(ReplicaHandler handler) {
        handlers.put(handler.nodeId(), handler);
    }

    /** Stops routing to {@code node} (a crashed or stopped node). */
    public void unregister(int node) {
        handlers.remove(node);
    }

    private <T> CompletableFuture<T> call(int target, java.util.function.Function<ReplicaHandler, T> body) {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("transport is closed"));
        }
        Supplier<T> task = () -> {
            ReplicaHandler h = handlers.get(target);
            if (h == null) {
                throw new ReplicaUnavailableException(target, "no such node in this JVM");
            }
            return body.apply(h);
        };
        return CompletableFuture.supplyAsync(task, executor);
    }

    @Override
    public CompletableFuture<ReplicateReply> replicate(int target, Caller from, int partition, StoredRecord record) {
        return call(target, h -> h.replicate(from, partition, record));
    }

    @Override
    public CompletableFuture<List<ItemReply>> replicateBatch(int target, Caller from, List<ReplicateItem> items) {
        List<ReplicateItem> copy = List.copyOf(items);
        return call(target, h -> h.replicateBatch(from, copy));
    }

    @Override
    public CompletableFuture<Optional<StoredRecord>> read(int target, Caller from, int partition, MemoryKey key) {
        return call(target, h -> h.read(from, partition, key));
    }

    @Override
    public CompletableFuture<ReadReply> readVersion(int target, Caller from, int partition, MemoryKey key) {
        return call(target, h -> h.readVersion(from, partition, key));
    }

    @Override
    public CompletableFuture<PartitionDigest> digest(int target, Caller from, int partition) {
        return call(target, h -> h.digest(from, partition));
    }

    @Override
    public CompletableFuture<List<StoredRecord>> fetchBuckets(int target, Caller from, int partition, long bucketMask) {
        return call(target, h -> h.fetchBuckets(from, partition, bucketMask));
    }

    @Override
    public CompletableFuture<HintReply> deliverHints(int target, Caller from, List<Hint> hints) {
        List<Hint> copy = List.copyOf(hints);
        return call(target, h -> h.applyHints(from, copy));
    }

    @Override
    public CompletableFuture<PingReply> ping(int target, Caller from, long hlc) {
        return call(target, h -> h.ping(from, hlc));
    }

    @Override
    public void close() {
        closed = true;
    }
}
