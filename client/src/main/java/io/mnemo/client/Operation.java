package io.mnemo.client;

/**
 * The calls a {@link MnemoClient} makes, as reported to a {@link ClientListener}.
 *
 * <pre>{@code
 * public void callFinished(Operation op, Duration latency, Throwable failure) {
 *     histograms.get(op).record(latency.toNanos());
 * }
 * }</pre>
 */
public enum Operation {
    STORE, STORE_BATCH, RECALL, REMOVE, SCAN, RECALL_BY_CUE, COUNTS, STATS, TOPOLOGY,
    CREATE_SPACE, DROP_SPACE, LIST_SPACES
}
