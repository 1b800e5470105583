package io.mnemo.shardmap;

import java.util.List;
import java.util.Optional;

/**
 * How one partition's replica list changes between two topologies: the members that must receive a
 * copy, the members whose copy can be dropped once the new owners confirm, a suggested source to
 * stream from, and the new ordered list. Immutable.
 */
public final class PartitionMove {
    private final int partition;
    private final List<Member> added;
    private final List<Member> removed;
    private final Member source;
    private final List<Member> replicas;
    private final boolean primaryChanged;

    PartitionMove(int partition, List<Member> added, List<Member> removed, Member source, List<Member> replicas,
            boolean primaryChanged) {
        this.partition = partition;
        this.added = List.copyOf(added);
        this.removed = List.copyOf(removed);
        this.source = source;
        this.replicas = List.copyOf(replicas);
        this.primaryChanged = primaryChanged;
    }

    /** The partition. */
    public int partition() {
        return partition;
    }

    /** Members of the new list that were not in the old one: each needs a full copy of the partition. */
    public List<Member> added() {
        return added;
    }

    /** Members of the old list that are not in the new one (as the old topology describes them). */
    public List<Member> removed() {
        return removed;
    }

    /**
     * A member of the old list to stream the partition from: the first, in old list order, that stays
     * a replica (it keeps serving, so streaming does not race a drain); failing that the old primary.
     * Empty when nothing is added or the old topology had no members.
     */
    public Optional<Member> source() {
        return Optional.ofNullable(source);
    }

    /** The new ordered replica list, primary first. */
    public List<Member> replicas() {
        return replicas;
    }

    /** Whether the primary changes. A move with no added or removed member only reorders the list. */
    public boolean primaryChanged() {
        return primaryChanged;
    }

    /** Whether data must be copied: at least one member is added. */
    public boolean movesData() {
        return !added.isEmpty();
    }

    @Override
    public String toString() {
        return "PartitionMove[" + partition + ": +" + ids(added) + " -" + ids(removed) + " from "
                + (source == null ? "-" : source.id()) + " -> " + ids(replicas) + "]";
    }

    private static String ids(List<Member> ms) {
        StringBuilder sb = new StringBuilder("[");
        for (Member m : ms) {
            sb.append(sb.length() > 1 ? "," : "").append(m.id());
        }
        return sb.append(']').toString();
    }
}
