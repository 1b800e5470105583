package io.mnemo.client;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Shared test settings: short timeouts, a seeded retry policy, no background refresher unless asked. */
final class Fixtures {
    static final long SEED = Long.getLong("mnemo.test.seed", 20261122L);
    static final String SPACE = "demo";

    private Fixtures() {
    }

    static RetryPolicy fastRetries(int maxAttempts) {
        System.out.println("retry jitter seed: " + SEED + " (replay with -Dmnemo.test.seed=" + SEED + ")");
        return RetryPolicy.of(maxAttempts, Duration.ofMillis(5), Duration.ofMillis(40)).withSeed(SEED);
    }

    /** A builder for {@code cluster} with test defaults; tests add what they need. */
    static MnemoClientBuilder builder(FakeCluster cluster) {
        return MnemoClient.builder()
                .seeds(cluster.seeds())
                .defaultSpace(SPACE)
                .connectTimeout(Duration.ofMillis(500))
                .requestTimeout(Duration.ofSeconds(2))
                .topologyRefreshPeriod(Duration.ZERO);
    }

    static Memory memory(String id) {
        return Memory.builder().id(id).content("content of " + id).embedding(new float[] {0.25f, 0.5f}).confidence(0.5f)
                .build();
    }

    /** Records listener events and lets a test wait for a given topology epoch. */
    static final class RecordingListener implements ClientListener {
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<Integer> retryAttempts = new CopyOnWriteArrayList<>();
        private final long awaitedEpoch;
        private final CountDownLatch reached = new CountDownLatch(1);

        RecordingListener(long awaitedEpoch) {
            this.awaitedEpoch = awaitedEpoch;
        }

        @Override
        public void callFinished(Operation operation, Duration latency, Throwable failure) {
            events.add("finished " + operation + (failure == null ? " ok" : " failed"));
        }

        @Override
        public void retrying(Operation operation, int attempt, Duration backoff, Throwable cause) {
            retryAttempts.add(attempt);
            events.add("retry " + operation + " #" + attempt);
        }

        @Override
        public void topologyRefreshed(long oldEpoch, long newEpoch, String endpoint) {
            events.add("topology " + oldEpoch + "->" + newEpoch);
            if (newEpoch >= awaitedEpoch) {
                reached.countDown();
            }
        }

        boolean awaitEpoch(long seconds) throws InterruptedException {
            return reached.await(seconds, TimeUnit.SECONDS);
        }
    }
}
