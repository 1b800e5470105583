package io.mnemo.client;

import java.time.Duration;

/**
 * Metrics and tracing hook: told when calls start and finish, when they are retried, when the topology changes and
 * when background work fails. Every method has an empty default, so implement only what you need. Methods run on
 * the client's threads and must be quick and must not block; an exception a listener throws is counted and
 * otherwise ignored, it never fails a call.
 *
 * <pre>{@code
 * ClientListener metrics = new ClientListener() {
 *     public void callFinished(Operation op, Duration latency, Throwable failure) {
 *         registry.timer("mnemo.client", "op", op.name(), "ok", String.valueOf(failure == null)).record(latency);
 *     }
 * };
 * MnemoClient.builder().seeds("127.0.0.1:7400").listener(metrics).build();
 * }</pre>
 */
public interface ClientListener {

    /** A call was started by the application (once per call, not per attempt). */
    default void callStarted(Operation operation) {
    }

    /** A call finished, after all its attempts; {@code failure} is {@code null} on success. */
    default void callFinished(Operation operation, Duration latency, Throwable failure) {
    }

    /**
     * Attempt {@code attempt} (2 for the first retry) of a call is about to be made after {@code backoff}, because
     * the previous one failed with {@code cause}.
     */
    default void retrying(Operation operation, int attempt, Duration backoff, Throwable cause) {
    }

    /** The client moved from topology epoch {@code oldEpoch} to {@code newEpoch}, fetched from {@code endpoint}. */
    default void topologyRefreshed(long oldEpoch, long newEpoch, String endpoint) {
    }

    /** Background work (the topology refresher) failed; it carries on at its next period. */
    default void backgroundFailure(Throwable failure) {
    }
}
