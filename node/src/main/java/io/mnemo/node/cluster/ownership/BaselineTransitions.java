package io.mnemo.node.cluster.ownership;

import io.mnemo.node.cluster.ownership.BaselineCommand.AddMember;
import io.mnemo.node.cluster.ownership.BaselineCommand.ConfirmMoves;
import io.mnemo.node.cluster.ownership.BaselineCommand.CreateSpace;
import io.mnemo.node.cluster.ownership.BaselineCommand.DrainMember;
import io.mnemo.node.cluster.ownership.BaselineCommand.DropSpace;
import io.mnemo.node.cluster.ownership.BaselineCommand.Init;
import io.mnemo.node.cluster.ownership.BaselineCommand.RemoveMember;
import io.mnemo.node.cluster.ownership.BaselineCommand.SetWeight;
import io.mnemo.node.replication.MoveRule;
import io.mnemo.shardmap.Member;
import io.mnemo.shardmap.Topology;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The baseline state machine: {@code (state, command) -> result}, a pure function.
 *
 * <p>Every replica applies the same committed commands in the same order, so this function must depend on
 * nothing but its arguments: no clock (times come inside commands), no randomness, no iteration over
 * unordered collections, no configuration. Every change of the topology bumps the epoch by exactly one;
 * a command already in effect is UNCHANGED (same epoch), which makes every command idempotent; a command
 * that conflicts with the baseline is REJECTED with a {@link RejectionReason} and changes nothing.
 *
 * <h2>Placement changes</h2>
 * A command that changes the active members (add, drain, remove, weight) may change where partitions live. The
 * source S is the last <em>stable</em> placement: the active members before the command, or, when a change is
 * already in progress, that change's frozen source (a change mid-transition retargets: S stays, T is the new
 * active members, confirmations reset). Comparing S and T partition by partition ({@link MoveRule}):
 * <ul>
 *   <li>no partition moving: no transition; the ownership epoch moves to the new epoch if the placement differs
 *       from the one before (a dropped transition, a reordering), else stays;</li>
 *   <li>some moving: a {@link Transition} from S with no confirmations, ownership epoch = the new epoch. Every
 *       receiver ({@link MoveRule#receivers}) must then commit {@link ConfirmMoves} for this ownership epoch; the
 *       last one completes the change: a new epoch, no transition, ownership epoch = that epoch.</li>
 * </ul>
 * When S has no members (the first members join) or T has none, nothing can be streamed: no transition.
 * The replica lists come from the shard map's {@link Topology}, itself a pure function of the members, P and RF,
 * so every replica computes the same moves.
 */
public final class BaselineTransitions {
    /** Recently computed placements by (P, RF, owners); see {@link #placementOf}. Guarded by itself. */
    private static final java.util.Map<List<Object>, Topology> PLACEMENTS = new java.util.LinkedHashMap<>(8, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<List<Object>, Topology> eldest) {
            return size() > 4;
        }
    };

    private BaselineTransitions() {
    }

    /** Applies {@code command} to {@code state}. Never throws for a valid state and command. */
    public static CommandResult apply(BaselineState state, BaselineCommand command) {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(command, "command");
        if (command instanceof Init) {
            return init(state, (Init) command);
        }
        if (!state.isInitialized()) {
            return CommandResult.rejected(state, RejectionReason.NOT_INITIALIZED,
                    command.kind() + " needs an initialized baseline: propose Init(partitions, replicationFactor) first");
        }
        switch (command.kind()) {
            case ADD_MEMBER:
                return placementChange(state, addMember(state, (AddMember) command));
            case DRAIN_MEMBER:
                return placementChange(state, drainMember(state, (DrainMember) command));
            case REMOVE_MEMBER:
                return placementChange(state, removeMember(state, (RemoveMember) command));
            case SET_WEIGHT:
                return placementChange(state, setWeight(state, (SetWeight) command));
            case CREATE_SPACE:
                return createSpace(state, (CreateSpace) command);
            case DROP_SPACE:
                return dropSpace(state, (DropSpace) command);
            case CONFIRM_MOVES:
                return confirmMoves(state, (ConfirmMoves) command);
            default:
                throw new IllegalStateException("unhandled command kind " + command.kind());
        }
    }

    private static CommandResult init(BaselineState state, Init c) {
        if (!state.isInitialized()) {
            return CommandResult.applied(BaselineState.of(1, c.partitions(), c.replicationFactor(), List.of(), List.of()));
        }
        if (state.partitions() == c.partitions() && state.replicationFactor() == c.replicationFactor()) {
            return CommandResult.unchanged(state);
        }
        return CommandResult.rejected(state, RejectionReason.ALREADY_INITIALIZED, "the baseline was created with partitions="
                + state.partitions() + ", replicationFactor=" + state.replicationFactor() + "; Init(" + c.partitions() + ", "
                + c.replicationFactor() + ") cannot change them");
    }

    private static CommandResult addMember(BaselineState state, AddMember c) {
        Optional<BaselineMember> existing = state.member(c.id());
        if (existing.isPresent()) {
            BaselineMember m = existing.get();
            if (!m.endpoint().equals(c.endpoint()) || m.weight() != c.weight() || !Objects.equals(m.zone(), c.zone())) {
                return CommandResult.rejected(state, RejectionReason.MEMBER_CONFLICT, "member '" + c.id() + "' is already in the"
                        + " baseline as " + describe(m) + ", not " + describe(c) + "; change the weight with SetWeight, or"
                        + " RemoveMember first to change the endpoint or zone");
            }
            if (c.atMillis() > m.lastConfirmedMillis()) {
                return CommandResult.unchanged(state.withMember(m.withLastConfirmedMillis(c.atMillis()), state.epoch()));
            }
            return CommandResult.unchanged(state);
        }
        Optional<BaselineMember> holder = state.memberAt(c.endpoint());
        if (holder.isPresent()) {
            return CommandResult.rejected(state, RejectionReason.ENDPOINT_IN_USE, "endpoint " + c.endpoint()
                    + " is held by member '" + holder.get().id() + "'; member '" + c.id() + "' needs its own");
        }
        if (state.memberCount() > 0) {
            boolean othersZoned = state.members().get(0).zone() != null;
            if (othersZoned != (c.zone() != null)) {
                return CommandResult.rejected(state, RejectionReason.ZONE_MISMATCH, "the baseline members " + (othersZoned
                        ? "all have a zone" : "have no zone") + ", so member '" + c.id() + "' must " + (othersZoned ? "have one"
                        : "have none") + ", got zone " + (c.zone() == null ? "none" : "'" + c.zone() + "'"));
            }
        }
        if ((long) state.partitions() * (state.memberCount() + 1) > Validation.MAX_PARTITION_MEMBER_PAIRS) {
            return CommandResult.rejected(state, RejectionReason.TOO_MANY_MEMBERS, "partitions x members must stay at most "
                    + Validation.MAX_PARTITION_MEMBER_PAIRS + "; with partitions=" + state.partitions() + " the baseline holds "
                    + state.memberCount() + " members, the most it can");
        }
        BaselineMember added = new BaselineMember(c.id(), c.endpoint(), c.weight(), c.zone(), MemberState.ACTIVE, c.atMillis());
        return CommandResult.applied(state.withMember(added, state.epoch() + 1));
    }

    private static CommandResult drainMember(BaselineState state, DrainMember c) {
        Optional<BaselineMember> existing = state.member(c.id());
        if (existing.isEmpty()) {
            return CommandResult.rejected(state, RejectionReason.UNKNOWN_MEMBER, "cannot drain '" + c.id()
                    + "': not a baseline member");
        }
        if (existing.get().state() == MemberState.DRAINING) {
            return CommandResult.unchanged(state);
        }
        return CommandResult.applied(state.withMember(existing.get().withState(MemberState.DRAINING), state.epoch() + 1));
    }

    private static CommandResult removeMember(BaselineState state, RemoveMember c) {
        if (state.member(c.id()).isEmpty()) {
            return CommandResult.unchanged(state);
        }
        return CommandResult.applied(state.withoutMember(c.id(), state.epoch() + 1));
    }

    private static CommandResult setWeight(BaselineState state, SetWeight c) {
        Optional<BaselineMember> existing = state.member(c.id());
        if (existing.isEmpty()) {
            return CommandResult.rejected(state, RejectionReason.UNKNOWN_MEMBER, "cannot set the weight of '" + c.id()
                    + "': not a baseline member");
        }
        if (existing.get().weight() == c.weight()) {
            return CommandResult.unchanged(state);
        }
        return CommandResult.applied(state.withMember(existing.get().withWeight(c.weight()), state.epoch() + 1));
    }

    private static CommandResult createSpace(BaselineState state, CreateSpace c) {
        Optional<SpaceSettings> existing = state.space(c.name());
        if (existing.isPresent()) {
            if (existing.get().equals(c.settings())) {
                return CommandResult.unchanged(state);
            }
            return CommandResult.rejected(state, RejectionReason.SPACE_CONFLICT, "space '" + c.name() + "' exists with dimension="
                    + existing.get().dimension() + ", quotaBytes=" + existing.get().quotaBytes() + "; cannot create it with"
                    + " dimension=" + c.dimension() + ", quotaBytes=" + c.quotaBytes());
        }
        if (state.spaceCount() >= Validation.MAX_SPACES) {
            return CommandResult.rejected(state, RejectionReason.TOO_MANY_SPACES, "the baseline holds " + state.spaceCount()
                    + " spaces, the most it can; drop one before creating '" + c.name() + "'");
        }
        return CommandResult.applied(state.withSpace(c.settings(), state.epoch() + 1));
    }

    private static CommandResult dropSpace(BaselineState state, DropSpace c) {
        if (state.space(c.name()).isEmpty()) {
            return CommandResult.unchanged(state);
        }
        return CommandResult.applied(state.withoutSpace(c.name(), state.epoch() + 1));
    }

    /** Sets the ownership epoch and transition of a member change's result (see the class comment). */
    private static CommandResult placementChange(BaselineState before, CommandResult result) {
        if (result.outcome() != CommandResult.Outcome.APPLIED) {
            return result;
        }
        BaselineState next = result.state();
        long epoch = next.epoch();
        List<BaselineMember> source = before.transition().map(Transition::source).orElse(before.activeMembers());
        List<BaselineMember> target = next.activeMembers();
        if (source.isEmpty() || target.isEmpty()) {
            return CommandResult.applied(next.withOwnership(epoch, epoch, null));
        }
        Topology s = placementOf(next, source);
        Topology t = placementOf(next, target);
        if (!receivers(s, t).isEmpty()) {
            return CommandResult.applied(next.withOwnership(epoch, epoch, Transition.from(source)));
        }
        boolean samePlacement = before.transition().isEmpty() && !before.activeMembers().isEmpty()
                && sameLists(placementOf(before, before.activeMembers()), t);
        return CommandResult.applied(next.withOwnership(epoch, samePlacement ? before.ownershipEpoch() : epoch, null));
    }

    private static CommandResult confirmMoves(BaselineState state, ConfirmMoves c) {
        Optional<Transition> transition = state.transition();
        if (transition.isEmpty() || c.ownershipEpoch() != state.ownershipEpoch()
                || transition.get().confirmed().contains(c.id())) {
            return CommandResult.unchanged(state);
        }
        TreeSet<String> receivers = receivers(placementOf(state, transition.get().source()),
                placementOf(state, state.activeMembers()));
        if (!receivers.contains(c.id())) {
            return CommandResult.unchanged(state);
        }
        Transition confirmed = transition.get().withConfirmed(c.id());
        if (confirmed.confirmed().containsAll(receivers)) {
            long epoch = state.epoch() + 1;
            return CommandResult.applied(state.withOwnership(epoch, epoch, null));
        }
        return CommandResult.unchanged(state.withOwnership(state.epoch(), state.ownershipEpoch(), confirmed));
    }

    /**
     * The placement of {@code owners} under {@code state}'s P and RF (numbered epoch 1: placement does not depend on
     * the epoch). The last few are cached, because a change and the confirmations after it ask for the same two
     * placements again and each costs O(P x members); the cache changes no result, so determinism holds.
     */
    private static Topology placementOf(BaselineState state, List<BaselineMember> owners) {
        List<Object> key = new ArrayList<>();
        key.add(state.partitions());
        key.add(state.replicationFactor());
        for (BaselineMember m : owners) {
            key.add(m.id());
            key.add(m.endpoint());
            key.add(m.weight());
            key.add(String.valueOf(m.zone()));
        }
        synchronized (PLACEMENTS) {
            Topology cached = PLACEMENTS.get(key);
            if (cached != null) {
                return cached;
            }
        }
        Topology t = TopologyMapper.topologyOf(1, state.partitions(), state.replicationFactor(), owners);
        synchronized (PLACEMENTS) {
            PLACEMENTS.put(key, t);
        }
        return t;
    }

    /** Every node that receives some partition moving from {@code s} to {@code t}, by id. */
    static TreeSet<String> receivers(Topology s, Topology t) {
        TreeSet<String> out = new TreeSet<>();
        for (int p = 0; p < t.partitions(); p++) {
            out.addAll(MoveRule.receivers(ids(s.replicas(p)), ids(t.replicas(p))));
        }
        return out;
    }

    private static boolean sameLists(Topology a, Topology b) {
        for (int p = 0; p < b.partitions(); p++) {
            if (!ids(a.replicas(p)).equals(ids(b.replicas(p)))) {
                return false;
            }
        }
        return true;
    }

    private static List<String> ids(List<Member> members) {
        List<String> out = new ArrayList<>(members.size());
        for (Member m : members) {
            out.add(m.id());
        }
        return out;
    }

    private static String describe(BaselineMember m) {
        return m.endpoint() + " weight " + m.weight() + (m.zone() == null ? "" : " zone " + m.zone());
    }

    private static String describe(AddMember c) {
        return c.endpoint() + " weight " + c.weight() + (c.zone() == null ? "" : " zone " + c.zone());
    }
}
