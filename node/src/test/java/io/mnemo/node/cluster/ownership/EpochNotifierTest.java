package io.mnemo.node.cluster.ownership;

import static org.assertj.core.api.Assertions.assertThat;

import io.mnemo.node.cluster.ownership.BaselineCommand.CreateSpace;
import io.mnemo.node.cluster.ownership.BaselineCommand.Init;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class EpochNotifierTest {
    /** An executor that queues tasks until the test runs them, to control interleavings. */
    private final Queue<Runnable> tasks = new ArrayDeque<>();
    private final AtomicReference<BaselineState> current = new AtomicReference<>(BaselineState.empty());
    private final EpochNotifier notifier = new EpochNotifier(tasks::add, current::get);

    private static BaselineState epoch(int n) {
        BaselineState s = States.applyAll(new Init(8, 1));
        for (int i = 1; i < n; i++) {
            s = BaselineTransitions.apply(s, new CreateSpace("s" + i, 4, 10)).state();
        }
        return s;
    }

    private void runAll() {
        while (!tasks.isEmpty()) {
            tasks.poll().run();
        }
    }

    private void advanceTo(BaselineState s) {
        current.set(s);
        notifier.publish(s);
    }

    @Test
    void add_afterEpochs_firstSeesCurrentThenEachLaterEpochOnceInOrder() {
        advanceTo(epoch(1));
        advanceTo(epoch(2));
        runAll();
        List<Long> seen = new ArrayList<>();

        notifier.add(s -> seen.add(s.epoch()));
        advanceTo(epoch(3));
        advanceTo(epoch(4));
        runAll();

        assertThat(seen).containsExactly(2L, 3L, 4L);
    }

    @Test
    void add_racingWithPublish_neverSeesAnEpochTwiceOrBackwards() {
        List<Long> seen = new ArrayList<>();
        advanceTo(epoch(1));
        current.set(epoch(2));
        notifier.add(s -> seen.add(s.epoch()));
        notifier.publish(epoch(2));
        advanceTo(epoch(3));
        runAll();

        assertThat(seen).containsExactly(1L, 2L, 3L);
    }

    @Test
    void add_onUninitializedState_deliversNothingUntilInit() {
        List<Long> seen = new ArrayList<>();
        notifier.add(s -> seen.add(s.epoch()));
        runAll();
        assertThat(seen).isEmpty();

        advanceTo(epoch(1));
        runAll();
        assertThat(seen).containsExactly(1L);
    }

    @Test
    void publish_listenerThrows_countsFailureAndOthersStillCalled() {
        List<Long> seen = new ArrayList<>();
        notifier.add(s -> {
            throw new IllegalStateException("boom");
        });
        notifier.add(s -> seen.add(s.epoch()));

        advanceTo(epoch(1));
        advanceTo(epoch(2));
        runAll();

        assertThat(seen).containsExactly(1L, 2L);
        assertThat(notifier.failureCount()).isEqualTo(2);
    }

    @Test
    void subscriptionClose_stopsDeliveryIncludingQueuedTasks() {
        List<Long> seen = new ArrayList<>();
        OwnershipLog.Subscription sub = notifier.add(s -> seen.add(s.epoch()));
        advanceTo(epoch(1));
        runAll();

        advanceTo(epoch(2));
        sub.close();
        sub.close();
        runAll();

        assertThat(seen).containsExactly(1L);
    }
}
