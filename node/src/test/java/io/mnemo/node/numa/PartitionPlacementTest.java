package io.mnemo.node.numa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class PartitionPlacementTest {

    @Test
    void proportional_equalNodes_splitsEvenlyAndInterleaves() {
        PartitionPlacement p = PartitionPlacement.proportional(256, new int[] {8, 8}, new int[] {0, 1});

        assertThat(p.countOf(0)).isEqualTo(128);
        assertThat(p.countOf(1)).isEqualTo(128);
        assertThat(IntStream.range(0, 6).map(p::poolOf).toArray()).containsExactly(0, 1, 0, 1, 0, 1);
        assertThat(p.numaNodeOf(3)).isEqualTo(1);
    }

    @Test
    void proportional_unequalNodes_followsCpuCounts() {
        PartitionPlacement p = PartitionPlacement.proportional(256, new int[] {4, 3, 4, 4}, new int[] {0, 1, 2, 3});

        assertThat(IntStream.range(0, 4).map(p::countOf).toArray()).containsExactly(69, 51, 68, 68);
        assertThat(p.partitionsOf(1)).hasSize(51);
        assertThat(p.describe()).isEqualTo("pool0(node0)=69 pool1(node1)=51 pool2(node2)=68 pool3(node3)=68");
    }

    @Test
    void proportional_morePoolsThanPartitions_somePoolsGetNone() {
        PartitionPlacement p = PartitionPlacement.proportional(2, new int[] {1, 1, 1}, new int[] {0, 1, 2});

        assertThat(IntStream.range(0, 3).map(p::countOf).toArray()).containsExactly(1, 1, 0);
    }

    @Test
    void proportional_badArguments_areRefusedWithTheValue() {
        assertThatThrownBy(() -> PartitionPlacement.proportional(0, new int[] {1}, new int[] {0})).hasMessageContaining("0");
        assertThatThrownBy(() -> PartitionPlacement.proportional(4, new int[] {1, 0}, new int[] {0, 1})).hasMessageContaining("[1, 0]");
        assertThatThrownBy(() -> PartitionPlacement.proportional(4, new int[] {1}, new int[] {0, 1})).hasMessageContaining("1 weights");
        PartitionPlacement p = PartitionPlacement.proportional(4, new int[] {1}, new int[] {0});
        assertThatThrownBy(() -> p.poolOf(4)).hasMessageContaining("partition 4");
    }

    @Property(tries = 200)
    void proportional_anyWeights_countsWithinOneOfExactShareAndMatchMapping(
            @ForAll @IntRange(min = 1, max = 4096) int partitions,
            @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 1, max = 128) Integer> weightList) {
        int[] weights = weightList.stream().mapToInt(Integer::intValue).toArray();
        int[] nodes = IntStream.range(0, weights.length).toArray();
        PartitionPlacement p = PartitionPlacement.proportional(partitions, weights, nodes);
        double total = Arrays.stream(weights).sum();

        int[] seen = new int[weights.length];
        for (int partition = 0; partition < partitions; partition++) {
            seen[p.poolOf(partition)]++;
        }
        for (int i = 0; i < weights.length; i++) {
            double exact = partitions * weights[i] / total;
            assertThat((double) p.countOf(i)).isCloseTo(exact, offset(0.999_999));
            assertThat(seen[i]).isEqualTo(p.countOf(i));
        }
    }

    @Property(tries = 100)
    void proportional_sameInputs_sameMapping(@ForAll @IntRange(min = 1, max = 1024) int partitions,
                                             @ForAll @Size(min = 1, max = 6) List<@IntRange(min = 1, max = 64) Integer> weightList) {
        int[] weights = weightList.stream().mapToInt(Integer::intValue).toArray();
        int[] nodes = IntStream.range(0, weights.length).toArray();

        PartitionPlacement a = PartitionPlacement.proportional(partitions, weights, nodes);
        PartitionPlacement b = PartitionPlacement.proportional(partitions, weights.clone(), nodes.clone());

        assertThat(IntStream.range(0, partitions).map(a::poolOf).toArray())
                .containsExactly(IntStream.range(0, partitions).map(b::poolOf).toArray());
    }
}
