package io.mnemo.node.server;

import io.grpc.ManagedChannel;
import io.mnemo.node.replication.GrpcReplicaTransport;
import io.mnemo.node.replication.Hint;
import io.mnemo.node.replication.PartitionDigest;
import io.mnemo.node.replication.PartitionSource;
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
import java.util.function.Function;

/**
 * A {@link ReplicaTransport} whose peer addresses follow the baseline: {@link GrpcReplicaTransport} takes a
 * fixed address map, so each change of the map (a member joined or moved) swaps in a new one. Replaced
 * transports stay open until {@link #close()}, so calls already in flight on them finish; members change
 * rarely, so they are few. Thread-safe: the current transport is a volatile reference, replaced under the
 * monitor, which is never held while calling out.
 */
final class PeerTransport implements ReplicaTransport, PartitionSource {
    private final Duration deadline;
    private final Function<InetSocketAddress, ManagedChannel> channels;
    private final List<GrpcReplicaTransport> retired = new ArrayList<>();
    private Map<Integer, InetSocketAddress> addresses = Map.of();
    private volatile GrpcReplicaTransport current;

    /** Calls peers with {@code deadline} over channels from {@code channels} (plaintext or TLS, with credentials). */
    PeerTransport(Duration deadline, Function<InetSocketAddress, ManagedChannel> channels) {
        this.deadline = deadline;
        this.channels = channels;
        this.current = new GrpcReplicaTransport(Map.of(), deadline, channels);
    }

    /** Uses {@code peers} from now on; a map equal to the current one changes nothing. */
    synchronized void update(Map<Integer, InetSocketAddress> peers) {
        if (peers.equals(addresses)) {
            return;
        }
        addresses = Map.copyOf(peers);
        retired.add(current);
        current = new GrpcReplicaTransport(addresses, deadline, channels);
    }

    @Override
    public CompletableFuture<ReplicateReply> replicate(int target, Caller from, int partition, StoredRecord record) {
        return current.replicate(target, from, partition, record);
    }

    @Override
    public CompletableFuture<List<ItemReply>> replicateBatch(int target, Caller from, List<ReplicateItem> items) {
        return current.replicateBatch(target, from, items);
    }

    @Override
    public CompletableFuture<Optional<StoredRecord>> read(int target, Caller from, int partition, MemoryKey key) {
        return current.read(target, from, partition, key);
    }

    @Override
    public CompletableFuture<ReadReply> readVersion(int target, Caller from, int partition, MemoryKey key) {
        return current.readVersion(target, from, partition, key);
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

    /** Partition streams for the rebalancer, on the same channels; each stream may last up to a minute, then resumes. */
    @Override
    public PartitionSource.Stream open(int source, Caller from, int partition, String resumeToken) {
        return current.openPartitionStream(source, from, partition, resumeToken, Duration.ofMinutes(1));
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
