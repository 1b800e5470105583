package io.mnemo.node.cluster.ownership;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A placement change in progress: the members of the last <em>stable</em> placement (the source S, frozen when
 * the change began and kept when a later change retargets it) and the ids of the receiving nodes that have
 * confirmed holding their partitions for the current target (reset whenever the target changes). The target T
 * is the baseline's own active members. Immutable; compares by value; both lists are sorted by id.
 *
 * @param source    the source placement's members (ACTIVE), sorted by id, ids unique, not empty
 * @param confirmed ids of receivers that confirmed the current target, sorted, unique
 */
public record Transition(List<BaselineMember> source, List<String> confirmed) {
    /** Sorts both lists and checks them. */
    public Transition {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(confirmed, "confirmed");
        TreeMap<String, BaselineMember> byId = new TreeMap<>();
        for (BaselineMember m : source) {
            Objects.requireNonNull(m, "source must not contain null");
            if (byId.put(m.id(), m) != null) {
                throw new IllegalArgumentException("transition source member ids must be unique, got '" + m.id() + "' twice");
            }
        }
        if (byId.isEmpty()) {
            throw new IllegalArgumentException("a transition needs at least one source member");
        }
        TreeSet<String> ids = new TreeSet<>();
        for (String id : confirmed) {
            Validation.name("confirmed member id", id);
            if (!ids.add(id)) {
                throw new IllegalArgumentException("transition confirmations must be unique, got '" + id + "' twice");
            }
        }
        source = List.copyOf(byId.values());
        confirmed = List.copyOf(ids);
    }

    /** A transition from {@code source} with no confirmations yet. */
    static Transition from(Collection<BaselineMember> source) {
        return new Transition(new ArrayList<>(source), List.of());
    }

    /** A copy with {@code id} confirmed. */
    Transition withConfirmed(String id) {
        List<String> ids = new ArrayList<>(confirmed);
        if (!ids.contains(id)) {
            ids.add(id);
        }
        return new Transition(source, ids);
    }
}
