package io.mnemo.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.Locale;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

/**
 * DataSize against a reference model: the value of "n unit" is n times the unit's factor computed in BigInteger,
 * refused exactly when it does not fit a long. jqwik prints the seed of a failing run; replay it with
 * {@code @Property(seed = "...")}.
 */
class DataSizePropertiesTest {
    private static final Map<String, BigInteger> FACTORS = Map.ofEntries(
            Map.entry("", BigInteger.ONE), Map.entry("B", BigInteger.ONE),
            Map.entry("k", BigInteger.TEN.pow(3)), Map.entry("kB", BigInteger.TEN.pow(3)),
            Map.entry("M", BigInteger.TEN.pow(6)), Map.entry("MB", BigInteger.TEN.pow(6)),
            Map.entry("G", BigInteger.TEN.pow(9)), Map.entry("GB", BigInteger.TEN.pow(9)),
            Map.entry("T", BigInteger.TEN.pow(12)), Map.entry("TB", BigInteger.TEN.pow(12)),
            Map.entry("KiB", BigInteger.TWO.pow(10)), Map.entry("MiB", BigInteger.TWO.pow(20)),
            Map.entry("GiB", BigInteger.TWO.pow(30)), Map.entry("TiB", BigInteger.TWO.pow(40)));

    @Provide
    Arbitrary<String> units() {
        return Arbitraries.of(FACTORS.keySet());
    }

    @Provide
    Arbitrary<Long> amounts() {
        return Arbitraries.oneOf(Arbitraries.longs().between(0, 10_000), Arbitraries.longs().between(0, Long.MAX_VALUE));
    }

    @Property(tries = 500)
    void parse_amountWithUnit_matchesReferenceOrIsRefusedOnOverflow(@ForAll("amounts") long n, @ForAll("units") String unit,
                                                                     @ForAll boolean blank) {
        String text = n + (blank ? " " : "") + unit;
        BigInteger expected = BigInteger.valueOf(n).multiply(FACTORS.get(unit));

        if (expected.bitLength() <= 63) {
            assertThat(DataSize.parse(text).bytes()).isEqualTo(expected.longValueExact());
        } else {
            assertThatThrownBy(() -> DataSize.parse(text)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("largest size");
        }
    }

    @Property(tries = 500)
    void parse_toStringOfAnySize_givesTheSameSize(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long bytes) {
        DataSize size = DataSize.ofBytes(bytes);

        assertThat(DataSize.parse(size.toString())).isEqualTo(size);
    }

    @Property(tries = 300)
    void parse_unitInAnyCase_givesTheSameSize(@ForAll @LongRange(min = 0, max = 1_000_000) long n,
                                              @ForAll("units") String unit) {
        DataSize canonical = DataSize.parse(n + unit);

        assertThat(DataSize.parse(n + unit.toUpperCase(Locale.ROOT))).isEqualTo(canonical);
        assertThat(DataSize.parse(n + unit.toLowerCase(Locale.ROOT))).isEqualTo(canonical);
    }

    @Property(tries = 300)
    void parse_fractionalAmount_isExactOrRefusedWhenNotWholeBytes(@ForAll @LongRange(min = 0, max = 1_000_000) long n,
                                                                 @ForAll("units") String unit) {
        BigInteger expected = BigInteger.valueOf(2 * n + 1).multiply(FACTORS.get(unit));
        String text = n + ".5" + unit;

        if (expected.testBit(0)) {
            assertThatThrownBy(() -> DataSize.parse(text)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("whole number of bytes");
        } else {
            assertThat(DataSize.parse(text).bytes()).isEqualTo(expected.shiftRight(1).longValueExact());
        }
    }
}
