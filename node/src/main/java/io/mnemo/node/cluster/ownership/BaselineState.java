package io.mnemo.node.cluster.ownership;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One committed baseline: the topology epoch, the partition count P and replication factor RF fixed at
 * cluster creation, the members and the per-space settings. Immutable and thread-safe; compares by value.
 *
 * <p>Invariants (checked by {@link #of}): before {@code Init} the state is {@linkplain #empty() empty}
 * (epoch 0, P = RF = 0, no members, no spaces); after it epoch {@code >= 1}, P in [1, 65536], RF in
 * [1, 16]; member ids and endpoints are unique; either every member has a zone or none has;
 * {@code P * members <= 2^22}. These are the shard map's {@code Topology} rules, so every baseline maps
 * to a topology. RF is stored as configured: placement caps it by the number of active members.
 *
 * <p>Placement: the <em>ownership epoch</em> ({@code 1 <= ownershipEpoch <= epoch}) is the epoch of the last change
 * that altered where partitions live or a move's state (a new target, a completed move); a change of spaces or a
 * confirmation that does not complete a move leaves it alone. Replicas compare ownership epochs, so a change that
 * moves nothing never fences writes. While a placement change is in progress {@link #transition()} holds its
 * source placement and confirmations ({@link BaselineTransitions} has the rules).
 *
 * <p>Members and spaces are kept sorted (by id, by name), which makes {@link BaselineCodec}'s encoding
 * deterministic: equal states have equal bytes on every replica.
 */
public final class BaselineState {
    private static final BaselineState EMPTY = new BaselineState(0, 0, 0, 0, new TreeMap<>(), new TreeMap<>(), null);

    private final long epoch;
    private final long ownershipEpoch;
    private final Transition transition;
    private final int partitions;
    private final int replicationFactor;
    private final SortedMap<String, BaselineMember> members;
    private final SortedMap<String, SpaceSettings> spaces;

    private BaselineState(long epoch, long ownershipEpoch, int partitions, int replicationFactor,
            SortedMap<String, BaselineMember> members, SortedMap<String, SpaceSettings> spaces, Transition transition) {
        this.epoch = epoch;
        this.ownershipEpoch = ownershipEpoch;
        this.transition = transition;
        this.partitions = partitions;
        this.replicationFactor = replicationFactor;
        this.members = Collections.unmodifiableSortedMap(members);
        this.spaces = Collections.unmodifiableSortedMap(spaces);
    }

    /** The state before {@code Init}: epoch 0, nothing configured. */
    public static BaselineState empty() {
        return EMPTY;
    }

    /**
     * Builds and validates an initialized state (see the class comment for the rules).
     *
     * @throws IllegalArgumentException naming the rule and the value when one is broken
     */
    public static BaselineState of(long epoch, int partitions, int replicationFactor, Collection<BaselineMember> members,
            Collection<SpaceSettings> spaces) {
        return of(epoch, epoch, partitions, replicationFactor, members, spaces, null);
    }

    /**
     * Builds and validates an initialized state with its ownership epoch and the placement change in progress
     * (null for none).
     *
     * @throws IllegalArgumentException naming the rule and the value when one is broken
     */
    public static BaselineState of(long epoch, long ownershipEpoch, int partitions, int replicationFactor,
            Collection<BaselineMember> members, Collection<SpaceSettings> spaces, Transition transition) {
        if (ownershipEpoch < 1 || ownershipEpoch > epoch) {
            throw new IllegalArgumentException("baseline ownership epoch must be in [1, epoch " + epoch + "], got "
                    + ownershipEpoch);
        }
        if (epoch < 1) {
            throw new IllegalArgumentException("baseline epoch of an initialized state must be >= 1, got " + epoch);
        }
        Validation.partitions(partitions);
        Validation.replicationFactor(replicationFactor);
        Objects.requireNonNull(members, "members");
        Objects.requireNonNull(spaces, "spaces");
        SortedMap<String, BaselineMember> byId = new TreeMap<>();
        Map<String, String> idByEndpoint = new HashMap<>();
        int zoned = 0;
        for (BaselineMember m : members) {
            Objects.requireNonNull(m, "members must not contain null");
            if (byId.put(m.id(), m) != null) {
                throw new IllegalArgumentException("baseline member ids must be unique, got '" + m.id() + "' twice");
            }
            String other = idByEndpoint.put(m.endpoint(), m.id());
            if (other != null) {
                throw new IllegalArgumentException("baseline member endpoints must be unique, got '" + m.endpoint()
                        + "' for members '" + other + "' and '" + m.id() + "'");
            }
            if (m.zone() != null) {
                zoned++;
            }
        }
        if (zoned != 0 && zoned != byId.size()) {
            throw new IllegalArgumentException("baseline members must all have a zone or none, got " + zoned + " of "
                    + byId.size() + " with a zone");
        }
        if ((long) partitions * byId.size() > Validation.MAX_PARTITION_MEMBER_PAIRS) {
            throw new IllegalArgumentException("baseline partitions x members must be at most "
                    + Validation.MAX_PARTITION_MEMBER_PAIRS + ", got " + partitions + " x " + byId.size());
        }
        SortedMap<String, SpaceSettings> byName = new TreeMap<>();
        for (SpaceSettings s : spaces) {
            Objects.requireNonNull(s, "spaces must not contain null");
            if (byName.put(s.name(), s) != null) {
                throw new IllegalArgumentException("baseline space names must be unique, got '" + s.name() + "' twice");
            }
        }
        if (byName.size() > Validation.MAX_SPACES) {
            throw new IllegalArgumentException("baseline must hold at most " + Validation.MAX_SPACES + " spaces, got "
                    + byName.size());
        }
        return new BaselineState(epoch, ownershipEpoch, partitions, replicationFactor, byId, byName, transition);
    }

    /** The topology epoch: 0 before {@code Init}, then +1 for every committed change. */
    public long epoch() {
        return epoch;
    }

    /** The epoch of the last change of placement or of a move's state; 0 before {@code Init}. */
    public long ownershipEpoch() {
        return ownershipEpoch;
    }

    /** The placement change in progress, if any. */
    public Optional<Transition> transition() {
        return Optional.ofNullable(transition);
    }

    /** Whether {@code Init} has been committed. */
    public boolean isInitialized() {
        return partitions > 0;
    }

    /** The partition count P; 0 before {@code Init}. */
    public int partitions() {
        return partitions;
    }

    /** The configured replication factor RF (not capped by the member count); 0 before {@code Init}. */
    public int replicationFactor() {
        return replicationFactor;
    }

    /** All members, active and draining, sorted by id. */
    public List<BaselineMember> members() {
        return List.copyOf(members.values());
    }

    /** The members that own partition replicas in this epoch (ACTIVE), sorted by id. */
    public List<BaselineMember> activeMembers() {
        List<BaselineMember> active = new ArrayList<>(members.size());
        for (BaselineMember m : members.values()) {
            if (m.state() == MemberState.ACTIVE) {
                active.add(m);
            }
        }
        return active;
    }

    /** The member with this id, if there is one. */
    public Optional<BaselineMember> member(String id) {
        return Optional.ofNullable(members.get(id));
    }

    /** The number of members, active and draining. */
    public int memberCount() {
        return members.size();
    }

    /** All spaces, sorted by name. */
    public List<SpaceSettings> spaces() {
        return List.copyOf(spaces.values());
    }

    /** The space with this name, if there is one. */
    public Optional<SpaceSettings> space(String name) {
        return Optional.ofNullable(spaces.get(name));
    }

    /** The number of spaces. */
    public int spaceCount() {
        return spaces.size();
    }

    /** The member holding this endpoint, if any. */
    Optional<BaselineMember> memberAt(String endpoint) {
        for (BaselineMember m : members.values()) {
            if (m.endpoint().equals(endpoint)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /** A copy with the member put (added or replaced) and the epoch as given; validates like {@link #of}. */
    BaselineState withMember(BaselineMember member, long newEpoch) {
        Map<String, BaselineMember> copy = new TreeMap<>(members);
        copy.put(member.id(), member);
        return of(newEpoch, ownershipEpoch, partitions, replicationFactor, copy.values(), spaces.values(), transition);
    }

    BaselineState withoutMember(String id, long newEpoch) {
        Map<String, BaselineMember> copy = new TreeMap<>(members);
        copy.remove(id);
        return of(newEpoch, ownershipEpoch, partitions, replicationFactor, copy.values(), spaces.values(), transition);
    }

    BaselineState withSpace(SpaceSettings space, long newEpoch) {
        Map<String, SpaceSettings> copy = new TreeMap<>(spaces);
        copy.put(space.name(), space);
        return of(newEpoch, ownershipEpoch, partitions, replicationFactor, members.values(), copy.values(), transition);
    }

    BaselineState withoutSpace(String name, long newEpoch) {
        Map<String, SpaceSettings> copy = new TreeMap<>(spaces);
        copy.remove(name);
        return of(newEpoch, ownershipEpoch, partitions, replicationFactor, members.values(), copy.values(), transition);
    }

    /** A copy at {@code newEpoch} with this ownership epoch and transition (null for none); validates like {@link #of}. */
    BaselineState withOwnership(long newEpoch, long newOwnershipEpoch, Transition newTransition) {
        return of(newEpoch, newOwnershipEpoch, partitions, replicationFactor, members.values(), spaces.values(),
                newTransition);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof BaselineState)) {
            return false;
        }
        BaselineState s = (BaselineState) o;
        return epoch == s.epoch && ownershipEpoch == s.ownershipEpoch && Objects.equals(transition, s.transition)
                && partitions == s.partitions && replicationFactor == s.replicationFactor
                && members.equals(s.members) && spaces.equals(s.spaces);
    }

    @Override
    public int hashCode() {
        return Objects.hash(epoch, ownershipEpoch, partitions, replicationFactor, members, spaces, transition);
    }

    @Override
    public String toString() {
        if (!isInitialized()) {
            return "BaselineState[uninitialized]";
        }
        return "BaselineState[epoch=" + epoch + ", ownershipEpoch=" + ownershipEpoch + ", P=" + partitions + ", RF="
                + replicationFactor + ", members="
                + members.values() + ", spaces=" + spaces.values()
                + (transition == null ? "" : ", moving from " + transition.source().size() + " members, confirmed "
                + transition.confirmed()) + "]";
    }
}
