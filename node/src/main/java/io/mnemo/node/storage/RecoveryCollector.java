package io.mnemo.node.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Collects what opening the warm tier found into a {@link RecoveryReport}. Thread-safe. */
final class RecoveryCollector {
    private static final int MAX_FINDINGS = 100;
    private final boolean unclean;
    private final AtomicInteger files = new AtomicInteger();
    private final AtomicLong chronicle = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong orphans = new AtomicLong();
    private final List<String> findings = new ArrayList<>();

    RecoveryCollector(boolean unclean) {
        this.unclean = unclean;
    }

    boolean unclean() {
        return unclean;
    }

    void fileRecovered() {
        files.incrementAndGet();
    }

    void chronicleCorruption(String finding) {
        chronicle.incrementAndGet();
        finding(finding);
    }

    void duplicateResolved(String finding) {
        duplicates.incrementAndGet();
        finding(finding);
    }

    void orphanRemoved(String finding) {
        orphans.incrementAndGet();
        finding(finding);
    }

    synchronized void finding(String finding) {
        if (findings.size() < MAX_FINDINGS) {
            findings.add(finding);
        }
    }

    synchronized RecoveryReport report() {
        if (!unclean && files.get() == 0 && chronicle.get() == 0 && duplicates.get() == 0 && orphans.get() == 0
                && findings.isEmpty()) {
            return RecoveryReport.CLEAN;
        }
        return new RecoveryReport(unclean, files.get(), chronicle.get(), duplicates.get(), orphans.get(), findings);
    }
}
