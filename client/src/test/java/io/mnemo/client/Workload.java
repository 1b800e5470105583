package io.mnemo.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A client workload for the real-cluster tests: on its own thread, stores memory {@code i} and reads it back at
 * QUORUM, for i = 0, 1, ... until stopped; records every acknowledged store and every error (the first error
 * stops it). Tests run a cluster change under it, then {@link #check()} that no error surfaced and every acknowledged
 * store reads back.
 */
final class Workload {
    private static final CallOptions QUORUM = CallOptions.defaults().withConsistency(Consistency.QUORUM);

    /** Acknowledged stores: id -> content. */
    final Map<String, String> acked = new ConcurrentHashMap<>();
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    /** Calls completed: a store and its read-back count as two. */
    final AtomicInteger done = new AtomicInteger();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final MnemoClient client;
    private final String space;
    private final String name;
    private final IntFunction<Memory> memoryOf;
    private final Thread thread;

    /**
     * A workload named {@code name} storing {@code memoryOf.apply(i)} into {@code space} through {@code client}; each
     * memory must have content and its own id.
     */
    Workload(String name, MnemoClient client, String space, IntFunction<Memory> memoryOf) {
        this.name = name;
        this.client = client;
        this.space = space;
        this.memoryOf = memoryOf;
        this.thread = new Thread(this::run, "workload-" + name);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        for (int i = 0; !stop.get(); i++) {
            Memory m = memoryOf.apply(i);
            String content = m.content().orElseThrow();
            try {
                client.store(m);
                acked.put(m.id(), content);
                done.incrementAndGet();
                Optional<Memory> back = client.recall(space, m.id(), QUORUM);
                if (back.isEmpty() || !back.get().content().equals(Optional.of(content))) {
                    errors.add(new AssertionError("read back " + back + " for " + m.id()));
                }
                done.incrementAndGet();
            } catch (RuntimeException e) {
                errors.add(e);
                e.printStackTrace(System.out);
                return;
            }
        }
    }

    /** Waits up to {@code timeout} until {@code n} calls are done, and fails if an error surfaced first. */
    void awaitOps(int n, Duration timeout) {
        ClusterProbe.await(timeout, () -> done.get() >= n || !errors.isEmpty());
        assertThat(errors).as("errors surfaced to the workload").isEmpty();
    }

    void stop() throws InterruptedException {
        stop.set(true);
        thread.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(thread.isAlive()).as("workload thread stopped").isFalse();
    }

    /** No error surfaced, and every acknowledged store reads back at QUORUM with its content. */
    void check() {
        assertThat(errors).as("errors surfaced to the workload").isEmpty();
        System.out.println(name + " workload: " + acked.size() + " acknowledged stores, " + done.get() + " calls");
        List<CompletableFuture<?>> reads = new ArrayList<>();
        for (Map.Entry<String, String> e : acked.entrySet()) {
            reads.add(client.recallAsync(space, e.getKey(), QUORUM).thenAccept(got -> {
                assertThat(got).as("acknowledged store %s", e.getKey()).isPresent();
                assertThat(got.get().content()).contains(e.getValue());
            }));
        }
        CompletableFuture.allOf(reads.toArray(new CompletableFuture<?>[0])).orTimeout(60, TimeUnit.SECONDS).join();
    }
}
