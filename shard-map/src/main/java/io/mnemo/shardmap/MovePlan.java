package io.mnemo.shardmap;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The replica moves that turn one topology's partition table into another's: for every partition
 * whose ordered replica list differs, the members added and removed and a source to stream from.
 * Members are matched by id, so a member whose endpoint or weight changed is not "moved".
 *
 * <p>The plan is minimal for the two tables: a partition appears only if its list changed, and it
 * adds exactly the members of the new set that are not in the old one. (How many partitions change
 * at all is the placement's business; see {@link Placement}.) Immutable.
 */
public final class MovePlan {
    private final long fromEpoch;
    private final long toEpoch;
    private final int partitions;
    private final int replicaCount;
    private final List<PartitionMove> moves;
    private final int replicasAdded;
    private final int replicasRemoved;
    private final int partitionsMovingData;
    private final int primariesChanged;

    private MovePlan(Topology from, Topology to, List<PartitionMove> moves) {
        this.fromEpoch = from.epoch();
        this.toEpoch = to.epoch();
        this.partitions = to.partitions();
        this.replicaCount = to.replicaCount();
        this.moves = List.copyOf(moves);
        int added = 0;
        int removed = 0;
        int moving = 0;
        int primaries = 0;
        for (PartitionMove m : moves) {
            added += m.added().size();
            removed += m.removed().size();
            moving += m.movesData() ? 1 : 0;
            primaries += m.primaryChanged() ? 1 : 0;
        }
        this.replicasAdded = added;
        this.replicasRemoved = removed;
        this.partitionsMovingData = moving;
        this.primariesChanged = primaries;
    }

    /**
     * The plan from {@code from} to {@code to}.
     *
     * @throws IllegalArgumentException if the partition counts differ (P is fixed for a cluster's life)
     */
    public static MovePlan between(Topology from, Topology to) {
        if (from.partitions() != to.partitions()) {
            throw new IllegalArgumentException("move plan needs equal partition counts, got " + from.partitions()
                    + " (epoch " + from.epoch() + ") and " + to.partitions() + " (epoch " + to.epoch() + ")");
        }
        List<PartitionMove> moves = new ArrayList<>();
        for (int p = 0; p < from.partitions(); p++) {
            List<Member> before = from.replicas(p);
            List<Member> after = to.replicas(p);
            if (ids(before).equals(ids(after))) {
                continue;
            }
            Set<String> beforeIds = new HashSet<>(ids(before));
            Set<String> afterIds = new HashSet<>(ids(after));
            List<Member> added = new ArrayList<>();
            for (Member m : after) {
                if (!beforeIds.contains(m.id())) {
                    added.add(m);
                }
            }
            List<Member> removed = new ArrayList<>();
            Member source = null;
            for (Member m : before) {
                if (!afterIds.contains(m.id())) {
                    removed.add(m);
                } else if (source == null) {
                    source = m;
                }
            }
            if (source == null && !before.isEmpty()) {
                source = before.get(0);
            }
            if (added.isEmpty()) {
                source = null;
            }
            boolean primaryChanged = before.isEmpty() != after.isEmpty()
                    || !before.isEmpty() && !before.get(0).id().equals(after.get(0).id());
            moves.add(new PartitionMove(p, added, removed, source, after, primaryChanged));
        }
        return new MovePlan(from, to, moves);
    }

    private static List<String> ids(List<Member> members) {
        List<String> ids = new ArrayList<>(members.size());
        for (Member m : members) {
            ids.add(m.id());
        }
        return ids;
    }

    /** The epoch the plan starts from. */
    public long fromEpoch() {
        return fromEpoch;
    }

    /** The epoch the plan leads to. */
    public long toEpoch() {
        return toEpoch;
    }

    /** Every partition whose replica list changes, in ascending partition order. */
    public List<PartitionMove> moves() {
        return moves;
    }

    /** Copies to make: the sum of {@link PartitionMove#added()} sizes. */
    public int replicasAdded() {
        return replicasAdded;
    }

    /** Copies to drop after the new owners confirm. */
    public int replicasRemoved() {
        return replicasRemoved;
    }

    /** Partitions that gain at least one replica. */
    public int partitionsMovingData() {
        return partitionsMovingData;
    }

    /** Partitions whose primary changes (with or without data movement). */
    public int primariesChanged() {
        return primariesChanged;
    }

    /** {@link #replicasAdded()} as a fraction of all replicas of the new table ({@code P * replicaCount}). */
    public double movedFraction() {
        long total = (long) partitions * replicaCount;
        return total == 0 ? 0 : (double) replicasAdded / total;
    }

    /**
     * Applies the plan to an old table given as member ids per partition and returns the new table;
     * the tests check that this reproduces the new topology exactly.
     *
     * @throws IllegalStateException if the old table does not hold a member the plan removes
     */
    List<List<String>> apply(List<List<String>> oldTable) {
        List<List<String>> table = new ArrayList<>(oldTable);
        for (PartitionMove move : moves) {
            Set<String> set = new HashSet<>(table.get(move.partition()));
            for (Member m : move.removed()) {
                if (!set.remove(m.id())) {
                    throw new IllegalStateException("partition " + move.partition() + " has no replica " + m.id() + " to remove");
                }
            }
            for (Member m : move.added()) {
                if (!set.add(m.id())) {
                    throw new IllegalStateException("partition " + move.partition() + " already has replica " + m.id());
                }
            }
            List<String> ordered = ids(move.replicas());
            if (!set.equals(new HashSet<>(ordered))) {
                throw new IllegalStateException("partition " + move.partition() + ": applying the moves gives " + set
                        + " but the new list is " + ordered);
            }
            table.set(move.partition(), ordered);
        }
        return table;
    }

    @Override
    public String toString() {
        return "MovePlan[epoch " + fromEpoch + " -> " + toEpoch + ": " + moves.size() + " partitions changed, "
                + partitionsMovingData + " moving data, +" + replicasAdded + " -" + replicasRemoved + " replicas, "
                + primariesChanged + " primaries changed]";
    }
}
