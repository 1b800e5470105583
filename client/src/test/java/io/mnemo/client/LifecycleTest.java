package io.mnemo.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Close is idempotent, refuses later calls and ends calls in flight. */
@Timeout(30)
class LifecycleTest {
    private FakeCluster cluster;

    @BeforeEach
    void start() throws Exception {
        cluster = FakeCluster.start(2, 8, 2);
    }

    @AfterEach
    void stop() throws Exception {
        cluster.close();
    }

    @Test
    void anyCall_afterClose_throwsClientClosedException() {
        MnemoClient client = Fixtures.builder(cluster).build();
        client.close();
        client.close();

        assertThat(client.isClosed()).isTrue();
        assertThatThrownBy(() -> client.recall("k")).isInstanceOf(ClientClosedException.class)
                .hasMessageContaining("build a new one");
        assertThatThrownBy(() -> client.store(Fixtures.memory("k"))).isInstanceOf(ClientClosedException.class);
        assertThatThrownBy(client::scan).isInstanceOf(ClientClosedException.class);
        assertThatThrownBy(client::topologyEpoch).isInstanceOf(ClientClosedException.class);
    }

    @Test
    void recallAsync_inFlightWhenClosed_failsWithClientClosedException() throws Exception {
        cluster.nodes().forEach(n -> n.hang("recall"));
        MnemoClient client = Fixtures.builder(cluster).build();
        CompletableFuture<Optional<Memory>> pending = client.recallAsync(null, "k", CallOptions.defaults());
        assertThat(pending).isNotDone();

        client.close();

        assertThatThrownBy(() -> pending.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(ClientClosedException.class);
    }

    @Test
    void close_fromManyThreadsAtOnce_closesOnce() throws Exception {
        MnemoClient client = Fixtures.builder(cluster).build();
        Thread[] threads = new Thread[4];
        java.util.concurrent.CyclicBarrier barrier = new java.util.concurrent.CyclicBarrier(threads.length);
        for (int i = 0; i < threads.length; i++) {
            threads[i] = new Thread(() -> {
                try {
                    barrier.await(5, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                client.close();
            });
            threads[i].start();
        }
        for (Thread t : threads) {
            t.join(10_000);
            assertThat(t.isAlive()).isFalse();
        }
        assertThat(client.isClosed()).isTrue();
    }

    @Test
    void asyncCalls_configuredExecutor_completeOnIt() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor(
                r -> new Thread(r, "app-pool"));
        // Holds the pool's work until the test has attached its stage, so the stage cannot run on the test thread.
        java.util.concurrent.atomic.AtomicReference<java.util.concurrent.CountDownLatch> gate =
                new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.Executor gated = command -> pool.execute(() -> {
            java.util.concurrent.CountDownLatch g = gate.get();
            try {
                if (g != null && !g.await(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("gate not opened within 10 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            command.run();
        });
        try (MnemoClient client = Fixtures.builder(cluster).executor(gated).build()) {
            java.util.concurrent.CountDownLatch open = new java.util.concurrent.CountDownLatch(1);
            gate.set(open);
            CompletableFuture<String> thread = client.storeAsync(Fixtures.memory("k"), CallOptions.defaults())
                    .thenApply(v -> Thread.currentThread().getName());
            open.countDown();

            assertThat(thread.get(10, TimeUnit.SECONDS)).isEqualTo("app-pool");
        } finally {
            pool.shutdownNow();
        }
    }
}
