package io.mnemo.node.numa;

import java.util.BitSet;
import java.util.Collection;
import java.util.stream.IntStream;

/**
 * An immutable set of logical CPU ids, written in the Linux "cpulist" format used by sysfs, procfs and
 * {@code taskset -c}: comma-separated ids and inclusive ranges, e.g. {@code 0-3,8-11}.
 *
 * <p>Parsing accepts what the kernel writes plus harmless variations people type (spaces around
 * items, a trailing newline, ranges in any order, duplicates). {@link #format()} always produces the
 * canonical form: ascending, overlapping or adjacent ids merged into ranges, no spaces, and
 * {@code parse(format(s))} equals {@code s} for every set.
 *
 * <p>Invariant: {@code bits} is never mutated after construction and holds ids in
 * {@code [0, MAX_CPU_ID]}.
 */
public final class CpuSet {

    /** Largest CPU id accepted. Linux's {@code NR_CPUS} tops out at 8192; this leaves room and stops "0-2000000000". */
    public static final int MAX_CPU_ID = 65_535;

    private static final CpuSet EMPTY = new CpuSet(new BitSet());

    private final BitSet bits;

    private CpuSet(BitSet bits) {
        this.bits = bits;
    }

    /** The empty set. */
    public static CpuSet empty() {
        return EMPTY;
    }

    /** A set of the given ids; each must be in {@code [0, MAX_CPU_ID]}. */
    public static CpuSet of(int... cpus) {
        BitSet bits = new BitSet();
        for (int cpu : cpus) {
            bits.set(checkId(cpu, String.valueOf(cpu)));
        }
        return new CpuSet(bits);
    }

    /** A set of the given ids; each must be in {@code [0, MAX_CPU_ID]}. */
    public static CpuSet of(Collection<Integer> cpus) {
        return of(cpus.stream().mapToInt(Integer::intValue).toArray());
    }

    /** The ids {@code from..to} inclusive. */
    public static CpuSet range(int from, int to) {
        checkId(from, String.valueOf(from));
        checkId(to, String.valueOf(to));
        if (to < from) {
            throw new IllegalArgumentException("CPU range " + from + "-" + to + " ends before it starts");
        }
        BitSet bits = new BitSet();
        bits.set(from, to + 1);
        return new CpuSet(bits);
    }

    /** The set bits of {@code bits}, copied. */
    public static CpuSet fromBitSet(BitSet bits) {
        if (bits.length() > MAX_CPU_ID + 1) {
            throw new IllegalArgumentException("CPU id " + (bits.length() - 1) + " is above the maximum " + MAX_CPU_ID);
        }
        return new CpuSet((BitSet) bits.clone());
    }

    /**
     * Parses a cpulist. Blank input (the kernel writes just a newline for "none", e.g. in
     * {@code cpu/offline}) is the empty set.
     *
     * @throws CpuListFormatException naming the input and the offending item
     */
    public static CpuSet parse(String text) {
        if (text == null) {
            throw new CpuListFormatException("null", "the CPU list is null");
        }
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            return EMPTY;
        }
        BitSet bits = new BitSet();
        for (String rawItem : trimmed.split(",", -1)) {
            String item = rawItem.strip();
            if (item.isEmpty()) {
                throw new CpuListFormatException(text, "empty item between commas");
            }
            int dash = item.indexOf('-');
            if (dash < 0) {
                bits.set(parseId(text, item));
            } else {
                int from = parseId(text, item.substring(0, dash).strip());
                int to = parseId(text, item.substring(dash + 1).strip());
                if (to < from) {
                    throw new CpuListFormatException(text, "range '" + item + "' ends before it starts");
                }
                bits.set(from, to + 1);
            }
        }
        return new CpuSet(bits);
    }

    private static int parseId(String text, String digits) {
        if (digits.isEmpty() || digits.length() > 6 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new CpuListFormatException(text, "'" + digits + "' is not a CPU id (expected digits 0-" + MAX_CPU_ID + ")");
        }
        int id = Integer.parseInt(digits);
        if (id > MAX_CPU_ID) {
            throw new CpuListFormatException(text, "CPU id " + id + " is above the maximum " + MAX_CPU_ID);
        }
        return id;
    }

    private static int checkId(int cpu, String shown) {
        if (cpu < 0 || cpu > MAX_CPU_ID) {
            throw new IllegalArgumentException("CPU id " + shown + " is outside 0.." + MAX_CPU_ID);
        }
        return cpu;
    }

    /** The canonical cpulist, e.g. {@code 0-3,8-11}; the empty set formats as {@code ""}. */
    public String format() {
        StringBuilder out = new StringBuilder();
        int from = bits.nextSetBit(0);
        while (from >= 0) {
            int to = bits.nextClearBit(from) - 1;
            if (out.length() > 0) {
                out.append(',');
            }
            out.append(from);
            if (to > from) {
                out.append('-').append(to);
            }
            from = bits.nextSetBit(to + 1);
        }
        return out.toString();
    }

    /** Number of CPUs. */
    public int size() {
        return bits.cardinality();
    }

    /** True when there are no CPUs. */
    public boolean isEmpty() {
        return bits.isEmpty();
    }

    /** True when {@code cpu} is in the set. */
    public boolean contains(int cpu) {
        return cpu >= 0 && bits.get(cpu);
    }

    /** True when every CPU of {@code other} is in this set. */
    public boolean containsAll(CpuSet other) {
        return other.minus(this).isEmpty();
    }

    /** True when the two sets share a CPU. */
    public boolean intersects(CpuSet other) {
        return bits.intersects(other.bits);
    }

    /** The CPUs in both sets. */
    public CpuSet intersect(CpuSet other) {
        BitSet copy = (BitSet) bits.clone();
        copy.and(other.bits);
        return new CpuSet(copy);
    }

    /** The CPUs in either set. */
    public CpuSet union(CpuSet other) {
        BitSet copy = (BitSet) bits.clone();
        copy.or(other.bits);
        return new CpuSet(copy);
    }

    /** The CPUs of this set that are not in {@code other}. */
    public CpuSet minus(CpuSet other) {
        BitSet copy = (BitSet) bits.clone();
        copy.andNot(other.bits);
        return new CpuSet(copy);
    }

    /** The lowest CPU id; the set must not be empty. */
    public int first() {
        if (bits.isEmpty()) {
            throw new IllegalStateException("the CPU set is empty");
        }
        return bits.nextSetBit(0);
    }

    /** The ids in ascending order. */
    public IntStream stream() {
        return bits.stream();
    }

    /** The ids in ascending order. */
    public int[] toArray() {
        return bits.stream().toArray();
    }

    /** A copy as a {@link BitSet}, the form OpenHFT affinity takes. */
    public BitSet toBitSet() {
        return (BitSet) bits.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CpuSet && ((CpuSet) o).bits.equals(bits);
    }

    @Override
    public int hashCode() {
        return bits.hashCode();
    }

    /** The canonical cpulist in brackets, e.g. {@code [0-3,8-11]}, so an empty set stays visible in logs. */
    @Override
    public String toString() {
        return "[" + format() + "]";
    }
}
