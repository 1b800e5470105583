package io.mnemo.node.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The threads that move partitions run at the nice value asked for, and only they do. */
class BackgroundPriorityTest {

    @Test
    void threadsOfTheFactory_runAtTheNiceValue_andOthersKeepTheirs() throws Exception {
        OptionalInt mine = BackgroundPriority.niceOfCurrentThread();
        assumeTrue(mine.isPresent(), "needs Linux's /proc/thread-self/stat");
        ExecutorService pool = Executors.newSingleThreadExecutor(BackgroundPriority.threads("mnemo-test-stream", 10));
        try {
            CompletableFuture<OptionalInt> nice = CompletableFuture.supplyAsync(BackgroundPriority::niceOfCurrentThread, pool);
            CompletableFuture<String> name = CompletableFuture.supplyAsync(() -> Thread.currentThread().getName(), pool);
            assertThat(nice.get(30, TimeUnit.SECONDS)).hasValue(Math.max(10, mine.getAsInt()));
            assertThat(name.get(30, TimeUnit.SECONDS)).isEqualTo("mnemo-test-stream-1");
        } finally {
            pool.shutdownNow();
        }
        assertThat(BackgroundPriority.niceOfCurrentThread()).isEqualTo(mine);
    }

    @Test
    void niceZero_leavesThreadsAlone_andOutOfRangeIsRefused() throws Exception {
        OptionalInt mine = BackgroundPriority.niceOfCurrentThread();
        assumeTrue(mine.isPresent(), "needs Linux's /proc/thread-self/stat");
        ExecutorService pool = Executors.newSingleThreadExecutor(BackgroundPriority.threads("mnemo-test-plain", 0));
        try {
            assertThat(CompletableFuture.supplyAsync(BackgroundPriority::niceOfCurrentThread, pool).get(30, TimeUnit.SECONDS))
                    .isEqualTo(mine);
        } finally {
            pool.shutdownNow();
        }
        assertThatThrownBy(() -> BackgroundPriority.threads("x", 20)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0..19");
        assertThatThrownBy(() -> BackgroundPriority.threads("x", -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
