package io.mnemo.node.numa;

import static io.mnemo.node.numa.SysfsTopologyReaderTest.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import net.openhft.affinity.Affinity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NumaWorkersTest {

    private static final long WAIT_S = 10;

    /** Records which thread asked for which CPUs, and always reports success. */
    private static final class RecordingBinder implements CpuBinder {
        final Map<String, CpuSet> bound = new ConcurrentHashMap<>();

        @Override
        public boolean bindCurrentThread(CpuSet cpus) {
            bound.put(Thread.currentThread().getName(), cpus);
            return true;
        }
    }

    private static final class Failures implements WorkerErrorHandler {
        final BlockingQueue<Throwable> seen = new LinkedBlockingQueue<>();
        final List<String> where = new ArrayList<>();

        @Override
        public synchronized void onError(String pool, String thread, Throwable error) {
            where.add(pool + "/" + thread);
            seen.add(error);
        }
    }

    private static final class TestError extends Error {
        private static final long serialVersionUID = 1L;

        TestError(String message) {
            super(message);
        }
    }

    private static NumaWorkers unpinned(int threads, Failures failures, NumaConfig.Builder b) {
        NumaConfig config = b.mode(NumaMode.OFF).unpinnedThreads(threads).build();
        return NumaWorkers.start(config, read("one-node"), 8, failures, new RecordingBinder());
    }

    @Test
    void start_explicitCpuList_workerThreadPinnedAsProcReports() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "needs Linux /proc");
        NumaTopology machine = NumaTopology.detect(Path.of("/sys/devices/system"));
        assumeTrue(machine.detected() && !machine.usable().isEmpty(), "needs a readable sysfs topology");
        int cpu = machine.usable().toArray()[machine.usable().size() - 1];
        NumaConfig config = NumaConfig.builder().cpus(String.valueOf(cpu)).build();

        try (NumaWorkers workers = NumaWorkers.start(config, machine, 4, new Failures())) {
            assumeTrue(workers.status().pinnedThreads() == 1, "the kernel refused to pin (see the warning in the log)");
            CompletableFuture<String> where = CompletableFuture.supplyAsync(
                    () -> Affinity.getThreadId() + " " + Thread.currentThread().getName(), workers.executorFor(0));
            String[] tidAndName = where.get(WAIT_S, TimeUnit.SECONDS).split(" ");
            assumeTrue(!tidAndName[0].equals("-1"), "no native thread id (JNA unavailable)");

            String allowed = cpusAllowedList(Path.of("/proc/self/task", tidAndName[0], "status"));

            assertThat(CpuSet.parse(allowed)).isEqualTo(CpuSet.of(cpu));
            assertThat(tidAndName[1]).isEqualTo("mnemo-numa" + machine.nodeOf(cpu).getAsInt() + "-cpu" + cpu);
            assertThat(workers.status().pinned()).isTrue();
        }
    }

    private static String cpusAllowedList(Path status) throws IOException {
        return Files.readAllLines(status).stream()
                .filter(l -> l.startsWith("Cpus_allowed_list:"))
                .map(l -> l.substring("Cpus_allowed_list:".length()).strip())
                .findFirst()
                .orElseThrow(() -> new AssertionError("no Cpus_allowed_list in " + status));
    }

    @Test
    void executorFor_twoNodeFixture_runsEachPartitionOnItsNodesThreads() throws Exception {
        RecordingBinder binder = new RecordingBinder();
        try (NumaWorkers workers = NumaWorkers.start(NumaConfig.defaults(), read("two-nodes"), 64, new Failures(), binder)) {
            List<CompletableFuture<String>> runs = new ArrayList<>();
            for (int p = 0; p < 64; p++) {
                runs.add(CompletableFuture.supplyAsync(() -> Thread.currentThread().getName(), workers.executorFor(p)));
            }
            for (int p = 0; p < 64; p++) {
                String thread = runs.get(p).get(WAIT_S, TimeUnit.SECONDS);
                int node = workers.numaNodeOf(p);
                assertThat(thread).startsWith("mnemo-numa" + node + "-cpu");
                assertThat(read("two-nodes").nodes().get(node).cpus().containsAll(binder.bound.get(thread))).isTrue();
            }
            NumaStatus status = workers.status();
            assertThat(status.pinnedThreads()).isEqualTo(16);
            assertThat(status.numaNodes()).isEqualTo(2);
            assertThat(status.pools()).extracting(NumaStatus.PoolStatus::partitions).containsExactly(32, 32);
            assertThat(status.pools()).extracting(NumaStatus.PoolStatus::completedTasks).containsExactly(32L, 32L);
        }
    }

    @Test
    void warmUp_allPartitions_runsEachOnItsOwningPool() throws Exception {
        Map<Integer, String> threadOf = new ConcurrentHashMap<>();
        try (NumaWorkers workers = NumaWorkers.start(NumaConfig.defaults(), read("four-nodes-interleaved"), 30, new Failures(),
                new RecordingBinder())) {
            workers.warmUp(p -> () -> threadOf.put(p, Thread.currentThread().getName())).get(WAIT_S, TimeUnit.SECONDS);

            assertThat(threadOf).hasSize(30);
            threadOf.forEach((p, thread) -> assertThat(thread).startsWith("mnemo-numa" + workers.numaNodeOf(p) + "-"));
        }
    }

    @Test
    void warmUp_failingPartition_futureFailsWithTheCause() {
        try (NumaWorkers workers = unpinned(2, new Failures(), NumaConfig.builder())) {
            CompletableFuture<Void> done = workers.warmUp(List.of(1, 2), p -> () -> {
                if (p == 2) {
                    throw new IllegalStateException("file of partition 2 is unreadable");
                }
            });

            assertThatThrownBy(() -> done.get(WAIT_S, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasRootCauseMessage("file of partition 2 is unreadable");
        }
    }

    @Test
    void execute_taskThrows_errorHandlerAndCounterSeeItAndWorkerCarriesOn() throws Exception {
        Failures failures = new Failures();
        try (NumaWorkers workers = unpinned(1, failures, NumaConfig.builder())) {
            workers.executorFor(0).execute(() -> {
                throw new IllegalArgumentException("boom");
            });

            assertThat(failures.seen.poll(WAIT_S, TimeUnit.SECONDS)).isInstanceOf(IllegalArgumentException.class).hasMessage("boom");
            CompletableFuture<String> after = CompletableFuture.supplyAsync(() -> "ran", workers.executorFor(0));
            assertThat(after.get(WAIT_S, TimeUnit.SECONDS)).isEqualTo("ran");
            assertThat(workers.status().failedTasks()).isEqualTo(1);
            assertThat(workers.status().pools().get(0).replacedThreads()).isZero();
            assertThat(failures.where).containsExactly("unpinned/mnemo-worker-unpinned-0");
        }
    }

    @Test
    void execute_taskThrowsError_reportedRethrownAndWorkerReplaced() throws Exception {
        Failures failures = new Failures();
        try (NumaWorkers workers = unpinned(1, failures, NumaConfig.builder())) {
            workers.executorFor(0).execute(() -> {
                throw new TestError("fatal");
            });

            assertThat(failures.seen.poll(WAIT_S, TimeUnit.SECONDS)).isInstanceOf(TestError.class);
            CompletableFuture<String> after = CompletableFuture.supplyAsync(() -> Thread.currentThread().getName(), workers.executorFor(0));
            assertThat(after.get(WAIT_S, TimeUnit.SECONDS)).isEqualTo("mnemo-worker-unpinned-0-r1");
            NumaStatus.PoolStatus pool = workers.status().pools().get(0);
            assertThat(pool.replacedThreads()).isEqualTo(1);
            assertThat(pool.failedTasks()).isEqualTo(1);
            assertThat(pool.threads()).isEqualTo(1);
        }
    }

    @Test
    void execute_queueFull_rejectedNamingTheSetting() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (NumaWorkers workers = unpinned(1, new Failures(), NumaConfig.builder().queueCapacity(1))) {
            Executor executor = workers.executorFor(0);
            executor.execute(() -> {
                running.countDown();
                awaitQuietly(release);
            });
            assertThat(running.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
            executor.execute(() -> { });

            assertThatThrownBy(() -> executor.execute(() -> { }))
                    .isInstanceOf(RejectedExecutionException.class)
                    .hasMessageContaining("mnemo.numa.queue-capacity");
            assertThat(workers.status().queueDepth()).isEqualTo(1);
            release.countDown();
        }
    }

    @Test
    void close_queuedTasks_finishBeforeCloseReturns() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger ran = new AtomicInteger();
        NumaWorkers workers = unpinned(1, new Failures(), NumaConfig.builder());
        Executor executor = workers.executorFor(0);
        executor.execute(() -> awaitQuietly(release));
        for (int i = 0; i < 10; i++) {
            executor.execute(ran::incrementAndGet);
        }
        Thread closer = new Thread(workers::close);
        closer.start();
        release.countDown();
        closer.join(TimeUnit.SECONDS.toMillis(WAIT_S));

        assertThat(closer.isAlive()).isFalse();
        assertThat(ran.get()).isEqualTo(10);
        assertThat(workers.status().threads()).isZero();
    }

    @Test
    void close_concurrentAndRepeated_idempotentThenRefusesWork() throws Exception {
        NumaWorkers workers = NumaWorkers.start(NumaConfig.defaults(), read("two-nodes"), 16, new Failures(), new RecordingBinder());
        Executor held = workers.executorFor(3);
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> closers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Thread t = new Thread(() -> {
                awaitQuietly(go);
                workers.close();
            });
            t.start();
            closers.add(t);
        }
        go.countDown();
        for (Thread t : closers) {
            t.join(TimeUnit.SECONDS.toMillis(WAIT_S));
            assertThat(t.isAlive()).isFalse();
        }
        workers.close();

        assertThat(workers.status().closed()).isTrue();
        assertThat(workers.status().threads()).isZero();
        assertThatThrownBy(() -> workers.executorFor(0)).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> held.execute(() -> { })).isInstanceOf(RejectedExecutionException.class).hasMessageContaining("closed");
    }

    @Test
    void close_taskIgnoresDeadline_interruptedAndQueuedTasksDropped() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicInteger ran = new AtomicInteger();
        AtomicReference<Thread> worker = new AtomicReference<>();
        NumaWorkers workers = unpinned(1, new Failures(), NumaConfig.builder().shutdownTimeout(Duration.ofMillis(200)));
        Executor executor = workers.executorFor(0);
        executor.execute(() -> {
            worker.set(Thread.currentThread());
            running.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        });
        executor.execute(ran::incrementAndGet);
        executor.execute(ran::incrementAndGet);
        assertThat(running.await(WAIT_S, TimeUnit.SECONDS)).isTrue();

        workers.close();

        assertThat(ran.get()).isZero();
        assertThat(workers.status().queueDepth()).isZero();
        worker.get().join(TimeUnit.SECONDS.toMillis(WAIT_S));
        assertThat(worker.get().isAlive()).isFalse();
        assertThat(interrupted.get()).isTrue();
    }

    @Test
    void close_calledFromAWorkerTask_doesNotDeadlock() throws Exception {
        NumaWorkers workers = unpinned(2, new Failures(), NumaConfig.builder());
        CompletableFuture<Void> closedFromInside = CompletableFuture.runAsync(workers::close, workers.executorFor(0));

        closedFromInside.get(WAIT_S, TimeUnit.SECONDS);
        workers.close();

        assertThat(workers.status().closed()).isTrue();
    }

    @Test
    void start_binderRefuses_runsUnpinnedAndCountsIt() throws Exception {
        try (NumaWorkers workers = NumaWorkers.start(NumaConfig.defaults(), read("one-node"), 8, new Failures(), cpus -> false)) {
            CompletableFuture<String> ran = CompletableFuture.supplyAsync(() -> "ok", workers.executorFor(5));

            assertThat(ran.get(WAIT_S, TimeUnit.SECONDS)).isEqualTo("ok");
            assertThat(workers.status().pinned()).isTrue();
            assertThat(workers.status().threads()).isEqualTo(4);
            assertThat(workers.status().pinnedThreads()).isZero();
        }
    }

    @Test
    void start_offOnThisMachine_neverReadsSysfsAndRunsUnpinned() throws Exception {
        NumaConfig off = NumaConfig.builder().mode(NumaMode.OFF).sysfsRoot(Path.of("/nonexistent/sys")).build();
        try (NumaWorkers workers = NumaWorkers.start(off, 8, new Failures())) {
            CompletableFuture<String> ran = CompletableFuture.supplyAsync(() -> Thread.currentThread().getName(), workers.executorFor(7));

            assertThat(ran.get(WAIT_S, TimeUnit.SECONDS)).startsWith("mnemo-worker-unpinned-");
            assertThat(workers.status().pinned()).isFalse();
            assertThat(workers.numaNodeOf(7)).isEqualTo(-1);
            assertThat(workers.status().reason()).isEqualTo("mnemo.numa.mode=off");
        }
    }

    @Test
    void start_oneSmallNode_logsTopologyAndWhyItRunsUnpinned() {
        Logger logger = (Logger) LoggerFactory.getLogger(NumaWorkers.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        Level previousLevel = logger.getLevel();
        logger.setLevel(Level.INFO);
        NumaTopology twoCpus = read("one-node").withAllowed(CpuSet.range(0, 1));
        try (NumaWorkers workers = NumaWorkers.start(NumaConfig.defaults(), twoCpus, 8, new Failures(), new RecordingBinder())) {
            assertThat(appender.list).extracting(ILoggingEvent::getFormattedMessage)
                    .anySatisfy(m -> assertThat(m).startsWith("NUMA topology: 1 node [node0 cpus [0-3]").contains("allowed [0-1]"))
                    .anySatisfy(m -> assertThat(m).startsWith("NUMA placement: mode auto, unpinned (one NUMA node with 2 usable CPUs")
                            .contains("unpinned threads 2 pinned 0 partitions 8"));
            assertThat(workers.status().pinned()).isFalse();
        } finally {
            logger.detachAppender(appender);
            logger.setLevel(previousLevel);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(WAIT_S, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
