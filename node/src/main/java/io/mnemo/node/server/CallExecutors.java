package io.mnemo.node.server;

import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.mnemo.protocol.v1.MnemoServiceGrpc;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * Which thread runs a gRPC call's handler. The keyed client calls (store, recall, remove, batch store) and the
 * topology run on the network thread that decoded them: their handlers never block (a keyed call validates, hands
 * its work to its partition's worker pool at once and answers when that completes), so the hop to the server's
 * executor would only add a thread hand-off per call.
 *
 * <p>The replica calls stay on the server's executor, although they also finish in microseconds when their pages are
 * in memory: they touch the warm tier, whose memory-mapped pages can take milliseconds to fault back in under memory
 * pressure (seen on the development VM, whose kernel pages out cold file pages), and a node's server and its
 * outgoing peer channels share Netty's event loops, so a stalled network thread would also hold up the replies to
 * this node's own replica calls. Running them on the network thread too was faster in a benchmark (README,
 * "Where a node's time went"), but a 10K batch store timed out under heavy load while they did (the cause was not
 * isolated). Every other call (spaces, scans, counts, admin, streams) may block on the ownership log or on I/O and
 * keeps the default executor.
 */
public final class CallExecutors implements ServerCallExecutorSupplier {
    private static final Set<String> DIRECT = direct();

    private static Set<String> direct() {
        return Set.of(MnemoServiceGrpc.getStoreMethod().getFullMethodName(),
                MnemoServiceGrpc.getRecallMethod().getFullMethodName(),
                MnemoServiceGrpc.getRemoveMethod().getFullMethodName(),
                MnemoServiceGrpc.getStoreBatchMethod().getFullMethodName(),
                MnemoServiceGrpc.getTopologyMethod().getFullMethodName());
    }

    /** Whether {@code fullMethodName} runs on the network thread. */
    public static boolean direct(String fullMethodName) {
        return DIRECT.contains(fullMethodName);
    }

    @Override
    public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call, Metadata metadata) {
        return direct(call.getMethodDescriptor().getFullMethodName()) ? MoreExecutors.directExecutor() : null;
    }
}
