package io.mnemo.node.server;

import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.mnemo.node.replication.ReplicaServiceImpl;
import io.mnemo.protocol.v1.MnemoServiceGrpc;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * Which thread runs a gRPC call's handler. The keyed client calls and the replica write and read calls run on the
 * network thread that decoded them: their handlers never block (a keyed call hands its work to its partition's
 * worker pool at once, and a replica call touches only the store, or moves to a catch-up thread first when it
 * has to wait; see {@link ReplicaServiceImpl}). Every other call (spaces, scans, counts, admin, streams) may
 * block on the ownership log or on I/O, so it keeps the server's default executor. Skipping the hop to that
 * executor saves a thread hand-off per call on the hot path.
 */
public final class CallExecutors implements ServerCallExecutorSupplier {
    private static final Set<String> DIRECT = direct();

    private static Set<String> direct() {
        Set<String> s = new HashSet<>(ReplicaServiceImpl.HOT_METHODS);
        s.add(MnemoServiceGrpc.getStoreMethod().getFullMethodName());
        s.add(MnemoServiceGrpc.getRecallMethod().getFullMethodName());
        s.add(MnemoServiceGrpc.getRemoveMethod().getFullMethodName());
        s.add(MnemoServiceGrpc.getStoreBatchMethod().getFullMethodName());
        s.add(MnemoServiceGrpc.getTopologyMethod().getFullMethodName());
        return Set.copyOf(s);
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
