package io.mnemo.node.replication;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which nodes must receive a moving partition's data before a placement change completes. One rule, used by
 * the ownership state machine (which waits for their confirmations) and by the {@link Rebalancer} (which
 * streams), so both agree on who receives.
 *
 * <p>A partition is <em>moving</em> when its source replica set (the last stable placement) and its target set
 * differ as sets; a reordering of the same nodes moves nothing. Its receivers are the target nodes that are not
 * sources. When there are none (the target is a strict subset of the source: a node left and no one replaces
 * it) every target node receives: it streams from a read quorum of the sources, so every write acknowledged by
 * the sources' write quorum ends up on all the remaining replicas before the leaving copy is dropped.
 */
public final class MoveRule {
    private MoveRule() {
    }

    /** True if {@code source} and {@code target} hold different nodes. */
    public static <T> boolean isMoving(List<T> source, List<T> target) {
        return !new HashSet<>(source).equals(new HashSet<>(target));
    }

    /** The receivers of a partition moving from {@code source} to {@code target}; empty if it is not moving. */
    public static <T> List<T> receivers(List<T> source, List<T> target) {
        if (!isMoving(source, target)) {
            return List.of();
        }
        Set<T> from = new HashSet<>(source);
        List<T> gained = new ArrayList<>();
        for (T node : target) {
            if (!from.contains(node)) {
                gained.add(node);
            }
        }
        return gained.isEmpty() ? List.copyOf(target) : List.copyOf(gained);
    }
}
