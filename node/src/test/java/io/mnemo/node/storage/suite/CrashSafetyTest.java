package io.mnemo.node.storage.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.mnemo.node.storage.Memory;
import io.mnemo.node.storage.RecoveryReport;
import io.mnemo.node.storage.StoredRecord;
import io.mnemo.node.storage.TieredStore;
import io.mnemo.node.storage.TieredStores;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety of the warm tier: a child JVM ({@link CrashWriterMain}) writes as fast as it can and prints
 * each acknowledgement after {@code store}/{@code remove} returned; the test kills it with SIGKILL in the
 * middle of the writes and reopens the store. Recovery must be reported, every acknowledged write must be
 * present and intact (content, embedding and fields of exactly that write), every acknowledged remove must
 * stay removed, and a write in flight at the kill may have landed or not, but whole. Three rounds: the
 * second child reopens the crashed store itself and is killed again before the test verifies everything.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class CrashSafetyTest {
    private static final int DIM = 256;
    private static final int THREADS = 2;
    private static final long CHILD_DEADLINE_MS = 60_000;
    private static final String REMOVED = "removed";
    /** The child logs warnings and errors to stderr only, so stdout carries the protocol and the child runs at full speed. */
    private static final String CHILD_LOGBACK = "<configuration><appender name=\"err\" class=\"ch.qos.logback.core.ConsoleAppender\">"
            + "<target>System.err</target><encoder><pattern>%d %-5level [%thread] %logger - %msg%n</pattern></encoder></appender>"
            + "<root level=\"WARN\"><appender-ref ref=\"err\"/></root></configuration>";

    /** What the parent knows of one id: the last acknowledged outcome and the outcomes begun after it. */
    private static final class IdState {
        String acked;
        final Set<String> inFlight = new LinkedHashSet<>();

        Set<String> allowed() {
            Set<String> a = new LinkedHashSet<>(inFlight);
            a.add(acked == null ? REMOVED : acked);
            return a;
        }
    }

    @Test
    void killDashNineMidWrite_reopen_everyAcknowledgedWriteIntact(@TempDir Path tmp) throws Exception {
        Path dataDir = tmp.resolve("data");
        Map<String, IdState> model = new HashMap<>();
        int[] acksBeforeKill = {400, 300, 400};
        boolean[] verifyAfter = {true, false, true};
        for (int round = 0; round < acksBeforeKill.length; round++) {
            boolean expectUncleanAtStart = round == 2;
            long t0 = System.nanoTime();
            long acks = runAndKill(tmp, dataDir, round, acksBeforeKill[round], expectUncleanAtStart, model);
            System.out.printf("round %d: killed after %d acknowledged writes (%d ms)%n", round, acks, (System.nanoTime() - t0) / 1_000_000);
            if (verifyAfter[round]) {
                t0 = System.nanoTime();
                verify(dataDir, model, round);
                System.out.printf("round %d: verified in %d ms%n", round, (System.nanoTime() - t0) / 1_000_000);
            }
        }
    }

    private static long runAndKill(Path tmp, Path dataDir, int round, int killAfterAcks, boolean expectUnclean,
            Map<String, IdState> model) throws Exception {
        Path stderr = tmp.resolve("child-" + round + ".err");
        Path logConfig = tmp.resolve("child-logback.xml");
        Files.writeString(logConfig, CHILD_LOGBACK);
        List<String> cmd = ChildJvm.command(CrashWriterMain.class, List.of("-Xmx512m", "-Dlogback.configurationFile=" + logConfig),
                List.of(dataDir.toString(), Integer.toString(round), Integer.toString(THREADS), Integer.toString(DIM)));
        Process child = new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (line.startsWith(CrashWriterMain.PREFIX)) {
                        lines.add(line.substring(CrashWriterMain.PREFIX.length()));
                    }
                }
            } catch (IOException ignored) {
                // The child was killed; everything it wrote before is already in the queue.
            } finally {
                lines.add("EOF");
            }
        }, "crash-child-stdout-" + round);
        pump.setDaemon(true);
        pump.start();
        try {
            long deadline = System.currentTimeMillis() + CHILD_DEADLINE_MS;
            String ready = take(lines, deadline, child, stderr);
            assertTrue(ready.startsWith("READY "), "child must report READY first, got: " + ready);
            long readyMs = System.currentTimeMillis() - deadline + CHILD_DEADLINE_MS;
            System.out.println("round " + round + " child: " + ready + " after " + readyMs + " ms");
            assertEquals(expectUnclean, ready.contains("unclean=true"),
                    "round " + round + ": the child's open must " + (expectUnclean ? "" : "not ") + "report an unclean shutdown: " + ready);
            long acks = 0;
            while (acks < killAfterAcks) {
                String line = take(lines, deadline, child, stderr);
                if (apply(model, line)) {
                    acks++;
                }
            }
            ChildJvm.kill9(child);
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not die after kill -9");
            assertEquals(128 + 9, child.exitValue(), "the child must have died of SIGKILL");
            pump.join(TimeUnit.SECONDS.toMillis(30));
            for (String line = lines.poll(); line != null && !"EOF".equals(line); line = lines.poll()) {
                if (apply(model, line)) {
                    acks++;
                }
            }
            return acks;
        } finally {
            child.destroyForcibly();
        }
    }

    /** Applies one protocol line to the model; true if it was an acknowledgement. */
    private static boolean apply(Map<String, IdState> model, String line) {
        String[] p = line.split(" ");
        if (p.length != 4 || !("B".equals(p[0]) || "A".equals(p[0]))) {
            throw new AssertionError("unexpected child output: " + line);
        }
        IdState s = model.computeIfAbsent(p[2], k -> new IdState());
        String outcome = "R".equals(p[1]) ? REMOVED : p[3];
        if ("B".equals(p[0])) {
            s.inFlight.add(outcome);
            return false;
        }
        s.acked = REMOVED.equals(outcome) ? null : outcome;
        s.inFlight.clear();
        return true;
    }

    private static void verify(Path dataDir, Map<String, IdState> model, int round) {
        try (TieredStore store = TieredStores.open(CrashWriterMain.config(dataDir))) {
            RecoveryReport rec = store.stats().recovery();
            System.out.printf("round %d reopen: %s%n", round, rec);
            assertTrue(rec.uncleanShutdown(), "reopening after kill -9 must report an unclean shutdown: " + rec);
            int live = 0;
            int ambiguous = 0;
            for (Map.Entry<String, IdState> e : model.entrySet()) {
                String id = e.getKey();
                IdState s = e.getValue();
                Optional<StoredRecord> r = store.read(CrashWriterMain.SPACE, id);
                String found;
                if (r.isEmpty() || r.get().isTombstone()) {
                    found = REMOVED;
                } else {
                    Memory m = r.get().memory().orElseThrow();
                    found = Long.toString(Payloads.assertIntact(m));
                    Memory recalled = store.recall(CrashWriterMain.SPACE, id).orElseThrow(
                            () -> new AssertionError(id + ": read() finds it but recall() does not"));
                    Payloads.assertSameWrite(m, recalled);
                    live++;
                }
                Set<String> allowed = s.allowed();
                if (!allowed.contains(found)) {
                    fail(id + ": after the crash the store holds " + found + " but the last acknowledged outcome was "
                            + (s.acked == null ? REMOVED : s.acked) + " (in flight at the kill: " + s.inFlight + ")");
                }
                if (allowed.size() > 1) {
                    ambiguous++;
                }
                s.acked = REMOVED.equals(found) ? null : found;
                s.inFlight.clear();
            }
            System.out.printf("round %d verified: %d ids, %d live, %d had a write in flight at the kill%n",
                    round, model.size(), live, ambiguous);
            StoreInvariants.checkCountsAndRecords(store);
            assertEquals(live, store.counts().warm(CrashWriterMain.SPACE), "live count after recovery");
        }
    }

    private static String take(LinkedBlockingQueue<String> lines, long deadlineMs, Process child, Path stderr)
            throws InterruptedException {
        long left = deadlineMs - System.currentTimeMillis();
        String line = left > 0 ? lines.poll(left, TimeUnit.MILLISECONDS) : null;
        if (line == null || "EOF".equals(line)) {
            String why = line == null ? "no output within " + CHILD_DEADLINE_MS + " ms" : "the child exited early";
            child.destroyForcibly();
            fail(why + "; child stderr:\n" + tail(stderr));
        }
        return line;
    }

    private static String tail(Path file) {
        try {
            List<String> all = Files.exists(file) ? Files.readAllLines(file) : new ArrayList<>();
            return String.join("\n", all.subList(Math.max(0, all.size() - 40), all.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }
}
