package io.mnemo.node.storage.suite;

import io.mnemo.node.storage.Memory;
import io.mnemo.node.storage.RecoveryReport;
import io.mnemo.node.storage.SpaceConfig;
import io.mnemo.node.storage.StorageConfig;
import io.mnemo.node.storage.TieredStore;
import io.mnemo.node.storage.TieredStores;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The child process of {@link CrashSafetyTest}: opens a store, then writes from several threads until it is
 * killed. Each thread owns its keys (so the writes of one key are sequential) and mixes new keys,
 * overwrites and removes. The protocol on stdout, one line per event, lets the parent know exactly which
 * writes were acknowledged:
 *
 * <pre>
 * READY unclean=&lt;bool&gt; files=&lt;n&gt; corruptions=&lt;n&gt;   the store is open (what its recovery found)
 * B S|R &lt;id&gt; &lt;token&gt;                             a store (S) or remove (R) is about to start
 * A S|R &lt;id&gt; &lt;token&gt;                             it returned: acknowledged, hence durable
 * </pre>
 *
 * <p>Arguments: data directory, round number (tags ids and tokens), writer threads, embedding dimension.
 */
public final class CrashWriterMain {
    static final String SPACE = SuiteStore.SPACE;
    /** Marks protocol lines, so that anything else a library prints to stdout is ignored. */
    static final String PREFIX = "@@ ";

    private CrashWriterMain() {
    }

    /** The config both the child and the verifying parent open the store with. */
    static StorageConfig config(Path dataDir) {
        return SuiteStore.small(dataDir, 4).hotTierMaxBytes(1L << 20).build();
    }

    static String id(int round, int thread, long seq) {
        return "r" + round + "-t" + thread + "-" + seq;
    }

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args[0]);
        int round = Integer.parseInt(args[1]);
        int threads = Integer.parseInt(args[2]);
        int dim = Integer.parseInt(args[3]);
        PrintStream out = System.out;
        TieredStore store = TieredStores.open(config(dataDir));
        store.createSpace(SpaceConfig.of(SPACE, dim));
        RecoveryReport rec = store.stats().recovery();
        out.println(PREFIX + "READY unclean=" + rec.uncleanShutdown() + " files=" + rec.filesRecovered()
                + " corruptions=" + rec.chronicleCorruptions());
        out.flush();
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread th = new Thread(() -> write(store, out, round, thread, dim), "crash-writer-" + t);
            writers.add(th);
            th.start();
        }
        for (Thread th : writers) {
            th.join();
        }
    }

    private static void write(TieredStore store, PrintStream out, int round, int thread, int dim) {
        for (long seq = 0; seq < 10_000_000L; seq++) {
            long token = ((long) round << 40) | ((long) thread << 32) | seq;
            if (seq % 11 == 5) {
                String id = id(round, thread, seq / 3);
                out.println(PREFIX + "B R " + id + " " + token);
                store.remove(SPACE, id);
                out.println(PREFIX + "A R " + id + " " + token);
            } else {
                String id = id(round, thread, seq % 7 == 3 ? seq / 2 : seq);
                Memory m = Payloads.memory(SPACE, id, token, 64 + (int) (seq * 37 % 3_000), dim);
                out.println(PREFIX + "B S " + id + " " + token);
                store.store(m);
                out.println(PREFIX + "A S " + id + " " + token);
            }
        }
    }
}
