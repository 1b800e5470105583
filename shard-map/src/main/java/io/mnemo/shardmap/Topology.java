package io.mnemo.shardmap;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One topology epoch: the members, the partition count P, the replication factor RF and the partition
 * table derived from them. Immutable and thread-safe.
 *
 * <p>The table is computed once, when the topology is built ({@link Placement} describes the algorithm
 * and its bounds), so {@link #replicas(int)} is an array read. Two topologies with the same epoch, P,
 * RF and members are equal and have the same table on every JVM: clients may rebuild the table from
 * the serialized form ({@link #toBytes()}, {@link #toJson()}) instead of receiving it.
 *
 * <p>Rules checked by {@link #of}: epoch {@code >= 0}; P in [1, 65536]; RF in [1, {@value #MAX_REPLICATION_FACTOR}];
 * member ids and endpoints unique; either every member has a zone or none has; {@code P * members}
 * at most 2^22. A topology may have no members (a cluster being created): then every
 * partition has an empty replica list.
 */
public final class Topology {
    /** Largest replication factor. */
    public static final int MAX_REPLICATION_FACTOR = 16;

    private final long epoch;
    private final int partitions;
    private final int replicationFactor;
    private final List<Member> members;
    private final Map<String, Integer> indexById;
    private final PartitionFunction partitionFunction;
    /** {@code table[p * replicaCount + k]}: member index of replica k of partition p. */
    private final int[] table;
    private final int replicaCount;
    private final List<List<Member>> replicaLists;

    private Topology(long epoch, int partitions, int replicationFactor, List<Member> sorted) {
        this.epoch = epoch;
        this.partitions = partitions;
        this.replicationFactor = replicationFactor;
        this.members = Collections.unmodifiableList(sorted);
        this.partitionFunction = PartitionFunction.of(partitions);
        this.replicaCount = Math.min(replicationFactor, sorted.size());
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < sorted.size(); i++) {
            index.put(sorted.get(i).id(), i);
        }
        this.indexById = Collections.unmodifiableMap(index);
        this.table = sorted.isEmpty() ? new int[0] : Placement.compute(sorted, partitions, replicaCount);
        List<List<Member>> lists = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            Member[] row = new Member[replicaCount];
            for (int k = 0; k < replicaCount; k++) {
                row[k] = sorted.get(table[p * replicaCount + k]);
                for (int j = 0; j < k; j++) {
                    if (row[j] == row[k]) {
                        // Cheap guard for the invariant every user relies on; a failure is a placement bug.
                        throw new IllegalStateException("placement bug: partition " + p + " lists member " + row[k].id() + " twice");
                    }
                }
            }
            lists.add(List.of(row));
        }
        this.replicaLists = List.copyOf(lists);
    }

    /**
     * Builds and validates a topology. The order of {@code members} does not matter.
     *
     * @throws IllegalArgumentException naming the field and the value when a rule is broken
     */
    public static Topology of(long epoch, int partitions, int replicationFactor, Collection<Member> members) {
        if (epoch < 0) {
            throw new IllegalArgumentException("topology epoch must be >= 0, got " + epoch);
        }
        if (partitions < 1 || partitions > PartitionFunction.MAX_PARTITIONS) {
            throw new IllegalArgumentException(
                    "topology partitions must be in [1, " + PartitionFunction.MAX_PARTITIONS + "], got " + partitions);
        }
        if (replicationFactor < 1 || replicationFactor > MAX_REPLICATION_FACTOR) {
            throw new IllegalArgumentException(
                    "topology replicationFactor must be in [1, " + MAX_REPLICATION_FACTOR + "], got " + replicationFactor);
        }
        Objects.requireNonNull(members, "members");
        List<Member> sorted = new ArrayList<>(members.size());
        for (Member m : members) {
            if (m == null) {
                throw new IllegalArgumentException("topology members must not contain null");
            }
            sorted.add(m);
        }
        Collections.sort(sorted);
        Set<String> endpoints = new HashSet<>();
        int zoned = 0;
        for (int i = 0; i < sorted.size(); i++) {
            Member m = sorted.get(i);
            if (i > 0 && sorted.get(i - 1).id().equals(m.id())) {
                throw new IllegalArgumentException("topology member ids must be unique, got '" + m.id() + "' twice");
            }
            if (!endpoints.add(m.endpoint())) {
                throw new IllegalArgumentException(
                        "topology member endpoints must be unique, got '" + m.endpoint() + "' twice (member '" + m.id() + "')");
            }
            if (m.zoneOrNull() != null) {
                zoned++;
            }
        }
        if (zoned != 0 && zoned != sorted.size()) {
            throw new IllegalArgumentException("topology members must all have a zone or none, got " + zoned + " of "
                    + sorted.size() + " with a zone");
        }
        if ((long) partitions * sorted.size() > Placement.MAX_PAIRS) {
            throw new IllegalArgumentException("topology partitions x members must be at most " + Placement.MAX_PAIRS + ", got "
                    + partitions + " x " + sorted.size());
        }
        return new Topology(epoch, partitions, replicationFactor, sorted);
    }

    /** The topology epoch this table belongs to. */
    public long epoch() {
        return epoch;
    }

    /** The partition count P. */
    public int partitions() {
        return partitions;
    }

    /** The configured replication factor RF (a partition has {@link #replicaCount()} replicas). */
    public int replicationFactor() {
        return replicationFactor;
    }

    /** Replicas per partition: {@code min(RF, members)}. */
    public int replicaCount() {
        return replicaCount;
    }

    /** The members, sorted by id. */
    public List<Member> members() {
        return members;
    }

    /** The member with this id, if it belongs to the topology. */
    public Optional<Member> member(String id) {
        Integer i = indexById.get(id);
        return i == null ? Optional.empty() : Optional.of(members.get(i));
    }

    /** The partition function for P. */
    public PartitionFunction partitionFunction() {
        return partitionFunction;
    }

    /**
     * The ordered replica list of a partition: {@link #replicaCount()} distinct members, the primary
     * first; in a zoned topology the first {@code min(replicaCount, zones)} are in distinct zones.
     *
     * @throws IndexOutOfBoundsException if the partition is not in {@code [0, P)}
     */
    public List<Member> replicas(int partition) {
        return replicaLists.get(partition);
    }

    /** The ordered replica list of the partition that holds {@code (space, id)}. */
    public List<Member> replicasOf(String space, String id) {
        return replicaLists.get(partitionFunction.partitionOf(space, id));
    }

    /** The partition of {@code (space, id)}. */
    public int partitionOf(String space, String id) {
        return partitionFunction.partitionOf(space, id);
    }

    /** Serializes to the compact binary form (see {@link #fromBytes(byte[])}). */
    public byte[] toBytes() {
        return BinaryCodec.encode(this);
    }

    /**
     * Reads the compact binary form: magic {@code "MNTP"}, format version, header, members, CRC32C.
     *
     * @throws IllegalArgumentException if the input is truncated, corrupt, of an unknown version or
     *                                  describes an invalid topology; the message says which and where
     */
    public static Topology fromBytes(byte[] bytes) {
        return BinaryCodec.decode(bytes);
    }

    /** Serializes to JSON, for clients and operators. */
    public String toJson() {
        return JsonCodec.encode(this);
    }

    /**
     * Reads the JSON form.
     *
     * @throws IllegalArgumentException if the text is not valid JSON, lacks a field, or describes an
     *                                  invalid topology; the message names the field or the position
     */
    public static Topology fromJson(String json) {
        return JsonCodec.decode(json);
    }

    /** Member index (position in {@link #members()}) of replica k of partition p. */
    int replicaIndex(int partition, int k) {
        return table[partition * replicaCount + k];
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Topology)) {
            return false;
        }
        Topology t = (Topology) o;
        return epoch == t.epoch && partitions == t.partitions && replicationFactor == t.replicationFactor && members.equals(t.members);
    }

    @Override
    public int hashCode() {
        return Objects.hash(epoch, partitions, replicationFactor, members);
    }

    @Override
    public String toString() {
        return "Topology[epoch=" + epoch + ", partitions=" + partitions + ", replicationFactor=" + replicationFactor
                + ", members=" + members.size() + "]";
    }
}
