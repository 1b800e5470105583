package io.mnemo.node.server;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.mnemo.node.replication.Hint;
import io.mnemo.protocol.v1.HandOverHintsRequest;
import io.mnemo.protocol.v1.HandoverServiceGrpc;
import io.mnemo.shardmap.Member;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A draining node's last step for the hints it could not deliver: hand them to a peer that stays
 * ({@code HandoverService.HandOverHints}), which delivers them as its own. Peers are the members of the node's
 * current topology other than itself, tried in id order starting after this node's id (so the nodes of a rolling
 * restart do not all pick the same peer); the hints go in batches of at most {@value #BATCH_BYTES} estimated bytes,
 * and a peer that fails a batch gives way to the next with the batches not yet taken.
 *
 * <p>What is not handed over (no peer answered before the deadline, or a one-node cluster) is logged with its
 * count. It is not lost for the cluster: a hint exists only for a write that a quorum acknowledged (W replicas hold
 * it), and anti-entropy on those replicas repairs the replica that missed it. Only the speed of that repair is lost.
 */
final class HintHandover {
    private static final Logger LOG = LoggerFactory.getLogger(HintHandover.class);
    static final int BATCH_BYTES = 4 << 20;
    /** Each attempt gets at least this long, even when the drain used up its time delivering. */
    private static final long MIN_ATTEMPT_MS = 2_000;

    private HintHandover() {
    }

    /**
     * Hands {@code hints} over to a peer of {@code placement}, giving up at {@code deadlineNs}
     * ({@link System#nanoTime()} time; each attempt gets at least 2 s), over channels from {@code channels}
     * (endpoint to channel: plaintext or TLS with this node's credentials); each channel is shut down after use.
     *
     * @return how many hints a peer took
     */
    static int handOver(int self, TopologyPlacement placement, List<Hint> hints, long deadlineNs,
                         Function<String, ManagedChannel> channels) {
        List<Member> peers = placement == null ? List.of() : peersOf(self, placement.topology().members());
        List<List<Hint>> batches = batches(hints);
        int next = 0;
        int taken = 0;
        for (Member peer : peers) {
            if (next == batches.size()) {
                break;
            }
            ManagedChannel channel = channels.apply(peer.endpoint());
            try {
                while (next < batches.size()) {
                    long leftMs = Math.max(MIN_ATTEMPT_MS, TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime()));
                    HandOverHintsRequest.Builder request = HandOverHintsRequest.newBuilder().setFromNodeId(self)
                            .setTopologyEpoch(placement.epoch());
                    batches.get(next).forEach(h -> request.addHints(HintWire.toWire(h)));
                    int accepted = HandoverServiceGrpc.newBlockingStub(channel)
                            .withDeadlineAfter(leftMs, TimeUnit.MILLISECONDS).handOverHints(request.build())
                            .getAccepted();
                    taken += accepted;
                    next++;
                }
                LOG.info("node {}: handed {} hints over to node {} ({})", self, taken, peer.id(), peer.endpoint());
            } catch (StatusRuntimeException e) {
                LOG.warn("node {}: handing hints over to node {} ({}) failed: {}", self, peer.id(), peer.endpoint(),
                        e.getStatus());
            } finally {
                channel.shutdownNow();
            }
        }
        int left = hints.size() - taken;
        if (left > 0) {
            LOG.warn("node {}: {} of {} hints not handed over ({} peers tried); anti-entropy on the replicas that "
                    + "acknowledged those writes repairs the replicas that missed them", self, left, hints.size(),
                    peers.size());
        }
        return taken;
    }

    /** The members other than {@code self}, in id order starting after {@code self}. */
    static List<Member> peersOf(int self, List<Member> members) {
        List<Member> after = new ArrayList<>();
        List<Member> before = new ArrayList<>();
        members.stream().sorted((a, b) -> Integer.compare(TopologyPlacement.nodeIdOf(a), TopologyPlacement.nodeIdOf(b)))
                .forEach(m -> {
                    int id = TopologyPlacement.nodeIdOf(m);
                    if (id > self) {
                        after.add(m);
                    } else if (id < self) {
                        before.add(m);
                    }
                });
        after.addAll(before);
        return after;
    }

    private static List<List<Hint>> batches(List<Hint> hints) {
        List<List<Hint>> out = new ArrayList<>();
        List<Hint> current = new ArrayList<>();
        long bytes = 0;
        for (Hint h : hints) {
            if (!current.isEmpty() && bytes + h.estimatedBytes() > BATCH_BYTES) {
                out.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(h);
            bytes += h.estimatedBytes();
        }
        if (!current.isEmpty()) {
            out.add(current);
        }
        return out;
    }
}
