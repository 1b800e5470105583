package io.mnemo.node.server;

import io.mnemo.node.replication.GrpcReplicaTransport;
import io.mnemo.node.replication.Hint;
import io.mnemo.node.replication.PartitionDigest;
import io.mnemo.node.replication.ReplicaTransport;
import io.mnemo.node.storage.MemoryKey;
import io.mnemo.node.storage.StoredRecord;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link ReplicaTransport} whose peer addresses follow the baseline: {@link GrpcReplicaTransport} takes a
 * fixed address map, so each change of the map (a member joined or moved) swaps in a new one. Replaced
 * transports stay open until {@link #close()}, so calls already in flight on them finish; members change
 * rarely, so they are few. Thread-safe: the current transport is a volatile reference, replaced under the
 * monitor, which is never held while calling out.
 */
final class PeerTransport implements ReplicaTransport {
    private final Duration deadline;
    private final List<GrpcReplicaTransport> retired = new ArrayList<>();
    private Map<Integer, InetSocketAddress> addresses = Map.of();
    private volatile GrpcReplicaTransport current;

    PeerTransport(Duration deadline) {
        this.deadline = deadline;
        this.current = new GrpcReplicaTransport(Map.of(), deadline);
    }

    /** Uses {@code peers} from now on; a map equal to the current one changes nothing. */
    synchronized void update(Map<Integer, InetSocketAddress> peers) {
        if (peers.equals(addresses)) {
            return;
        }
        addresses = Map.copyOf(peers);
        retired.add(current);
        current = new GrpcReplicaTransport(addresses, deadline);
    }

    @Override
    public CompletableFuture<ReplicateReply> replicate(int target, Caller from, int partition, StoredRecord record) {
        return current.replicate(target, from, partition, record);
    }

    @Override
    public CompletableFuture<Optional<StoredRecord>> read(int target, Caller from, int partition, MemoryKey key) {
        return current.read(target, from, partition, key);
    }

    @Override
    public CompletableFuture<PartitionDigest> digest(int target, Caller from, int partition) {
        return current.digest(target, from, partition);
    }

    @Override
    public CompletableFuture<List<StoredRecord>> fetchBuckets(int target, Caller from, int partition, long bucketMask) {
        return current.fetchBuckets(target, from, partition, bucketMask);
    }

    @Override
    public CompletableFuture<HintReply> deliverHints(int target, Caller from, List<Hint> hints) {
        return current.deliverHints(target, from, hints);
    }

    @Override
    public CompletableFuture<PingReply> ping(int target, Caller from, long hlc) {
        return current.ping(target, from, hlc);
    }

    @Override
    public void close() {
        List<GrpcReplicaTransport> all;
        synchronized (this) {
            all = new ArrayList<>(retired);
            all.add(current);
            retired.clear();
        }
        all.forEach(GrpcReplicaTransport::close);
    }
}
