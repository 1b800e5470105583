/**
 * Ownership authority: the Raft-replicated <em>baseline</em> that says which nodes own data.
 *
 * <p>Ignite 2 has no split-brain protection, so liveness (Ignite) and ownership (this package) are kept
 * apart. The baseline ({@link io.mnemo.node.cluster.ownership.BaselineState}: P, RF, members, spaces) is a
 * replicated state machine on jgroups-raft; it only moves when a majority of the Raft group commits a
 * {@link io.mnemo.node.cluster.ownership.BaselineCommand}, and every committed change is a numbered
 * topology epoch. A side of a network partition without a majority keeps its last committed baseline and
 * refuses changes with a retryable {@link io.mnemo.node.cluster.ownership.NoQuorumException}.
 *
 * <ul>
 *   <li>{@link io.mnemo.node.cluster.ownership.OwnershipLog} is the API the rest of the node codes
 *       against (and fakes in tests); {@link io.mnemo.node.cluster.ownership.RaftOwnershipLog} is the
 *       jgroups-raft implementation.</li>
 *   <li>{@link io.mnemo.node.cluster.ownership.BaselineTransitions} is the whole deterministic state
 *       machine: a pure function of (state, command), so every replica computes the same epochs.</li>
 *   <li>{@link io.mnemo.node.cluster.ownership.BaselineCodec} is the versioned binary form of states,
 *       commands and results, used in the Raft log and in snapshots.</li>
 *   <li>{@link io.mnemo.node.cluster.ownership.BaselineController} decides, without I/O, which commands
 *       the leader should propose as nodes come and go.</li>
 *   <li>{@link io.mnemo.node.cluster.ownership.TopologyMapper} turns a baseline into the shard map's
 *       {@code Topology}.</li>
 * </ul>
 */
package io.mnemo.node.cluster.ownership;
