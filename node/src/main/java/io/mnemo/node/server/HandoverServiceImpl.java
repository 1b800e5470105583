package io.mnemo.node.server;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.mnemo.node.replication.Hint;
import io.mnemo.node.replication.ReplicationNode;
import io.mnemo.protocol.Errors;
import io.mnemo.protocol.v1.HandOverHintsRequest;
import io.mnemo.protocol.v1.HandOverHintsResponse;
import io.mnemo.protocol.v1.HandedOverHint;
import io.mnemo.protocol.v1.HandoverServiceGrpc;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of {@code HandoverService}: takes the hints a draining peer could not deliver into this node's
 * replication ({@link ReplicationNode#importHints}): those meant for this node are applied at once, the others join
 * its hint queues. The whole request is decoded before anything is imported, so a malformed request changes
 * nothing. Thread-safe (the replication node is).
 */
final class HandoverServiceImpl extends HandoverServiceGrpc.HandoverServiceImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(HandoverServiceImpl.class);

    private final ReplicationNode replication;

    HandoverServiceImpl(ReplicationNode replication) {
        this.replication = replication;
    }

    @Override
    public void handOverHints(HandOverHintsRequest request, StreamObserver<HandOverHintsResponse> out) {
        List<Hint> hints = new ArrayList<>(request.getHintsCount());
        try {
            for (HandedOverHint h : request.getHintsList()) {
                hints.add(HintWire.fromWire(h));
            }
        } catch (IllegalArgumentException e) {
            out.onError(Errors.invalidArgument("hints", e.getMessage(), ""));
            return;
        }
        try {
            replication.importHints(hints);
        } catch (IllegalStateException e) {
            // This node is closing too: the caller tries another peer.
            out.onError(Errors.unavailable("node " + replication.nodeId() + " is closing: " + e.getMessage(), 0));
            return;
        } catch (RuntimeException e) {
            out.onError(Status.INTERNAL.withDescription("importing hints failed: " + e).withCause(e)
                    .asRuntimeException());
            return;
        }
        LOG.info("node {}: took {} hints handed over by node {}", replication.nodeId(), hints.size(),
                request.getFromNodeId());
        out.onNext(HandOverHintsResponse.newBuilder().setAccepted(hints.size()).build());
        out.onCompleted();
    }
}
