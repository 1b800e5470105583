package io.mnemo.node.cluster.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Timeout;

/** A member in a child JVM, killed with SIGKILL: the in-JVM node must declare it failed promptly. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ChildProcessFailureTest {
    /** Generous for a loaded 2-core machine; detection is expected in well under a second. */
    private static final Duration FAIL_DEADLINE = Duration.ofSeconds(10);

    @Test
    void kill_childJvmMemberRunningAJob_inJvmNodeSeesFailedAndTheCallFailsWithNodeLeft(@TempDir Path work) throws Exception {
        TestPorts.Block ports = TestPorts.allocate();
        EventRecorder recorder = new EventRecorder();
        try (IgniteMembership local = TestNodes.start("p", ports, work, new LocalServices());
                ChildJvmProcess child = ChildJvmProcess.start("q", ports, work)) {
            local.addListener(recorder);
            child.awaitReady(Duration.ofSeconds(60));
            recorder.await(MembershipEvent.Kind.JOINED, "q", Duration.ofSeconds(15));
            assertThat(local.liveMembers()).extracting(ClusterMember::nodeId).containsExactly("p", "q");
            assertThat(local.compute().call("q", new TestJobs.Greet(), Duration.ofSeconds(10))).isEqualTo("q:child q");
            measureCrossProcessCalls(local);

            ExecutorService caller = Executors.newSingleThreadExecutor();
            Future<String> blocked = caller.submit(
                    () -> local.compute().call("q", new TestJobs.AnnounceThenWait(), Duration.ofSeconds(60)));
            child.awaitJobStarted(Duration.ofSeconds(15));

            long t0 = System.nanoTime();
            child.kill();
            EventRecorder.Timed failed = recorder.await(MembershipEvent.Kind.FAILED, "q", FAIL_DEADLINE);
            System.out.printf("kill -9 of child JVM (pid %d) to FAILED delivered: %d ms%n", child.pid(),
                    (failed.atNs() - t0) / 1_000_000);

            assertThatThrownBy(() -> blocked.get(15, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOfSatisfying(ClusterJobException.class, e -> {
                        assertThat(e.kind()).isEqualTo(ClusterJobException.Kind.NODE_LEFT);
                        assertThat(e.nodeId()).isEqualTo("q");
                    });
            caller.shutdownNow();
            assertThat(recorder.find(MembershipEvent.Kind.LEFT, "q")).isEmpty();
            assertThat(local.liveMembers()).extracting(ClusterMember::nodeId).containsExactly("p");
            assertThatThrownBy(() -> local.compute().call("q", new TestJobs.Greet(), Duration.ofSeconds(5)))
                    .isInstanceOfSatisfying(ClusterJobException.class,
                            e -> assertThat(e.kind()).isEqualTo(ClusterJobException.Kind.UNKNOWN_NODE));
        }
    }

    private static void measureCrossProcessCalls(IgniteMembership local) {
        int n = 1000;
        long[] samples = new long[n];
        for (int i = -300; i < n; i++) {
            long t0 = System.nanoTime();
            Long answer = local.compute().call("q", new TestJobs.Echo(i), Duration.ofSeconds(5));
            if (i >= 0) {
                samples[i] = System.nanoTime() - t0;
            }
            assertThat(answer).isEqualTo(i);
        }
        Arrays.sort(samples);
        System.out.printf("remote call p->q across processes on loopback, %d calls: p50 %.3f ms, p99 %.3f ms%n", n,
                samples[n / 2] / 1e6, samples[n * 99 / 100] / 1e6);
    }
}
