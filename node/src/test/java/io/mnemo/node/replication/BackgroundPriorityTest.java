package io.mnemo.node.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The threads that move partitions run at the nice value asked for, and only they do. */
class BackgroundPriorityTest {

    @Test
    void threadsOfTheFactory_runAtTheNiceValue_andOthersKeepTheirs() throws Exception {
        OptionalInt mine = BackgroundPriority.niceOfCurrentThread();
        assumeTrue(mine.isPresent(), "needs Linux's /proc/thread-self/stat");
        ThreadFactory lowered = BackgroundPriority.threads("mnemo-test-stream", 10);
        assertThat(onThreadOf(lowered, BackgroundPriority::niceOfCurrentThread)).hasValue(Math.max(10, mine.getAsInt()));
        assertThat(onThreadOf(lowered, () -> Thread.currentThread().getName())).isEqualTo("mnemo-test-stream-2");
        assertThat(BackgroundPriority.niceOfCurrentThread()).isEqualTo(mine);
    }

    @Test
    void niceZero_leavesThreadsAlone_andOutOfRangeIsRefused() throws Exception {
        OptionalInt mine = BackgroundPriority.niceOfCurrentThread();
        assumeTrue(mine.isPresent(), "needs Linux's /proc/thread-self/stat");
        assertThat(onThreadOf(BackgroundPriority.threads("mnemo-test-plain", 0), BackgroundPriority::niceOfCurrentThread))
                .isEqualTo(mine);
        assertThatThrownBy(() -> BackgroundPriority.threads("x", 20)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0..19");
        assertThatThrownBy(() -> BackgroundPriority.threads("x", -1)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Runs {@code task} on a new thread of {@code threads} and returns its result. */
    private static <T> T onThreadOf(ThreadFactory threads, Supplier<T> task) throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor(threads);
        try {
            return CompletableFuture.supplyAsync(task, pool).get(30, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
    }
}
