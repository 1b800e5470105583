package io.mnemo.node.storage.suite;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Runs tasks on their own threads, released together by a barrier (to maximise the window for races), and
 * joins them with a deadline. A deadline miss fails with a dump of every thread's stack and the JVM's
 * deadlock report, so a hang is diagnosable from the test report. A task's exception fails the run with the
 * first failure as the cause and the others suppressed.
 */
final class Workers {
    private Workers() {
    }

    /** A task that knows its index among the workers. */
    @FunctionalInterface
    interface Task {
        void run(int worker) throws Exception;
    }

    /** Runs {@code n} copies of {@code task} (worker index 0..n-1) together and waits at most {@code deadline}. */
    static void run(String name, int n, Duration deadline, Task task) throws InterruptedException {
        List<Task> tasks = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            tasks.add(task);
        }
        run(name, tasks, deadline);
    }

    /** Runs different tasks together (task i gets worker index i) and waits at most {@code deadline}. */
    static void run(String name, List<Task> tasks, Duration deadline) throws InterruptedException {
        int n = tasks.size();
        CyclicBarrier start = new CyclicBarrier(n);
        AtomicReferenceArray<Throwable> failures = new AtomicReferenceArray<>(n);
        List<Thread> threads = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int worker = i;
            Task t = tasks.get(i);
            Thread th = new Thread(() -> {
                try {
                    start.await(deadline.toMillis(), TimeUnit.MILLISECONDS);
                    t.run(worker);
                } catch (Throwable e) {
                    failures.set(worker, e);
                }
            }, name + "-" + i);
            th.setDaemon(true);
            threads.add(th);
        }
        threads.forEach(Thread::start);
        long deadlineNs = System.nanoTime() + deadline.toNanos();
        for (Thread th : threads) {
            long leftMs = TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime());
            if (leftMs > 0) {
                th.join(leftMs);
            }
            if (th.isAlive()) {
                String dump = threadDump();
                threads.forEach(Thread::interrupt);
                throw new AssertionError(name + ": " + th.getName() + " still running after " + deadline
                        + " (deadlock or livelock?)\n" + dump);
            }
        }
        Throwable primary = null;
        List<Throwable> others = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Throwable f = failures.get(i);
            if (f == null) {
                continue;
            }
            if (primary == null || primary instanceof BrokenBarrierException && !(f instanceof BrokenBarrierException)) {
                if (primary != null) {
                    others.add(primary);
                }
                primary = f;
            } else {
                others.add(f);
            }
        }
        if (primary != null) {
            AssertionError error = new AssertionError(name + ": a worker failed: " + primary, primary);
            others.forEach(error::addSuppressed);
            throw error;
        }
    }

    /** Every live thread's stack and the JVM's deadlock finding. */
    static String threadDump() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        StringBuilder sb = new StringBuilder();
        long[] deadlocked = mx.findDeadlockedThreads();
        sb.append(deadlocked == null ? "no deadlock found by the JVM\n" : "DEADLOCKED threads: " + deadlocked.length + "\n");
        for (ThreadInfo ti : mx.dumpAllThreads(true, true)) {
            sb.append('"').append(ti.getThreadName()).append("\" ").append(ti.getThreadState());
            if (ti.getLockName() != null) {
                sb.append(" on ").append(ti.getLockName());
            }
            if (ti.getLockOwnerName() != null) {
                sb.append(" owned by \"").append(ti.getLockOwnerName()).append('"');
            }
            sb.append('\n');
            for (StackTraceElement e : ti.getStackTrace()) {
                sb.append("    at ").append(e).append('\n');
            }
        }
        return sb.toString();
    }

    /** Waits for {@code latch} at most {@code deadline}; fails with a thread dump if it does not open. */
    static void await(CountDownLatch latch, Duration deadline, String what) throws InterruptedException {
        if (!latch.await(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(what + " did not happen within " + deadline + "\n" + threadDump());
        }
    }
}
