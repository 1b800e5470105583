package io.mnemo.node.replication;

import com.sun.jna.Function;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lowers the CPU scheduling priority of the threads that move partitions, so that on a busy machine they take the CPU
 * client calls leave and not the other way round.
 *
 * <p><b>Why.</b> A join streams gigabytes: the old owners read and send their partitions, the new owner applies them.
 * On a 2-core machine those threads saturated both cores and client calls queued behind them (client p99 of 0.15-2 s
 * during a 300K-memory join, 2.3 s during a 1M one). The Linux scheduler gives a thread of nice 10 about a tenth of the
 * weight of a nice-0 thread when both want the CPU, and all of an idle one, so the move still runs at full speed when
 * clients are quiet.
 *
 * <p>On Linux every thread has its own nice value ({@code setpriority(PRIO_PROCESS, tid, nice)}, libc through JNA).
 * Raising one's own nice value needs no privilege; lowering it again does, so only threads that do nothing but
 * background work are lowered, once, when they start ({@link #threads}). Where it fails (not Linux, no native access)
 * the threads run at normal priority and one line is logged.
 */
final class BackgroundPriority {
    private static final Logger LOG = LoggerFactory.getLogger(BackgroundPriority.class);
    private static final int PRIO_PROCESS = 0;
    private static final AtomicBoolean FAILURE_LOGGED = new AtomicBoolean();

    private BackgroundPriority() {
    }

    /**
     * Daemon threads named {@code name-N} whose nice value is set to {@code nice} (0 leaves them alone) before their
     * first task.
     */
    static ThreadFactory threads(String name, int nice) {
        if (nice < 0 || nice > 19) {
            throw new IllegalArgumentException("nice must be in 0..19, got " + nice);
        }
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread t = new Thread(() -> {
                if (nice > 0) {
                    lowerCurrentThread(nice);
                }
                task.run();
            }, name + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Sets the calling thread's nice value to {@code nice} (a lower priority than the default 0), unless it is higher
     * already (a node started under {@code nice} keeps its own); true if the thread now runs at least that nice.
     */
    static boolean lowerCurrentThread(int nice) {
        OptionalInt now = niceOfCurrentThread();
        if (now.isPresent() && now.getAsInt() >= nice) {
            return true;
        }
        try {
            int tid = Function.getFunction("c", "gettid").invokeInt(new Object[0]);
            Function.getFunction("c", "setpriority", Function.THROW_LAST_ERROR)
                    .invokeInt(new Object[] {PRIO_PROCESS, tid, nice});
            return true;
        } catch (RuntimeException | LinkageError e) {
            if (FAILURE_LOGGED.compareAndSet(false, true)) {
                LOG.info("partition streams run at normal CPU priority: setting thread {}'s nice value to {} failed: {}",
                        Thread.currentThread().getName(), nice, e.toString());
            }
            return false;
        }
    }

    /** The calling thread's nice value as the kernel reports it ({@code /proc/thread-self/stat}), if readable. */
    static OptionalInt niceOfCurrentThread() {
        try {
            String stat = Files.readString(Path.of("/proc/thread-self/stat"));
            // After "pid (comm) ": state is field 3 of stat(5), nice field 19, so index 16 of what follows the comm.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            return OptionalInt.of(Integer.parseInt(f[16]));
        } catch (IOException | RuntimeException e) {
            return OptionalInt.empty();
        }
    }
}
