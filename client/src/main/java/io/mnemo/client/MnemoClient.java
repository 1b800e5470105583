package io.mnemo.client;

import io.mnemo.client.internal.CallerThreadExecutor;
import io.mnemo.client.internal.ClientCore;
import io.mnemo.client.internal.Codec;
import io.mnemo.client.internal.ScanIterator;
import io.mnemo.client.internal.Validation;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A connection to a Mnemo cluster. It fetches the cluster's topology from a seed when built, sends each call
 * straight to a replica of the key's partition (preferring the client's zone), follows topology changes (a
 * background refresher, and at once when a node answers "wrong owner" or "stale epoch"), and retries what is safe
 * to retry with a jittered backoff, up to the retry policy's cap.
 *
 * <p>Every call has a blocking form and an {@code ...Async} form returning a {@link CompletableFuture}. Failures
 * are {@link MnemoException}s: thrown by the blocking form, and completing the future exceptionally in the async
 * form (dependent stages see them wrapped in a {@code CompletionException}, as usual). Calls that take no space
 * use the builder's default space. Input is checked before anything is sent ({@link InvalidArgumentException}
 * names the field).
 *
 * <p>Thread-safe and meant to be shared: one client per cluster per application. {@link #close()} is idempotent;
 * any call after it throws {@link ClientClosedException}.
 *
 * <pre>{@code
 * try (MnemoClient client = MnemoClient.builder()
 *         .seeds("127.0.0.1:7400", "127.0.0.1:7401")
 *         .defaultSpace("demo")
 *         .requestTimeout(Duration.ofSeconds(2))
 *         .build()) {
 *     Version v = client.store(Memory.builder().id("m-1").content("hello").build());
 *     Optional<Memory> back = client.recall("m-1");
 *     client.recallAsync("demo", "m-1", CallOptions.defaults().withConsistency(Consistency.ONE))
 *           .thenAccept(m -> System.out.println(m));
 * }
 * }</pre>
 */
public final class MnemoClient implements AutoCloseable {
    private final ClientCore core;

    MnemoClient(ClientCore core) {
        this.core = core;
    }

    /** A builder; see {@link MnemoClientBuilder} for every setting and its default. */
    public static MnemoClientBuilder builder() {
        return new MnemoClientBuilder();
    }

    // ---- store ----

    /** Stores (upserts) a memory; returns the version it was stored with. See {@link #storeAsync}. */
    public Version store(Memory memory) {
        open("store");
        Objects.requireNonNull(memory, "memory");
        io.mnemo.protocol.v1.Memory wire = Codec.toWire("memory", memory, spaceOrDefault(memory.space().orElse(null)));
        CallerThreadExecutor callbacks = callerThread();
        return await(core.store(wire, CallOptions.defaults(), callbacks), callbacks);
    }

    /**
     * Stores (upserts) a memory in its space, or the default space when it names none. Acknowledged after the
     * cluster's write quorum made it durable. Retried after a lost connection or a timeout: repeating a store
     * stores the same value again (last writer wins), see the README's retry rules.
     */
    public CompletableFuture<Version> storeAsync(Memory memory, CallOptions options) {
        open("store");
        Objects.requireNonNull(memory, "memory");
        return core.store(Codec.toWire("memory", memory, spaceOrDefault(memory.space().orElse(null))), options);
    }

    /** Stores many memories; see {@link #storeAllAsync}. */
    public List<StoreResult> storeAll(List<Memory> memories) {
        return await(storeAllAsync(memories));
    }

    /**
     * Stores many memories, grouped by the node that coordinates each and sent in parallel as batches. One result
     * per memory, in input order; a memory that fails does not fail the others (see {@link StoreResult}). The
     * future itself fails only for invalid input, which is refused before anything is sent.
     */
    public CompletableFuture<List<StoreResult>> storeAllAsync(List<Memory> memories) {
        open("storeAll");
        List<io.mnemo.protocol.v1.Memory> wire = new ArrayList<>(memories.size());
        for (int i = 0; i < memories.size(); i++) {
            Memory m = Objects.requireNonNull(memories.get(i), "memories[" + i + "]");
            wire.add(Codec.toWire("memories[" + i + "]", m, spaceOrDefault(m.space().orElse(null))));
        }
        return core.storeAll(wire);
    }

    // ---- recall ----

    /** Recalls a memory of the default space; empty when it does not exist. */
    public Optional<Memory> recall(String id) {
        return recall(null, id, CallOptions.defaults());
    }

    /** Recalls a memory; empty when it does not exist or was removed. */
    public Optional<Memory> recall(String space, String id) {
        return recall(space, id, CallOptions.defaults());
    }

    /** Recalls a memory with options (consistency, deadline, hedging); see {@link #recallAsync}. */
    public Optional<Memory> recall(String space, String id, CallOptions options) {
        open("recall");
        String s = space(space);
        CallerThreadExecutor callbacks = callerThread();
        return await(core.recall(s, Validation.id("id", id), options, callbacks), callbacks);
    }

    /**
     * Recalls a memory (the node updates its access statistics); empty when it does not exist or was removed.
     *
     * @param space the space, or {@code null} for the default space
     * @throws NotFoundException (in the future) when the space does not exist
     */
    public CompletableFuture<Optional<Memory>> recallAsync(String space, String id, CallOptions options) {
        open("recall");
        String s = space(space);
        return core.recall(s, Validation.id("id", id), options);
    }

    /** Recalls many memories of one space; see {@link #recallAllAsync}. */
    public Map<String, Memory> recallAll(String space, Collection<String> ids, CallOptions options) {
        return await(recallAllAsync(space, ids, options));
    }

    /**
     * Recalls many memories in parallel, each from its own replicas. The map holds the ones that exist, keyed by
     * id, in the order of {@code ids}; the future fails if any recall fails.
     */
    public CompletableFuture<Map<String, Memory>> recallAllAsync(String space, Collection<String> ids, CallOptions options) {
        open("recallAll");
        String s = space(space);
        List<String> order = new ArrayList<>(ids);
        List<CompletableFuture<Optional<Memory>>> all = new ArrayList<>(order.size());
        for (int i = 0; i < order.size(); i++) {
            all.add(core.recall(s, Validation.id("ids[" + i + "]", order.get(i)), options));
        }
        return CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).thenApply(done -> {
            Map<String, Memory> found = new LinkedHashMap<>();
            for (int i = 0; i < order.size(); i++) {
                String id = order.get(i);
                all.get(i).join().ifPresent(m -> found.put(id, m));
            }
            return found;
        });
    }

    // ---- remove ----

    /** Removes a memory of the default space; returns whether a live memory was there. */
    public boolean remove(String id) {
        return remove(null, id);
    }

    /** Removes a memory; returns whether a live memory was there. */
    public boolean remove(String space, String id) {
        open("remove");
        String s = space(space);
        CallerThreadExecutor callbacks = callerThread();
        return await(core.remove(s, Validation.id("id", id), CallOptions.defaults(), callbacks), callbacks);
    }

    /**
     * Removes a memory (writes a tombstone). Removing a missing memory succeeds with {@code false}. Retried like a
     * store: a second tombstone is the same outcome.
     *
     * @param space the space, or {@code null} for the default space
     */
    public CompletableFuture<Boolean> removeAsync(String space, String id, CallOptions options) {
        open("remove");
        String s = space(space);
        return core.remove(s, Validation.id("id", id), options);
    }

    // ---- scan ----

    /** Scans the default space with default options; see {@link #scan(String, ScanOptions)}. */
    public Stream<Memory> scan() {
        return scan(null, ScanOptions.defaults());
    }

    /**
     * A lazy stream of the live memories of a space, read from the cluster as it is consumed. A stream that breaks
     * (a node dies) resumes on another replica from the last chunk received, with no memory repeated or skipped;
     * failures beyond the retry cap are thrown from the stream's terminal operation. Close the stream (try with
     * resources) when not consuming it to the end.
     *
     * @param space the space, or {@code null} for the default space
     */
    public Stream<Memory> scan(String space, ScanOptions options) {
        open("scan");
        ScanIterator it = core.scan(space(space), Objects.requireNonNull(options, "options"));
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED | Spliterator.NONNULL),
                false).onClose(it::close);
    }

    // ---- recall by cue ----

    /** The {@code k} memories of the default space most similar to {@code cue}; see {@link #recallByCueAsync}. */
    public CueResult recallByCue(float[] cue, int k, float minConfidence) {
        return await(recallByCueAsync(null, cue, k, minConfidence, CallOptions.defaults()));
    }

    /**
     * The {@code k} memories most similar to {@code cue} (cosine) with confidence at least {@code minConfidence},
     * best first. One node scatters the query over the space's partitions and gathers the answers; see
     * {@link CueResult#complete()} for partial answers.
     *
     * @param space the space, or {@code null} for the default space
     * @param cue the cue embedding: the space's dimension, every value finite
     * @param k how many, at least 1
     * @param minConfidence in [0, 1]
     */
    public CompletableFuture<CueResult> recallByCueAsync(String space, float[] cue, int k, float minConfidence,
                                                         CallOptions options) {
        open("recallByCue");
        String s = space(space);
        Objects.requireNonNull(cue, "cue");
        if (cue.length == 0) {
            throw new InvalidArgumentException("cue", "is empty", "the space's dimension");
        }
        if (k < 1) {
            throw new InvalidArgumentException("k", "is " + k, ">= 1");
        }
        return core.recallByCue(s, Validation.finite("cue", cue.clone()), k, Validation.unit("minConfidence", minConfidence),
                options);
    }

    // ---- counts, stats, spaces ----

    /** Cluster-wide counts of every space. */
    public Counts counts() {
        return await(countsAsync(""));
    }

    /**
     * Cluster-wide counts (each memory once) of one space, or of every space when {@code space} is {@code ""}.
     */
    public CompletableFuture<Counts> countsAsync(String space) {
        open("counts");
        String s = Objects.requireNonNull(space, "space").isEmpty() ? "" : Validation.space("space", space);
        return core.counts(s, CallOptions.defaults());
    }

    /** Storage statistics of every member node; see {@link #statsAsync}. */
    public List<Stats> stats() {
        return await(statsAsync());
    }

    /** Storage statistics of every member node of the current topology, each asked directly. */
    public CompletableFuture<List<Stats>> statsAsync() {
        open("stats");
        return core.stats(CallOptions.defaults());
    }

    /** Creates a space; returns it with the cluster's defaults filled in. See {@link #createSpaceAsync}. */
    public SpaceInfo createSpace(SpaceInfo space) {
        return await(createSpaceAsync(space));
    }

    /**
     * Creates a space. Not retried after an unknown outcome (a lost connection, a timeout): check with
     * {@link #listSpaces()} before trying again.
     */
    public CompletableFuture<SpaceInfo> createSpaceAsync(SpaceInfo space) {
        open("createSpace");
        return core.createSpace(Objects.requireNonNull(space, "space"), CallOptions.defaults());
    }

    /** Drops a space and every memory in it. See {@link #dropSpaceAsync}. */
    public void dropSpace(String name) {
        await(dropSpaceAsync(name));
    }

    /** Drops a space and every memory in it. Not retried after an unknown outcome, like {@link #createSpaceAsync}. */
    public CompletableFuture<Void> dropSpaceAsync(String name) {
        open("dropSpace");
        return core.dropSpace(Validation.space("name", name), CallOptions.defaults());
    }

    /** Every space of the cluster. */
    public List<SpaceInfo> listSpaces() {
        return await(listSpacesAsync());
    }

    public CompletableFuture<List<SpaceInfo>> listSpacesAsync() {
        open("listSpaces");
        return core.listSpaces(CallOptions.defaults());
    }

    // ---- lifecycle ----

    /** The topology epoch the client currently routes by. */
    public long topologyEpoch() {
        open("topologyEpoch");
        return core.topologyEpoch();
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return core.isClosed();
    }

    /**
     * Closes the client: stops the topology refresher, fails calls in flight with {@link ClientClosedException} and
     * closes the connections. Idempotent and thread-safe; later calls throw {@link ClientClosedException}.
     */
    @Override
    public void close() {
        core.close();
    }

    @Override
    public String toString() {
        return "MnemoClient[seeds=" + core.settings().seeds() + ", closed=" + core.isClosed() + "]";
    }

    private void open(String op) {
        if (core.isClosed()) {
            throw new ClientClosedException(op);
        }
    }

    private String space(String space) {
        return Validation.space("space", spaceOrDefault(space));
    }

    private String spaceOrDefault(String space) {
        return space != null ? space : core.settings().defaultSpace();
    }

    /**
     * The executor a blocking call's callbacks run on: this thread, while it waits ({@link CallerThreadExecutor}),
     * unless the application gave the client its own executor, which then runs them as for async calls.
     */
    private CallerThreadExecutor callerThread() {
        return core.settings().executor() == null ? new CallerThreadExecutor() : null;
    }

    /** Waits for a call; rethrows its {@link MnemoException}. Every call is bounded by its timeouts and retry cap. */
    private static <T> T await(CompletableFuture<T> f) {
        return await(f, null);
    }

    /** Waits for a call, running its callbacks on this thread when {@code callbacks} is set; see {@link #await}. */
    private static <T> T await(CompletableFuture<T> f, CallerThreadExecutor callbacks) {
        try {
            return callbacks == null ? f.get() : callbacks.await(f);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof MnemoException) {
                throw (MnemoException) cause;
            }
            throw new MnemoException("call failed unexpectedly: " + cause, cause);
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new MnemoException("interrupted while waiting for the call, which was cancelled", e);
        }
    }
}
