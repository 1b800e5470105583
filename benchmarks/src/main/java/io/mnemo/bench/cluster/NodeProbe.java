package io.mnemo.bench.cluster;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.mnemo.protocol.v1.AddMemberRequest;
import io.mnemo.protocol.v1.AdminServiceGrpc;
import io.mnemo.protocol.v1.CountsRequest;
import io.mnemo.protocol.v1.MembershipChangeResponse;
import io.mnemo.protocol.v1.MnemoServiceGrpc;
import io.mnemo.protocol.v1.Topology;
import io.mnemo.protocol.v1.TopologyRequest;
import io.mnemo.protocol.v1.TopologyResponse;
import java.util.concurrent.TimeUnit;

/**
 * One long-lived plaintext channel to a node for the join benchmark's once-a-second observations (its topology and
 * its own record count of a space) and for the operator call that adds a member. Calls answer a sentinel instead of
 * throwing when the node cannot answer (starting, busy), since the monitor just tries again a second later.
 */
final class NodeProbe implements AutoCloseable {
    private final String endpoint;
    private final ManagedChannel channel;

    NodeProbe(String endpoint) {
        this.endpoint = endpoint;
        this.channel = NettyChannelBuilder.forTarget(endpoint).usePlaintext().build();
    }

    String endpoint() {
        return endpoint;
    }

    /** The node's topology, or null when it cannot answer. */
    Topology topology() {
        try {
            TopologyResponse r = MnemoServiceGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
                    .topology(TopologyRequest.getDefaultInstance());
            return r.hasTopology() ? r.getTopology() : null;
        } catch (StatusRuntimeException e) {
            return null;
        }
    }

    /** Live records of {@code space} in this node's own store, or -1 when it cannot answer. */
    long records(String space) {
        try {
            return MnemoServiceGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
                    .counts(CountsRequest.newBuilder().setSpace(space).setClusterWide(false).build()).getTotal().getWarm();
        } catch (StatusRuntimeException e) {
            return -1;
        }
    }

    /** {@code AdminService.AddMember} through this node; the committed epoch, or throws with the node's reason. */
    MembershipChangeResponse addMember(int id, String memberEndpoint) {
        return AdminServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .addMember(AddMemberRequest.newBuilder().setId(id).setEndpoint(memberEndpoint).setWeight(1).build());
    }

    /** Partitions with a pending replica list in {@code t} (a move in progress). */
    static int pendingPartitions(Topology t) {
        int n = 0;
        for (var p : t.getPartitionsList()) {
            if (p.getPendingReplicasCount() > 0) {
                n++;
            }
        }
        return n;
    }

    @Override
    public void close() {
        channel.shutdownNow();
    }
}
