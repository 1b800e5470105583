package io.mnemo.client;

import java.util.List;

/**
 * Storage statistics of one node.
 *
 * <pre>{@code
 * for (Stats s : client.stats()) {
 *     System.out.printf("node %d: %.0f%% fragmented%n", s.nodeId(), s.fragmentation() * 100);
 * }
 * }</pre>
 *
 * @param nodeId the node
 * @param liveBytes bytes of live records in the warm tier
 * @param fileBytes bytes the warm tier's files take on disk
 * @param fragmentation {@code 1 - liveBytes / fileBytes}, in [0, 1]
 * @param hotBytes bytes held by the hot tier
 * @param hotMaxBytes the hot tier's bound
 * @param recoveryEvents what the node found when it opened its files
 */
public record Stats(int nodeId, long liveBytes, long fileBytes, double fragmentation, long hotBytes, long hotMaxBytes,
                    List<RecoveryEvent> recoveryEvents) {

    /** Copies the events so the record stays immutable. */
    public Stats {
        recoveryEvents = List.copyOf(recoveryEvents);
    }

    /**
     * Something a node found while opening its files (a crash recovery, a corrupt record).
     *
     * <pre>{@code
     * stats.recoveryEvents().forEach(e -> System.out.println(e.file() + ": " + e.description()));
     * }</pre>
     *
     * @param atNs when, epoch nanoseconds
     * @param file the file concerned
     * @param description what was found and done
     */
    public record RecoveryEvent(long atNs, String file, String description) {
    }
}
