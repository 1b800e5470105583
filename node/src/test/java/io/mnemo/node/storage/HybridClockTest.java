package io.mnemo.node.storage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HybridClockTest {

    @Test
    void now_timeStepsBackwards_neverDecreases() {
        StoreFixtures.ManualClock t = new StoreFixtures.ManualClock(10_000);
        HybridClock c = new HybridClock(t);
        long a = c.now();
        t.advanceMillis(-5_000);
        long b = c.now();
        assertThat(b).isGreaterThan(a);
        assertThat(HybridClock.physicalMillis(a)).isEqualTo(10_000);
        assertThat(HybridClock.logical(b)).isEqualTo(1);
    }

    @Test
    void now_logicalCounterOverflows_carriesIntoPhysical() {
        StoreFixtures.ManualClock t = new StoreFixtures.ManualClock(1);
        HybridClock c = new HybridClock(t);
        long prev = c.now();
        for (int i = 0; i < 70_000; i++) {
            long n = c.now();
            assertThat(n).isGreaterThan(prev);
            prev = n;
        }
        assertThat(HybridClock.physicalMillis(prev)).isEqualTo(2);
    }

    @Test
    void nowAfter_remoteTimestampAhead_ordersAfterIt() {
        HybridClock c = new HybridClock(new StoreFixtures.ManualClock(5));
        long remote = (1_000L << 16) + 7;
        assertThat(c.nowAfter(remote)).isGreaterThan(remote);
        assertThat(c.now()).isGreaterThan(remote);
    }
}
