package io.mnemo.node.numa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.BitSet;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class CpuSetTest {

    @Test
    void parse_rangesAndSingles_containsExactlyThoseCpus() {
        CpuSet set = CpuSet.parse("0-3,8-11");

        assertThat(set.toArray()).containsExactly(0, 1, 2, 3, 8, 9, 10, 11);
        assertThat(set.size()).isEqualTo(8);
    }

    @Test
    void parse_kernelStyleTrailingNewlineAndSpaces_isAccepted() {
        assertThat(CpuSet.parse(" 1 - 2 , 5\n").toArray()).containsExactly(1, 2, 5);
    }

    @Test
    void parse_blankAsTheKernelWritesForNone_isEmpty() {
        assertThat(CpuSet.parse("\n").isEmpty()).isTrue();
        assertThat(CpuSet.parse("").format()).isEmpty();
    }

    @Test
    void format_unorderedOverlappingInput_isCanonical() {
        assertThat(CpuSet.parse("9,3-5,0,4-6,1,7").format()).isEqualTo("0-1,3-7,9");
    }

    @Test
    void parse_reversedRange_failsNamingTheRange() {
        assertThatThrownBy(() -> CpuSet.parse("0,5-2"))
                .isInstanceOf(CpuListFormatException.class)
                .hasMessageContaining("'5-2'")
                .hasMessageContaining("0,5-2");
    }

    @Test
    void parse_badItems_failWithTypedErrorCarryingTheInput() {
        for (String bad : List.of("a", "1,,2", "1-", "-1", "1-2-3", ",", "3,", "0x1", "1.5", "99999999", "65536")) {
            assertThatThrownBy(() -> CpuSet.parse(bad))
                    .as("input '%s'", bad)
                    .isInstanceOfSatisfying(CpuListFormatException.class, e -> assertThat(e.input()).isEqualTo(bad));
        }
    }

    @Test
    void parse_null_failsWithTypedError() {
        assertThatThrownBy(() -> CpuSet.parse(null)).isInstanceOf(CpuListFormatException.class);
    }

    @Test
    void setOperations_behaveAsOnSets() {
        CpuSet a = CpuSet.parse("0-5");
        CpuSet b = CpuSet.parse("4-9");

        assertThat(a.intersect(b)).isEqualTo(CpuSet.parse("4-5"));
        assertThat(a.union(b)).isEqualTo(CpuSet.range(0, 9));
        assertThat(a.minus(b)).isEqualTo(CpuSet.of(0, 1, 2, 3));
        assertThat(a.intersects(b)).isTrue();
        assertThat(a.containsAll(CpuSet.of(1, 5))).isTrue();
        assertThat(a.containsAll(b)).isFalse();
        assertThat(b.first()).isEqualTo(4);
    }

    @Test
    void of_negativeOrTooLargeId_isRefused() {
        assertThatThrownBy(() -> CpuSet.of(-1)).hasMessageContaining("-1");
        assertThatThrownBy(() -> CpuSet.of(CpuSet.MAX_CPU_ID + 1)).hasMessageContaining(String.valueOf(CpuSet.MAX_CPU_ID + 1));
    }

    @Test
    void toBitSet_isACopy() {
        CpuSet set = CpuSet.of(1, 3);
        BitSet bits = set.toBitSet();
        bits.set(7);

        assertThat(set.contains(7)).isFalse();
        assertThat(CpuSet.fromBitSet(bits)).isEqualTo(CpuSet.of(1, 3, 7));
    }

    @Property(tries = 300)
    void formatThenParse_anySet_roundTrips(@ForAll @Size(max = 40) List<@IntRange(min = 0, max = 300) Integer> cpus) {
        CpuSet set = CpuSet.of(cpus);

        assertThat(CpuSet.parse(set.format())).isEqualTo(set);
        assertThat(CpuSet.parse(set.format()).format()).isEqualTo(set.format());
    }

    @Property(tries = 300)
    void parse_rangeWithBlanksAround_holdsEveryIdInRange(@ForAll @IntRange(min = 0, max = 2000) int from,
                                                         @ForAll @IntRange(min = 0, max = 64) int length,
                                                         @ForAll("blanks") String left, @ForAll("blanks") String right) {
        CpuSet set = CpuSet.parse(left + from + right + "-" + left + (from + length) + right);

        assertThat(set.size()).isEqualTo(length + 1);
        assertThat(set.first()).isEqualTo(from);
        assertThat(set.contains(from + length)).isTrue();
        assertThat(set.contains(from + length + 1)).isFalse();
    }

    @Property(tries = 300)
    void parse_textWithALetter_failsWithTypedError(@ForAll("validLists") String list, @ForAll @IntRange(min = 0, max = 50) int at,
                                                   @ForAll @StringLength(min = 1, max = 1) @AlphaChars String letter) {
        int position = Math.min(at, list.length());
        String broken = list.substring(0, position) + letter + list.substring(position);

        assertThatThrownBy(() -> CpuSet.parse(broken)).isInstanceOf(CpuListFormatException.class);
    }

    @Provide
    Arbitrary<String> blanks() {
        return Arbitraries.of("", " ", "\t", "  ");
    }

    @Provide
    Arbitrary<String> validLists() {
        return Arbitraries.integers().between(0, 500).list().ofMaxSize(10).map(l -> CpuSet.of(l).format());
    }
}
