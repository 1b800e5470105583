package io.mnemo.node.numa;

import static io.mnemo.node.numa.SysfsTopologyReaderTest.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PinningPlanTest {

    private static final NumaConfig AUTO = NumaConfig.defaults();

    @Test
    void resolve_autoOnTwoNodes_onePinnedPoolPerNode() {
        PinningPlan plan = PinningPlan.resolve(AUTO, read("two-nodes"));

        assertThat(plan.pinned()).isTrue();
        assertThat(plan.pools()).extracting(PinningPlan.PoolPlan::name).containsExactly("numa0", "numa1");
        assertThat(plan.pools().get(1).cpus()).isEqualTo(CpuSet.parse("4-7,12-15"));
        assertThat(plan.pools().get(1).threads()).hasSize(8);
        assertThat(plan.pools().get(1).threads().get(0)).isEqualTo(new PinningPlan.ThreadPlan("mnemo-numa1-cpu4", CpuSet.of(4)));
        assertThat(plan.reason()).contains("2 NUMA nodes");
    }

    @Test
    void resolve_autoOnFourInterleavedNodes_skipsOfflineCpu() {
        PinningPlan plan = PinningPlan.resolve(AUTO, read("four-nodes-interleaved"));

        assertThat(plan.pools()).hasSize(4);
        assertThat(plan.pools().get(1).threads()).extracting(PinningPlan.ThreadPlan::name)
                .containsExactly("mnemo-numa1-cpu1", "mnemo-numa1-cpu5", "mnemo-numa1-cpu9");
    }

    @Test
    void resolve_autoOnOneNodeWithFourCpus_pinsOnePool() {
        PinningPlan plan = PinningPlan.resolve(AUTO, read("one-node"));

        assertThat(plan.pinned()).isTrue();
        assertThat(plan.pools()).hasSize(1);
        assertThat(plan.reason()).contains("one NUMA node with 4 usable CPUs");
    }

    @Test
    void resolve_autoOnOneSmallNode_unpinnedSayingWhy() {
        NumaTopology twoCpus = read("one-node").withAllowed(CpuSet.range(0, 1));

        PinningPlan plan = PinningPlan.resolve(AUTO, twoCpus);

        assertThat(plan.pinned()).isFalse();
        assertThat(plan.reason()).contains("one NUMA node with 2 usable CPUs", "auto-min-cpus=4", "unpinned");
        assertThat(plan.pools()).singleElement().satisfies(pool -> {
            assertThat(pool.numaNode()).isEqualTo(-1);
            assertThat(pool.threads()).hasSize(2).allSatisfy(t -> assertThat(t.cpus().isEmpty()).isTrue());
        });
    }

    @Test
    void resolve_autoWithMissingSysfs_unpinned() {
        PinningPlan plan = PinningPlan.resolve(AUTO, read("missing-sysfs"));

        assertThat(plan.pinned()).isFalse();
        assertThat(plan.reason()).contains("topology unknown");
    }

    @Test
    void resolve_autoWhenCpusetAllowsOneNode_pinsOnlyThatNode() {
        NumaTopology t = read("two-nodes").withAllowed(CpuSet.parse("4-7,12-15"));

        PinningPlan plan = PinningPlan.resolve(AUTO, t);

        assertThat(plan.pools()).extracting(PinningPlan.PoolPlan::numaNode).containsExactly(1);
    }

    @Test
    void resolve_autoWhenNoOnlineCpuIsAllowed_unpinnedSayingWhy() {
        PinningPlan plan = PinningPlan.resolve(AUTO, read("two-nodes").withAllowed(CpuSet.of(40)));

        assertThat(plan.pinned()).isFalse();
        assertThat(plan.reason()).contains("allowed set 40");
        assertThat(plan.pools().get(0).threads()).hasSize(1);
    }

    @Test
    void resolve_off_unpinnedEvenOnTwoNodes() {
        NumaConfig off = NumaConfig.builder().mode(NumaMode.OFF).unpinnedThreads(3).build();

        PinningPlan plan = PinningPlan.resolve(off, read("two-nodes"));

        assertThat(plan.pinned()).isFalse();
        assertThat(plan.pools().get(0).threads()).hasSize(3);
        assertThat(plan.reason()).isEqualTo("mnemo.numa.mode=off");
    }

    @Test
    void resolve_explicitLists_onePoolPerListOnItsNode() {
        NumaConfig c = NumaConfig.builder().cpus("4-5;0,8").build();

        PinningPlan plan = PinningPlan.resolve(c, read("two-nodes"));

        assertThat(plan.pools()).extracting(PinningPlan.PoolPlan::name).containsExactly("numa1-pool0", "numa0-pool1");
        assertThat(plan.pools().get(1).threads()).extracting(PinningPlan.ThreadPlan::name)
                .containsExactly("mnemo-numa0-cpu0", "mnemo-numa0-cpu8");
    }

    @Test
    void resolve_oneThreadPerCoreTwoThreadsPerCpu_pinsToCoreSiblings() {
        NumaConfig c = NumaConfig.builder().oneThreadPerCore(true).threadsPerCpu(2).build();

        PinningPlan plan = PinningPlan.resolve(c, read("one-node"));

        assertThat(plan.pools().get(0).threads()).containsExactly(
                new PinningPlan.ThreadPlan("mnemo-numa0-cpu0,2-0", CpuSet.of(0, 2)),
                new PinningPlan.ThreadPlan("mnemo-numa0-cpu0,2-1", CpuSet.of(0, 2)),
                new PinningPlan.ThreadPlan("mnemo-numa0-cpu1,3-0", CpuSet.of(1, 3)),
                new PinningPlan.ThreadPlan("mnemo-numa0-cpu1,3-1", CpuSet.of(1, 3)));
    }

    @Test
    void resolve_explicitImpossibleLists_typedErrorsSayingWhy() {
        NumaTopology four = read("four-nodes-interleaved");
        for (List<String> c : List.of(
                List.of("13", "CPUs 13 are offline"),
                List.of("0,16", "CPUs 16 are not present"),
                List.of("0,1", "spans NUMA nodes 0 and 1"))) {
            NumaConfig config = NumaConfig.builder().cpus(c.get(0)).build();
            assertThatThrownBy(() -> PinningPlan.resolve(config, four))
                    .isInstanceOfSatisfying(NumaConfigException.class, e -> assertThat(e.setting()).isEqualTo("mnemo.numa.cpus"))
                    .hasMessageContaining(c.get(1));
        }
        NumaConfig notAllowed = NumaConfig.builder().cpus("0-3").build();
        assertThatThrownBy(() -> PinningPlan.resolve(notAllowed, read("one-node").withAllowed(CpuSet.of(0))))
                .hasMessageContaining("outside this process's allowed CPUs 0");
        assertThatThrownBy(() -> PinningPlan.resolve(notAllowed, read("missing-sysfs")))
                .hasMessageContaining("topology is unknown");
    }
}
