package io.mnemo.shardmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Pins {@link PartitionFunction}: a golden file fixes the hash forever, a property checks the in-place
 * UTF-8 encoding against {@link String#getBytes}, and the lookup must not allocate.
 */
class PartitionFunctionTest {
    private static final String GOLDEN = "partition-golden.tsv";

    @Example
    void hash_goldenKeys_matchCheckedInValues() throws IOException {
        List<String[]> rows = golden();
        assertThat(rows).hasSizeGreaterThanOrEqualTo(200);
        PartitionFunction p256 = PartitionFunction.of(256);
        PartitionFunction p4096 = PartitionFunction.of(4096);
        for (String[] row : rows) {
            String space = unescape(row[0]);
            String id = unescape(row[1]);
            String where = "golden row space='" + row[0] + "' id='" + row[1] + "'";
            assertThat(String.format("%016x", PartitionFunction.hash(space, id))).as(where).isEqualTo(row[2]);
            assertThat(p256.partitionOf(space, id)).as(where).isEqualTo(Integer.parseInt(row[3]));
            assertThat(p4096.partitionOf(space, id)).as(where).isEqualTo(Integer.parseInt(row[4]));
        }
    }

    @Example
    void golden_file_coversUnicodeEdgeCases() throws IOException {
        boolean supplementary = false;
        boolean cjk = false;
        boolean rtl = false;
        boolean loneSurrogate = false;
        boolean maxLength = false;
        for (String[] row : golden()) {
            String id = unescape(row[1]);
            supplementary |= id.codePoints().anyMatch(cp -> cp >= 0x1F300 && cp <= 0x1FAFF);
            cjk |= id.codePoints().anyMatch(cp -> cp >= 0x4E00 && cp <= 0x9FFF);
            rtl |= id.codePoints().anyMatch(cp -> cp >= 0x0590 && cp <= 0x06FF);
            loneSurrogate |= !id.equals(new String(id.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
            maxLength |= id.getBytes(StandardCharsets.UTF_8).length == 256;
        }
        assertThat(List.of(supplementary, cjk, rtl, loneSurrogate, maxLength)).containsOnly(true);
    }

    @Property(tries = 500)
    void hash_anyStrings_equalsHashOfUtf8Bytes(@ForAll("unicode") String space, @ForAll("unicode") String id) {
        assertThat(PartitionFunction.hash(space, id)).isEqualTo(referenceHash(space, id));
    }

    @Property(tries = 300)
    void partitionOf_anyPartitionCount_isLemireReductionInRange(
            @ForAll("unicode") String id, @ForAll @IntRange(min = 1, max = PartitionFunction.MAX_PARTITIONS) int partitions) {
        int p = PartitionFunction.of(partitions).partitionOf("space", id);
        long expected = ((PartitionFunction.hash("space", id) >>> 32) * partitions) >>> 32;
        assertThat(p).isBetween(0, partitions - 1).isEqualTo((int) expected);
    }

    @Example
    void of_partitionsOutOfRange_throwsNamingValue() {
        assertThatThrownBy(() -> PartitionFunction.of(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 0");
        assertThatThrownBy(() -> PartitionFunction.of(65537)).hasMessageContaining("got 65537");
    }

    @Example
    void partitionOf_manyCalls_allocatesNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertThat(threads.isThreadAllocatedMemorySupported()).isTrue();
        threads.setThreadAllocatedMemoryEnabled(true);
        PartitionFunction f = PartitionFunction.of(4096);
        String[] ids = {"plain-ascii-key", "caf\u00e9 \u8bb0\u5fc6 \ud83e\udde0", "\u05e9\u05dc\u05d5\u05dd", "x".repeat(256)};
        long tid = Thread.currentThread().getId();
        int sink = 0;
        // Warm up so the JIT has compiled (and escape-analysed) the loop before measuring.
        for (int i = 0; i < 200_000; i++) {
            sink += f.partitionOf("space", ids[i & 3]);
        }
        long before = threads.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 1_000_000; i++) {
            sink += f.partitionOf("space", ids[i & 3]);
        }
        long allocated = threads.getThreadAllocatedBytes(tid) - before;
        assertThat(sink).isNotZero();
        // A single allocation per call would be >= 16 MB here; the slack covers the MXBean call itself.
        assertThat(allocated).as("bytes allocated by 1M partitionOf calls").isLessThan(4096);
    }

    @Provide
    Arbitrary<String> unicode() {
        Arbitrary<String> any = Arbitraries.strings().all().ofMaxLength(40);
        Arbitrary<String> surrogates = Arbitraries.strings().withCharRange('\ud800', '\udfff').withChars("a\u00e9\u8bb0").ofMaxLength(12);
        Arbitrary<String> codePoints = Arbitraries.integers().between(0, Character.MAX_CODE_POINT)
                .filter(cp -> cp < 0xD800 || cp > 0xDFFF)
                .list().ofMaxSize(20)
                .map(cps -> {
                    StringBuilder sb = new StringBuilder();
                    cps.forEach(sb::appendCodePoint);
                    return sb.toString();
                });
        return Arbitraries.oneOf(any, surrogates, codePoints, Combinators.combine(surrogates, codePoints).as(String::concat));
    }

    /** FNV-1a over the bytes the JDK's encoder produces, then fmix64: the contract, written plainly. */
    static long referenceHash(String space, String id) {
        long h = 0xcbf29ce484222325L;
        List<byte[]> parts = List.of(space.getBytes(StandardCharsets.UTF_8), new byte[] {0}, id.getBytes(StandardCharsets.UTF_8));
        for (byte[] part : parts) {
            for (byte b : part) {
                h ^= b & 0xFF;
                h *= 0x100000001b3L;
            }
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    private static List<String[]> golden() throws IOException {
        List<String[]> rows = new ArrayList<>();
        try (InputStream in = PartitionFunctionTest.class.getResourceAsStream(GOLDEN)) {
            assertThat(in).as(GOLDEN + " on the test class path").isNotNull();
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.startsWith("#") || line.isEmpty()) {
                    continue;
                }
                String[] cols = line.split("\t", -1);
                assertThat(cols).as("golden line " + line).hasSize(5);
                rows.add(cols);
            }
        }
        return rows;
    }

    private static String unescape(String s) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i++);
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char e = s.charAt(i++);
            switch (e) {
                case '\\':
                    sb.append('\\');
                    break;
                case 't':
                    sb.append('\t');
                    break;
                case 'n':
                    sb.append('\n');
                    break;
                case 'r':
                    sb.append('\r');
                    break;
                case 'u':
                    sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                    i += 4;
                    break;
                default:
                    throw new IllegalArgumentException("bad escape \\" + e + " in golden file: " + s);
            }
        }
        return sb.toString();
    }
}
