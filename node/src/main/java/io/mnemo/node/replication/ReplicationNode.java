package io.mnemo.node.replication;

import io.mnemo.node.storage.HybridClock;
import io.mnemo.node.storage.Memory;
import io.mnemo.node.storage.TieredStore;
import io.mnemo.node.storage.Version;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.random.RandomGeneratorFactory;

/**
 * Replication on one node, wired together: the replica side ({@link ReplicaHandler}), the write and read path
 * ({@link Coordinator}), hinted handoff, anti-entropy and their two background loops.
 *
 * <p>Lifecycle: {@link #start()} starts the loops; {@link #drain()} stops serving, delivers what hints it can
 * and returns the rest for a peer ({@link #importHints}); {@link #close()} stops the loops. Close is idempotent;
 * the store and transport stay the caller's to close. Thread-safe.
 */
public final class ReplicationNode implements Replicator, AutoCloseable {
    private final ReplicationConfig config;
    private final ReplicaHandler handler;
    private final Coordinator coordinator;
    private final HintedHandoff hints;
    private final AntiEntropy antiEntropy;
    private final Supplier<? extends ReplicaPlacement> placement;
    private final ReplicationCounters counters = new ReplicationCounters();
    private final BackgroundLoop hintLoop;
    private final BackgroundLoop antiEntropyLoop;
    /** Round-robin position of the anti-entropy loop; touched only by that loop's ticks, which never overlap. */
    private int nextPartition;
    private volatile boolean closed;

    public ReplicationNode(ReplicationConfig config, TieredStore store, ReplicaTransport transport,
                           Supplier<? extends ReplicaPlacement> placement, HybridClock clock, Scheduler scheduler,
                           LoopErrorHandler errors) {
        this.config = Objects.requireNonNull(config, "config");
        this.placement = Objects.requireNonNull(placement, "placement");
        this.handler = new ReplicaHandler(config.nodeId(), store, placement, clock);
        this.hints = new HintedHandoff(config, transport, placement, clock, scheduler, counters);
        this.coordinator = new Coordinator(config, handler, transport, placement, clock, scheduler, hints, counters);
        this.antiEntropy = new AntiEntropy(config, handler, transport, placement, scheduler, counters);
        var random = RandomGeneratorFactory.of("L64X128MixRandom").create(config.seed());
        this.hintLoop = new BackgroundLoop("hints-" + config.nodeId(), now -> hints.deliverAll(),
                config.hintInterval().toNanos(), config.jitter(), random, scheduler, errors, counters.loopErrors);
        this.antiEntropyLoop = new BackgroundLoop("anti-entropy-" + config.nodeId(), this::antiEntropyTick,
                config.antiEntropyInterval().toNanos(), config.jitter(), random, scheduler, errors, counters.loopErrors);
    }

    /** The replica side, to register with a transport or serve over gRPC. */
    public ReplicaHandler handler() {
        return handler;
    }

    public int nodeId() {
        return config.nodeId();
    }

    /** Starts the hint delivery and anti-entropy loops. */
    public void start() {
        requireOpen();
        hintLoop.start();
        antiEntropyLoop.start();
    }

    @Override
    public CompletableFuture<Version> store(Memory memory) {
        requireOpen();
        return coordinator.store(memory);
    }

    @Override
    public List<CompletableFuture<Version>> storeAll(List<Memory> memories) {
        requireOpen();
        return coordinator.storeAll(memories);
    }

    @Override
    public CompletableFuture<Version> remove(String space, String id) {
        requireOpen();
        return coordinator.remove(space, id);
    }

    @Override
    public CompletableFuture<ReadResult> read(String space, String id, ReadConsistency consistency) {
        requireOpen();
        return coordinator.read(space, id, consistency);
    }

    @Override
    public CompletableFuture<SyncResult> syncPartition(int partition) {
        requireOpen();
        return antiEntropy.syncPartition(partition);
    }

    /** Syncs every partition this node replicates, one after another. */
    public CompletableFuture<List<SyncResult>> syncAll() {
        requireOpen();
        ReplicaPlacement pl = placement.get();
        List<SyncResult> results = new ArrayList<>();
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (int p = 0; p < pl.partitions(); p++) {
            if (pl.isReplica(config.nodeId(), p)) {
                int partition = p;
                chain = chain.thenCompose(v -> antiEntropy.syncPartition(partition)).thenAccept(results::add);
            }
        }
        return chain.thenApply(v -> List.copyOf(results));
    }

    /** Tries to deliver every kept hint now (targets that do not answer keep theirs). */
    public CompletableFuture<Void> deliverHints() {
        requireOpen();
        return hints.deliverAll();
    }

    /** Hints kept for {@code target}. */
    public int pendingHints(int target) {
        return hints.pending(target);
    }

    /** Hints kept for every target. */
    public int pendingHints() {
        return hints.pendingTotal();
    }

    /** Empties the hint queues and returns their hints (for a leaving node to hand over). */
    public List<Hint> exportHints() {
        return hints.exportAll();
    }

    /** Takes hints handed over by a leaving peer; those meant for this node are applied here at once. */
    public void importHints(Collection<Hint> handedOver) {
        List<Hint> others = new ArrayList<>();
        for (Hint h : handedOver) {
            if (h.target() == config.nodeId()) {
                handler.applyLocal(h.record());
            } else {
                others.add(h);
            }
        }
        hints.importAll(others);
    }

    /**
     * Stops serving (pings report not ready), stops the loops, makes one delivery attempt and completes with the
     * hints still undelivered, which the caller hands to a peer ({@link #importHints}).
     */
    public CompletableFuture<List<Hint>> drain() {
        requireOpen();
        handler.setReady(false);
        hintLoop.stop();
        antiEntropyLoop.stop();
        return hints.deliverAll().thenApply(v -> hints.exportAll());
    }

    @Override
    public ReplicationStats stats() {
        return counters.snapshot();
    }

    private CompletableFuture<?> antiEntropyTick(long nowNs) {
        ReplicaPlacement pl = placement.get();
        Set<Integer> lost = hints.takeLostPartitions();
        if (!lost.isEmpty()) {
            CompletableFuture<?> chain = CompletableFuture.completedFuture(null);
            for (int p : lost) {
                chain = chain.thenCompose(v -> antiEntropy.syncPartition(p));
            }
            return chain;
        }
        for (int i = 0; i < pl.partitions(); i++) {
            int p = (nextPartition + i) % pl.partitions();
            if (pl.isReplica(config.nodeId(), p)) {
                nextPartition = p + 1;
                return antiEntropy.syncPartition(p);
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("replication node " + config.nodeId() + " is closed");
        }
    }

    @Override
    public void close() {
        closed = true;
        hintLoop.stop();
        antiEntropyLoop.stop();
    }
}
