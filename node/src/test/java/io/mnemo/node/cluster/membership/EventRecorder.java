package io.mnemo.node.cluster.membership;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A listener that keeps every event with the {@link System#nanoTime()} it arrived at, and signals {@link Await}. */
final class EventRecorder implements MembershipListener {
    /** An event and when it was delivered. */
    record Timed(MembershipEvent event, long atNs) {
    }

    private final List<Timed> events = new ArrayList<>();

    @Override
    public void onEvent(MembershipEvent event) {
        long now = System.nanoTime();
        synchronized (this) {
            events.add(new Timed(event, now));
        }
        Await.signal();
    }

    synchronized List<Timed> events() {
        return List.copyOf(events);
    }

    synchronized Optional<Timed> find(MembershipEvent.Kind kind, String nodeId) {
        return events.stream().filter(t -> t.event().kind() == kind && t.event().member().nodeId().equals(nodeId)).findFirst();
    }

    /** Waits for the first event of {@code kind} about {@code nodeId}. */
    Timed await(MembershipEvent.Kind kind, String nodeId, Duration timeout) {
        Await.until(timeout, kind + " of " + nodeId, () -> find(kind, nodeId).isPresent(), this::events);
        return find(kind, nodeId).orElseThrow();
    }
}
