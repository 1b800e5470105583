package io.mnemo.node.cluster.ownership;

import io.mnemo.node.cluster.ownership.BaselineCommand.AddMember;
import io.mnemo.node.cluster.ownership.BaselineCommand.CreateSpace;
import io.mnemo.node.cluster.ownership.BaselineCommand.DrainMember;
import io.mnemo.node.cluster.ownership.BaselineCommand.DropSpace;
import io.mnemo.node.cluster.ownership.BaselineCommand.Init;
import io.mnemo.node.cluster.ownership.BaselineCommand.RemoveMember;
import io.mnemo.node.cluster.ownership.BaselineCommand.SetWeight;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The baseline state machine: {@code (state, command) -> result}, a pure function.
 *
 * <p>Every replica applies the same committed commands in the same order, so this function must depend on
 * nothing but its arguments: no clock (times come inside commands), no randomness, no iteration over
 * unordered collections, no configuration. Every change of the topology bumps the epoch by exactly one;
 * a command already in effect is UNCHANGED (same epoch), which makes every command idempotent; a command
 * that conflicts with the baseline is REJECTED with a {@link RejectionReason} and changes nothing.
 */
public final class BaselineTransitions {
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
                return addMember(state, (AddMember) command);
            case DRAIN_MEMBER:
                return drainMember(state, (DrainMember) command);
            case REMOVE_MEMBER:
                return removeMember(state, (RemoveMember) command);
            case SET_WEIGHT:
                return setWeight(state, (SetWeight) command);
            case CREATE_SPACE:
                return createSpace(state, (CreateSpace) command);
            case DROP_SPACE:
                return dropSpace(state, (DropSpace) command);
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

    private static String describe(BaselineMember m) {
        return m.endpoint() + " weight " + m.weight() + (m.zone() == null ? "" : " zone " + m.zone());
    }

    private static String describe(AddMember c) {
        return c.endpoint() + " weight " + c.weight() + (c.zone() == null ? "" : " zone " + c.zone());
    }
}
