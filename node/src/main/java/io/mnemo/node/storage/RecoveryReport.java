package io.mnemo.node.storage;

import java.util.List;
import java.util.Objects;

/**
 * What opening the warm tier found. After a clean shutdown nothing is recovered; after a crash (no
 * clean-shutdown marker) every data file is opened through Chronicle Map's recovery and the store then
 * resolves what a crash between two files can leave behind.
 *
 * @param uncleanShutdown      true if the clean-shutdown marker was missing at open
 * @param filesRecovered       data files opened through Chronicle Map's recovery
 * @param chronicleCorruptions corruptions Chronicle Map's recovery reported (and repaired or dropped)
 * @param duplicatesResolved   keys found in two segment files (a crash while moving a key); the older
 *                             version was removed
 * @param orphansRemoved       large-value bodies no record referred to (a crash between writing the body
 *                             and its record, or before the old body was deleted); removed
 * @param findings             human-readable lines, one per finding, capped at 100
 */
public record RecoveryReport(boolean uncleanShutdown, int filesRecovered, long chronicleCorruptions,
        long duplicatesResolved, long orphansRemoved, List<String> findings) {
    /** The report of a clean open. */
    public static final RecoveryReport CLEAN = new RecoveryReport(false, 0, 0, 0, 0, List.of());

    public RecoveryReport {
        findings = List.copyOf(Objects.requireNonNull(findings, "findings"));
    }
}
