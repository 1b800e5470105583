package io.mnemo.node.cluster.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.ignite.failure.FailureContext;
import org.apache.ignite.failure.FailureType;
import org.apache.ignite.internal.IgniteEx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Timeout;

/**
 * Three Ignite server nodes in this JVM on 127.0.0.1, shared by the tests of this class (each start costs
 * seconds); tests that need a node to leave start a fourth one of their own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IgniteMembershipTest {
    private static final Duration EVENT_DEADLINE = Duration.ofSeconds(15);
    private static final List<String> IDS = List.of("a", "b", "c");

    private final List<IgniteMembership> nodes = new ArrayList<>();
    private final List<EventRecorder> recorders = new ArrayList<>();
    private final CountDownLatch latch = new CountDownLatch(1);
    private TestPorts.Block ports;
    private Path work;

    @BeforeAll
    void startCluster(@TempDir Path workDir) throws IOException {
        work = workDir;
        ports = TestPorts.allocate();
        for (String id : IDS) {
            LocalServices services = new LocalServices()
                    .register(TestJobs.Greeting.class, new TestJobs.Greeting("hello from " + id))
                    .register(CountDownLatch.class, latch);
            IgniteMembership node = TestNodes.start(id, ports, work, services);
            EventRecorder recorder = new EventRecorder();
            node.addListener(recorder);
            nodes.add(node);
            recorders.add(recorder);
        }
        Await.until(EVENT_DEADLINE, "every node to see three members",
                () -> nodes.stream().allMatch(n -> n.liveMembers().size() == 3), () -> nodes.get(0).liveMembers());
    }

    @AfterAll
    void stopCluster() {
        latch.countDown();
        nodes.forEach(IgniteMembership::close);
    }

    @Test
    void liveMembers_threeNodesStarted_everyNodeSeesAllThreeInIdOrder() {
        for (IgniteMembership node : nodes) {
            assertThat(node.liveMembers()).extracting(ClusterMember::nodeId).containsExactly("a", "b", "c");
        }
        assertThat(nodes.get(1).localMember().nodeId()).isEqualTo("b");
    }

    @Test
    void member_remoteNode_carriesConfiguredEndpointAndZone() {
        ClusterMember expected = nodes.get(2).localMember();
        assertThat(expected.zone()).isEqualTo("zone-c");
        for (IgniteMembership node : nodes) {
            assertThat(node.member("c")).contains(expected);
        }
        assertThat(nodes.get(0).member("nope")).isEmpty();
    }

    @Test
    void ignite_started_holdsNoCaches() {
        for (IgniteMembership node : nodes) {
            assertThat(node.ignite().cacheNames()).isEmpty();
            assertThat(node.ignite().configuration().isPeerClassLoadingEnabled()).isFalse();
        }
    }

    @Test
    void broadcast_allNodesLive_returnsOneResultPerNodeFromItsLocalServices() {
        BroadcastResult<String> result = nodes.get(0).compute().broadcast(new TestJobs.Greet(), Duration.ofSeconds(10));

        assertThat(result.complete()).as("%s", result).isTrue();
        assertThat(result.resultsOrThrow()).isEqualTo(Map.of(
                "a", "a:hello from a", "b", "b:hello from b", "c", "c:hello from c"));
    }

    @Test
    void call_jobThrows_failsWithJobFailedNamingTheNodeAndCause() {
        assertThatThrownBy(() -> nodes.get(0).compute().call("b", new TestJobs.FailOn("b"), Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(ClusterJobException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ClusterJobException.Kind.JOB_FAILED);
                    assertThat(e.nodeId()).isEqualTo("b");
                    assertThat(e.getCause()).isInstanceOf(IllegalArgumentException.class).hasMessage("refused on b");
                });
    }

    @Test
    void broadcast_jobThrowsOnOneNode_reportsThatNodeAndTheOthersResults() {
        BroadcastResult<String> result = nodes.get(2).compute().broadcast(new TestJobs.FailOn("a"), Duration.ofSeconds(10));

        assertThat(result.results()).isEqualTo(Map.of("b", "b", "c", "c"));
        assertThat(result.failures()).containsOnlyKeys("a");
        assertThat(result.failures().get("a").kind()).isEqualTo(ClusterJobException.Kind.JOB_FAILED);
        assertThatThrownBy(result::resultsOrThrow).isInstanceOf(ClusterJobException.class).hasMessageContaining("'a'");
    }

    @Test
    void call_unknownNode_failsWithUnknownNode() {
        assertThatThrownBy(() -> nodes.get(0).compute().call("zz", new TestJobs.Greet(), Duration.ofSeconds(5)))
                .isInstanceOfSatisfying(ClusterJobException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ClusterJobException.Kind.UNKNOWN_NODE);
                    assertThat(e.nodeId()).isEqualTo("zz");
                });
    }

    @Test
    void call_jobOutlivesDeadline_failsWithTimedOutNamingTheNode() {
        assertThatThrownBy(() -> nodes.get(0).compute().call("c", new TestJobs.WaitForLatch(), Duration.ofMillis(300)))
                .isInstanceOfSatisfying(ClusterJobException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ClusterJobException.Kind.TIMED_OUT);
                    assertThat(e.nodeId()).isEqualTo("c");
                });
    }

    @Test
    void close_fourthNodeLeaves_othersSeeJoinThenLeaveAndCloseIsIdempotent() {
        IgniteMembership d = TestNodes.start("d", ports, work, new LocalServices());
        for (EventRecorder recorder : recorders) {
            recorder.await(MembershipEvent.Kind.JOINED, "d", EVENT_DEADLINE);
        }
        assertThat(nodes.get(0).liveMembers()).extracting(ClusterMember::nodeId).contains("d");

        long t0 = System.nanoTime();
        d.close();
        d.close();
        long worstMs = 0;
        for (EventRecorder recorder : recorders) {
            EventRecorder.Timed left = recorder.await(MembershipEvent.Kind.LEFT, "d", EVENT_DEADLINE);
            worstMs = Math.max(worstMs, (left.atNs() - t0) / 1_000_000);
        }
        System.out.printf("graceful leave: close() to LEFT delivered on every other node: %d ms%n", worstMs);

        assertThat(nodes.get(1).liveMembers()).extracting(ClusterMember::nodeId).containsExactly("a", "b", "c");
        assertThatThrownBy(d::liveMembers).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(d::compute).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void addListener_listenerThrows_failureCountedAndOtherListenersStillCalled() {
        IgniteMembership a = nodes.get(0);
        long before = a.listenerFailureCount();
        MembershipListener thrower = event -> {
            throw new IllegalStateException("listener bug");
        };
        EventRecorder after = new EventRecorder();
        a.addListener(thrower);
        a.addListener(after);
        try (IgniteMembership e = TestNodes.start("e", ports, work, new LocalServices())) {
            after.await(MembershipEvent.Kind.JOINED, "e", EVENT_DEADLINE);
            assertThat(e.liveMembers()).hasSize(4);
        } finally {
            a.removeListener(thrower);
            a.removeListener(after);
        }
        assertThat(a.listenerFailureCount()).isGreaterThan(before);
    }

    @Test
    void failureHandler_minorThenCriticalFailure_keepsJvmStopsOnlyThisMembershipAndReportsIt() {
        EventRecorder others = recorders.get(0);
        IgniteMembership f = TestNodes.start("f", ports, work, new LocalServices());
        EventRecorder local = new EventRecorder();
        f.addListener(local);
        others.await(MembershipEvent.Kind.JOINED, "f", EVENT_DEADLINE);
        IgniteEx ignite = (IgniteEx) f.ignite();

        ignite.context().failure().process(new FailureContext(FailureType.SYSTEM_WORKER_BLOCKED, new IllegalStateException("slow")));
        assertThat(f.minorFailureCount()).isEqualTo(1);
        assertThat(f.liveMembers()).hasSize(4);

        ignite.context().failure().process(new FailureContext(FailureType.CRITICAL_ERROR, new IllegalStateException("test")));
        local.await(MembershipEvent.Kind.LOCAL_STOPPED, "f", EVENT_DEADLINE);
        Await.until(EVENT_DEADLINE, "the others to drop f",
                () -> nodes.get(0).liveMembers().size() == 3, () -> nodes.get(0).liveMembers());

        assertThat(f.criticalFailureCount()).isEqualTo(1);
        assertThatThrownBy(f::liveMembers).isInstanceOf(IllegalStateException.class).hasMessageContaining("CRITICAL_ERROR");
        f.close();
        f.close();
    }

    @Test
    void start_nodeIdAlreadyRunningInThisJvm_refused() {
        assertThatThrownBy(() -> TestNodes.start("a", ports, work, new LocalServices()))
                .isInstanceOf(MembershipStartException.class)
                .hasMessageContaining("already runs in this JVM");
        assertThat(nodes.get(0).liveMembers()).hasSize(3);
    }

    /** Prints the remote call latency on loopback; asserts only that every call returned its own value. */
    @Test
    void call_remoteNodeOnLoopback_returnsEveryValueAndReportsLatency() {
        ClusterCompute compute = nodes.get(0).compute();
        for (int i = 0; i < 500; i++) {
            assertThat(compute.call("b", new TestJobs.Echo(i), Duration.ofSeconds(5))).isEqualTo(i);
        }
        int n = 2000;
        long[] samples = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            Long answer = compute.call("b", new TestJobs.Echo(i), Duration.ofSeconds(5));
            samples[i] = System.nanoTime() - t0;
            assertThat(answer).isEqualTo(i);
        }
        Arrays.sort(samples);
        System.out.printf("remote call a->b on loopback, %d calls: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms%n", n,
                samples[n / 2] / 1e6, samples[n * 9 / 10] / 1e6, samples[n * 99 / 100] / 1e6, samples[n - 1] / 1e6);
        long t0 = System.nanoTime();
        BroadcastResult<Long> all = compute.broadcast(new TestJobs.Echo(7), Duration.ofSeconds(5));
        System.out.printf("one broadcast to 3 nodes: %.3f ms%n", (System.nanoTime() - t0) / 1e6);
        assertThat(all.resultsOrThrow()).containsOnlyKeys("a", "b", "c");
    }
    @Test
    void callAsync_eachOutcome_completesTheFutureWithTheResultOrATypedFailure() {
        ClusterCompute compute = nodes.get(0).compute();
        assertThat(compute.callAsync("b", new TestJobs.Greet(), Duration.ofSeconds(10)).join())
                .isEqualTo("b:hello from b");
        assertThat(compute.callAsync("a", new TestJobs.Greet(), Duration.ofSeconds(10)).join())
                .isEqualTo("a:hello from a");
        assertThat(failureOf(compute.callAsync("c", new TestJobs.FailOn("c"), Duration.ofSeconds(10))))
                .satisfies(e -> {
                    assertThat(e.kind()).isEqualTo(ClusterJobException.Kind.JOB_FAILED);
                    assertThat(e.nodeId()).isEqualTo("c");
                    assertThat(e.getCause()).isInstanceOf(IllegalArgumentException.class);
                });
        assertThat(failureOf(compute.callAsync("nope", new TestJobs.Greet(), Duration.ofSeconds(10))).kind())
                .isEqualTo(ClusterJobException.Kind.UNKNOWN_NODE);
        // The latch is released only when the class ends: the job cannot answer before its timeout.
        assertThat(failureOf(compute.callAsync("b", new TestJobs.WaitForLatch(), Duration.ofMillis(300))).kind())
                .isEqualTo(ClusterJobException.Kind.TIMED_OUT);
    }

    private static ClusterJobException failureOf(java.util.concurrent.CompletableFuture<?> f) {
        try {
            f.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(ClusterJobException.class);
            return (ClusterJobException) e.getCause();
        } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the future did not complete", e);
        }
        throw new AssertionError("the call must fail");
    }
}
