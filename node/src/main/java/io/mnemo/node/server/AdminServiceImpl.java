package io.mnemo.node.server;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.mnemo.node.cluster.ownership.BaselineCommand;
import io.mnemo.node.cluster.ownership.BaselineState;
import io.mnemo.protocol.Errors;
import io.mnemo.protocol.v1.AddMemberRequest;
import io.mnemo.protocol.v1.AdminServiceGrpc;
import io.mnemo.protocol.v1.DrainMemberRequest;
import io.mnemo.protocol.v1.MembershipChangeResponse;
import io.mnemo.protocol.v1.RemoveMemberRequest;
import java.util.function.Supplier;

/**
 * The server side of {@code AdminService}: each call becomes one {@link BaselineCommand} proposed through this
 * node's ownership log ({@link ClusterControl#changeMembership}), answered with the epoch it committed in and the
 * topology of that epoch. Calls block a gRPC executor thread for at most the proposal wait (15 s); they are rare
 * operator actions. A one-node cluster (no ownership log) answers FAILED_PRECONDITION. Thread-safe.
 */
final class AdminServiceImpl extends AdminServiceGrpc.AdminServiceImplBase {
    /** The weight an AddMember with weight 0 gets (the wire says 0 reads as 1). */
    private static final int DEFAULT_WEIGHT = 1;

    private final Supplier<ClusterControl> cluster;

    /** Serves {@code cluster}'s ownership log; the supplier gives null on a one-node cluster. */
    AdminServiceImpl(Supplier<ClusterControl> cluster) {
        this.cluster = cluster;
    }

    @Override
    public void addMember(AddMemberRequest request, StreamObserver<MembershipChangeResponse> out) {
        answer(out, () -> {
            int weight = request.getWeight() == 0 ? DEFAULT_WEIGHT : request.getWeight();
            String zone = request.getZone().isEmpty() ? null : request.getZone();
            return new BaselineCommand.AddMember(Integer.toString(request.getId()), request.getEndpoint(), weight, zone,
                    System.currentTimeMillis());
        });
    }

    @Override
    public void drainMember(DrainMemberRequest request, StreamObserver<MembershipChangeResponse> out) {
        answer(out, () -> new BaselineCommand.DrainMember(Integer.toString(request.getId())));
    }

    @Override
    public void removeMember(RemoveMemberRequest request, StreamObserver<MembershipChangeResponse> out) {
        answer(out, () -> new BaselineCommand.RemoveMember(Integer.toString(request.getId())));
    }

    private void answer(StreamObserver<MembershipChangeResponse> out, Supplier<BaselineCommand> command) {
        MembershipChangeResponse response;
        try {
            ClusterControl c = cluster.get();
            if (c == null) {
                throw Status.FAILED_PRECONDITION.withDescription("this node runs a one-node cluster (no "
                        + "mnemo.cluster.seeds): it has no ownership log, so its membership cannot change")
                        .asRuntimeException();
            }
            BaselineCommand cmd;
            try {
                cmd = command.get();
            } catch (IllegalArgumentException e) {
                // The command's own validation: a malformed endpoint, weight or zone.
                throw Errors.invalidArgument("request", e.getMessage(), "");
            }
            response = toResponse(c.changeMembership(cmd));
        } catch (StatusRuntimeException e) {
            out.onError(e);
            return;
        } catch (RuntimeException e) {
            out.onError(Status.INTERNAL.withDescription(e.toString()).withCause(e).asRuntimeException());
            return;
        }
        out.onNext(response);
        out.onCompleted();
    }

    private static MembershipChangeResponse toResponse(BaselineState state) {
        MembershipChangeResponse.Builder b = MembershipChangeResponse.newBuilder().setEpoch(state.epoch());
        if (!state.activeMembers().isEmpty()) {
            b.setTopology(ProtoMapping.toWire(TopologyPlacement.of(state)));
        }
        return b.build();
    }
}
