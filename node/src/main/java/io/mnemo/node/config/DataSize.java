package io.mnemo.node.config;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An amount of bytes, written with a unit: {@code 256MiB}, {@code 1GiB}, {@code 512k}, {@code 4096}.
 *
 * <p>One rule for units, the one Kubernetes quantities and IEC 80000-13 use: a unit with an {@code i} is a power of
 * 1024 ({@code KiB, MiB, GiB, TiB}), a unit without is a power of 1000 ({@code k/kB, M/MB, G/GB, T/TB}); {@code B}
 * or no unit is bytes. Units are case-insensitive, blanks between number and unit are allowed, and a decimal number
 * is accepted when it makes a whole number of bytes ({@code 1.5KiB} = 1536, {@code 0.5B} is refused). Negative
 * amounts and amounts above {@link Long#MAX_VALUE} bytes are refused. {@link #toString()} writes the exact value in
 * the unit that gives the smallest whole number, so it parses back to the same value.
 */
public final class DataSize implements Comparable<DataSize> {
    private static final Pattern SYNTAX = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([a-zA-Z]*)");
    private static final String[] BINARY_UNITS = {"TiB", "GiB", "MiB", "KiB"};
    private static final String[] DECIMAL_UNITS = {"TB", "GB", "MB", "kB"};

    private final long bytes;

    private DataSize(long bytes) {
        this.bytes = bytes;
    }

    /** {@code bytes} bytes; refuses a negative amount. */
    public static DataSize ofBytes(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("a data size is not negative, got " + bytes + " bytes");
        }
        return new DataSize(bytes);
    }

    /** {@code kib} KiB (1024 bytes each). */
    public static DataSize ofKibibytes(long kib) {
        return ofBytes(Math.multiplyExact(kib, 1L << 10));
    }

    /** {@code mib} MiB. */
    public static DataSize ofMebibytes(long mib) {
        return ofBytes(Math.multiplyExact(mib, 1L << 20));
    }

    /** {@code gib} GiB. */
    public static DataSize ofGibibytes(long gib) {
        return ofBytes(Math.multiplyExact(gib, 1L << 30));
    }

    /**
     * Parses a size such as {@code 256MB}, {@code 1GiB}, {@code 512k}, {@code 1.5 GiB} or {@code 4096}.
     *
     * @throws IllegalArgumentException naming the text and what is wrong with it
     */
    public static DataSize parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("expected a size such as 256MiB, 1GB, 512k or 4096, got an empty value");
        }
        Matcher m = SYNTAX.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("expected a size such as 256MiB, 1GB, 512k or 4096, got '" + text + "'");
        }
        long factor = factorOf(m.group(2), text);
        BigDecimal exact = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(factor));
        BigInteger whole;
        try {
            whole = exact.toBigIntegerExact();
        } catch (ArithmeticException notWhole) {
            throw new IllegalArgumentException("'" + text + "' is not a whole number of bytes (" + exact.toPlainString()
                    + ")");
        }
        if (whole.bitLength() > 63) {
            throw new IllegalArgumentException("'" + text + "' is more than the largest size, " + Long.MAX_VALUE
                    + " bytes");
        }
        return new DataSize(whole.longValueExact());
    }

    private static long factorOf(String unit, String text) {
        switch (unit.toLowerCase(Locale.ROOT)) {
            case "":
            case "b":
                return 1L;
            case "k":
            case "kb":
                return 1_000L;
            case "m":
            case "mb":
                return 1_000_000L;
            case "g":
            case "gb":
                return 1_000_000_000L;
            case "t":
            case "tb":
                return 1_000_000_000_000L;
            case "kib":
                return 1L << 10;
            case "mib":
                return 1L << 20;
            case "gib":
                return 1L << 30;
            case "tib":
                return 1L << 40;
            default:
                throw new IllegalArgumentException("unknown unit '" + unit + "' in '" + text
                        + "': use B, KiB, MiB, GiB, TiB (powers of 1024) or k, M, G, T / kB, MB, GB, TB (powers of 1000)");
        }
    }

    /** The size in bytes. */
    public long bytes() {
        return bytes;
    }

    /** The size in bytes as an int, for APIs that take one. */
    public int bytesAsInt() {
        return Math.toIntExact(bytes);
    }

    @Override
    public int compareTo(DataSize other) {
        return Long.compare(bytes, other.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DataSize && ((DataSize) o).bytes == bytes;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(bytes);
    }

    /**
     * The exact size in the unit that gives the smallest whole number, binary on a tie: {@code 256MiB},
     * {@code 256MB}, {@code 1536B}.
     */
    @Override
    public String toString() {
        if (bytes == 0) {
            return "0B";
        }
        long amount = bytes;
        String unit = "B";
        long factor = 1_000_000_000_000L;
        for (String decimal : DECIMAL_UNITS) {
            if (bytes % factor == 0 && bytes / factor < amount) {
                amount = bytes / factor;
                unit = decimal;
                break;
            }
            factor /= 1000;
        }
        for (int i = 0; i < BINARY_UNITS.length; i++) {
            int shift = 10 * (BINARY_UNITS.length - i);
            if ((bytes & ((1L << shift) - 1)) == 0 && (bytes >> shift) <= amount) {
                return (bytes >> shift) + BINARY_UNITS[i];
            }
        }
        return amount + unit;
    }
}
