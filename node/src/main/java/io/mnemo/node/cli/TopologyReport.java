package io.mnemo.node.cli;

import io.mnemo.protocol.v1.Member;
import io.mnemo.protocol.v1.MemberState;
import io.mnemo.protocol.v1.PartitionReplicas;
import io.mnemo.protocol.v1.Topology;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A wire topology as {@code mnemo admin} prints it: one line per member with its state, then the partitions moving
 * (those with pending replicas), first as a whole (how many, from which nodes to which), then one line each up to
 * a cap. Pure: the lines are returned, not printed, so they can be checked without a node.
 */
final class TopologyReport {
    /** Per-partition move lines printed at most; the rest are counted. */
    static final int MAX_PARTITION_LINES = 20;

    private TopologyReport() {
    }

    /** The member lines, then the moving lines ({@link #moves}). */
    static List<String> lines(Topology t) {
        List<String> out = new ArrayList<>();
        for (Member m : t.getMembersList()) {
            out.add(String.format(Locale.ROOT, "  member %d  %s  %s%s", m.getId(), m.getEndpoint(), state(m),
                    m.getZone().isEmpty() ? "" : "  zone " + m.getZone()));
        }
        out.addAll(moves(t, MAX_PARTITION_LINES));
        return out;
    }

    /**
     * {@code moving: N partitions (from S to T)}, S and T the nodes of the moving partitions' current and pending
     * replica lists, then {@code "  partition P: 1,2,3 -> 1,2,4"} for the first {@code maxLines} of them and a count
     * of the others; {@code moving: none (placement stable)} when nothing moves.
     */
    static List<String> moves(Topology t, int maxLines) {
        List<PartitionReplicas> moving = t.getPartitionsList().stream()
                .filter(p -> p.getPendingReplicasCount() > 0).collect(Collectors.toList());
        if (moving.isEmpty()) {
            return List.of("moving: none (placement stable)");
        }
        Set<Integer> from = new TreeSet<>();
        Set<Integer> to = new TreeSet<>();
        moving.forEach(p -> {
            from.addAll(p.getReplicasList());
            to.addAll(p.getPendingReplicasList());
        });
        List<String> out = new ArrayList<>();
        out.add(String.format(Locale.ROOT, "moving: %d partition%s (from %s to %s)", moving.size(),
                moving.size() == 1 ? "" : "s", ids(from), ids(to)));
        for (int i = 0; i < Math.min(maxLines, moving.size()); i++) {
            PartitionReplicas p = moving.get(i);
            out.add(String.format(Locale.ROOT, "  partition %d: %s -> %s", p.getPartition(), ids(p.getReplicasList()),
                    ids(p.getPendingReplicasList())));
        }
        if (moving.size() > maxLines) {
            out.add(String.format(Locale.ROOT, "  ... and %d more", moving.size() - maxLines));
        }
        return out;
    }

    /** ACTIVE, JOINING or DRAINING; a node that did not fill the field is ACTIVE (the only state older nodes sent). */
    static String state(Member m) {
        MemberState s = m.getState();
        switch (s) {
            case MEMBER_STATE_UNSPECIFIED:
                return "ACTIVE";
            case UNRECOGNIZED:
                return "state " + m.getStateValue();
            default:
                return s.name().substring("MEMBER_STATE_".length());
        }
    }

    private static String ids(Iterable<Integer> ids) {
        StringBuilder b = new StringBuilder();
        for (int id : ids) {
            if (b.length() > 0) {
                b.append(',');
            }
            b.append(id);
        }
        return b.toString();
    }
}
