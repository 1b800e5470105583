package io.mnemo.node.cluster.ownership;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Decides which baseline changes the Raft leader should propose as nodes come and go. Pure logic: no I/O,
 * no clock (the caller passes {@code nowNs} from a monotonic clock, and the wall clock only to stamp
 * confirmation times), no threads. Not thread-safe: one caller, the node while it is the Raft leader,
 * calls {@link #decide} on every membership change and periodically (say once a second).
 *
 * <p>Rules:
 * <ul>
 *   <li><b>Bootstrap.</b> Before {@code Init}, and only when {@link Settings.Builder#bootstrap} is set,
 *       propose {@code Init(P, RF)} and nothing else.</li>
 *   <li><b>Join.</b> A live node that is not a member joins (ACTIVE) once it has been seen alive in every
 *       call for {@code settleDelay}; being missed by one call restarts its clock.</li>
 *   <li><b>Drained.</b> A DRAINING member that the caller reports drained (its partitions handed over)
 *       is removed, live or not. A DRAINING member that is not drained is never removed automatically,
 *       however long it is gone: only an operator can give up its data.</li>
 *   <li><b>Absent.</b> An ACTIVE member absent from every call for {@code removeAfter} is removed, but
 *       only (a) while a strict majority of the baseline's members is live: when most of the baseline
 *       vanishes at once it is far more likely a network partition as seen from here, or a correlated
 *       outage, than many independent failures, and removing them would shrink ownership onto a minority
 *       and start a rebalance storm; that case is left to an operator; (b) if the baseline keeps at least
 *       {@code minMembers} members, by default a majority of the Raft voter group, so the data baseline
 *       never becomes smaller than the quorum that governs it; and (c) one at a time: the longest-absent
 *       member first (ties by id), and the next only after the baseline shows the previous one gone.</li>
 *   <li><b>Pacing.</b> A command is not proposed again for the same node within {@code retryInterval},
 *       so a slow commit or a rejection does not flood the log (commands are idempotent, so a repeat
 *       would be harmless, only wasteful).</li>
 * </ul>
 * A controller that just took over (a new leader) knows no history: every clock starts at its first
 * call, which can delay a removal by up to {@code removeAfter} but never hastens one.
 */
public final class BaselineController {
    private final Settings settings;
    /** Node id to the nowNs since which it has been live in every call. */
    private final Map<String, Long> liveSinceNs = new HashMap<>();
    /** Member id to the nowNs since which it has been absent in every call. */
    private final Map<String, Long> absentSinceNs = new HashMap<>();
    /** Command key ("add:id", "remove:id", "init") to the nowNs it was last proposed. */
    private final Map<String, Long> proposedAtNs = new HashMap<>();

    /** Creates a controller with no history. */
    public BaselineController(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * Returns the commands to propose now, in order (possibly none).
     *
     * @param nowNs      monotonic time, e.g. {@link System#nanoTime()}
     * @param wallMillis wall-clock time, recorded as the join time of added members
     * @param state      the current baseline
     * @param live       the nodes membership reports alive now
     * @param drained    ids of DRAINING members whose data has been handed over
     */
    public List<BaselineCommand> decide(long nowNs, long wallMillis, BaselineState state, Collection<LiveNode> live,
            Set<String> drained) {
        Objects.requireNonNull(state, "state");
        Map<String, LiveNode> liveById = new TreeMap<>();
        for (LiveNode n : live) {
            liveById.put(n.id(), n);
        }
        track(nowNs, state, liveById);
        forgetOldProposals(nowNs);
        List<BaselineCommand> out = new ArrayList<>();
        if (!state.isInitialized()) {
            if (settings.bootstrapPartitions > 0 && mayPropose("init", nowNs)) {
                out.add(new BaselineCommand.Init(settings.bootstrapPartitions, settings.bootstrapReplicationFactor));
            }
            return out;
        }
        for (BaselineMember m : state.members()) {
            if (m.state() == MemberState.DRAINING && drained.contains(m.id()) && mayPropose("remove:" + m.id(), nowNs)) {
                out.add(new BaselineCommand.RemoveMember(m.id()));
            }
        }
        for (LiveNode n : liveById.values()) {
            if (state.member(n.id()).isEmpty() && nowNs - liveSinceNs.get(n.id()) >= settings.settleDelayNs
                    && mayPropose("add:" + n.id(), nowNs)) {
                out.add(new BaselineCommand.AddMember(n.id(), n.endpoint(), n.weight(), n.zone(), wallMillis));
            }
        }
        BaselineMember absent = removableAbsentMember(nowNs, state, liveById);
        if (absent != null && mayPropose("remove:" + absent.id(), nowNs)) {
            out.add(new BaselineCommand.RemoveMember(absent.id()));
        }
        return out;
    }

    private BaselineMember removableAbsentMember(long nowNs, BaselineState state, Map<String, LiveNode> live) {
        int members = state.memberCount();
        int liveMembers = 0;
        for (BaselineMember m : state.members()) {
            if (live.containsKey(m.id())) {
                liveMembers++;
            } else if (m.state() == MemberState.ACTIVE && recentlyProposed("remove:" + m.id(), nowNs)) {
                return null; // (c): a removal is in flight
            }
        }
        if (2 * liveMembers <= members || members - 1 < settings.minMembers) {
            return null; // (a) no live majority, or (b) too few would remain
        }
        BaselineMember best = null;
        long bestSince = Long.MAX_VALUE;
        for (BaselineMember m : state.members()) {
            Long since = absentSinceNs.get(m.id());
            if (m.state() == MemberState.ACTIVE && since != null && nowNs - since >= settings.removeAfterNs && since < bestSince) {
                best = m;
                bestSince = since;
            }
        }
        return best;
    }

    private void track(long nowNs, BaselineState state, Map<String, LiveNode> live) {
        liveSinceNs.keySet().retainAll(live.keySet());
        for (String id : live.keySet()) {
            liveSinceNs.putIfAbsent(id, nowNs);
        }
        Map<String, Long> stillAbsent = new HashMap<>();
        for (BaselineMember m : state.members()) {
            if (!live.containsKey(m.id())) {
                Long since = absentSinceNs.get(m.id());
                stillAbsent.put(m.id(), since == null ? nowNs : since);
            }
        }
        absentSinceNs.clear();
        absentSinceNs.putAll(stillAbsent);
    }

    private boolean mayPropose(String key, long nowNs) {
        if (recentlyProposed(key, nowNs)) {
            return false;
        }
        proposedAtNs.put(key, nowNs);
        return true;
    }

    private boolean recentlyProposed(String key, long nowNs) {
        Long at = proposedAtNs.get(key);
        return at != null && nowNs - at < settings.retryIntervalNs;
    }

    private void forgetOldProposals(long nowNs) {
        for (Iterator<Long> it = proposedAtNs.values().iterator(); it.hasNext();) {
            if (nowNs - it.next() >= settings.retryIntervalNs) {
                it.remove();
            }
        }
    }

    /** The controller's settings; immutable, built by a validating {@link Builder}. */
    public static final class Settings {
        final long settleDelayNs;
        final long removeAfterNs;
        final long retryIntervalNs;
        final int minMembers;
        final int bootstrapPartitions;
        final int bootstrapReplicationFactor;

        private Settings(Builder b) {
            this.settleDelayNs = b.settleDelay.toNanos();
            this.removeAfterNs = b.removeAfter.toNanos();
            this.retryIntervalNs = (b.retryInterval == null ? Duration.ofSeconds(5) : b.retryInterval).toNanos();
            this.minMembers = b.minMembers != null ? b.minMembers : b.raftGroupSize / 2 + 1;
            this.bootstrapPartitions = b.bootstrapPartitions;
            this.bootstrapReplicationFactor = b.bootstrapReplicationFactor;
        }

        /** A new builder. */
        public static Builder builder() {
            return new Builder();
        }

        /** Builds {@link Settings}; each setter rejects bad values and being called twice. */
        public static final class Builder {
            private Duration settleDelay;
            private Duration removeAfter;
            private Duration retryInterval;
            private int raftGroupSize;
            private Integer minMembers;
            private int bootstrapPartitions;
            private int bootstrapReplicationFactor;

            private Builder() {
            }

            /** How long a node must stay alive before it joins. Required, {@code >= 0}. */
            public Builder settleDelay(Duration d) {
                settleDelay = set(settleDelay, d, "settleDelay", false);
                return this;
            }

            /** How long an ACTIVE member may be absent before it is removed. Required, {@code > 0}. */
            public Builder removeAfter(Duration d) {
                removeAfter = set(removeAfter, d, "removeAfter", true);
                return this;
            }

            /** Minimum time between two proposals of the same change; default 5 s. */
            public Builder retryInterval(Duration d) {
                retryInterval = set(retryInterval, d, "retryInterval", true);
                return this;
            }

            /** Number of Raft voters; sets the default {@code minMembers} (its majority). Required. */
            public Builder raftGroupSize(int n) {
                if (raftGroupSize != 0) {
                    throw new IllegalStateException("raftGroupSize is already set to " + raftGroupSize);
                }
                raftGroupSize = Validation.range("raftGroupSize", n, 1, 1000);
                return this;
            }

            /** Fewest members automatic removal may leave; default a majority of the Raft group. */
            public Builder minMembers(int n) {
                if (minMembers != null) {
                    throw new IllegalStateException("minMembers is already set to " + minMembers);
                }
                minMembers = Validation.range("minMembers", n, 1, Integer.MAX_VALUE);
                return this;
            }

            /** Propose {@code Init(partitions, replicationFactor)} when the baseline is not initialized. */
            public Builder bootstrap(int partitions, int replicationFactor) {
                if (bootstrapPartitions != 0) {
                    throw new IllegalStateException("bootstrap is already set to (" + bootstrapPartitions + ", "
                            + bootstrapReplicationFactor + ")");
                }
                bootstrapPartitions = Validation.partitions(partitions);
                bootstrapReplicationFactor = Validation.replicationFactor(replicationFactor);
                return this;
            }

            /** Checks that the required settings are there and builds. */
            public Settings build() {
                if (settleDelay == null || removeAfter == null || raftGroupSize == 0) {
                    throw new IllegalStateException("settleDelay, removeAfter and raftGroupSize are required; got settleDelay="
                            + settleDelay + ", removeAfter=" + removeAfter + ", raftGroupSize=" + raftGroupSize);
                }
                return new Settings(this);
            }

            private static Duration set(Duration current, Duration value, String name, boolean positive) {
                if (current != null) {
                    throw new IllegalStateException(name + " is already set to " + current);
                }
                Objects.requireNonNull(value, name);
                if (value.isNegative() || positive && value.isZero()) {
                    throw new IllegalArgumentException(name + " must be " + (positive ? "> 0" : ">= 0") + ", got " + value);
                }
                return value;
            }
        }
    }
}
