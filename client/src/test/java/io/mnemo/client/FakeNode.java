package io.mnemo.client;

import com.google.protobuf.ByteString;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.mnemo.protocol.Errors;
import io.mnemo.protocol.v1.CountsRequest;
import io.mnemo.protocol.v1.CountsResponse;
import io.mnemo.protocol.v1.CreateSpaceRequest;
import io.mnemo.protocol.v1.CreateSpaceResponse;
import io.mnemo.protocol.v1.ItemError;
import io.mnemo.protocol.v1.Memory;
import io.mnemo.protocol.v1.MnemoServiceGrpc;
import io.mnemo.protocol.v1.PartitionReplicas;
import io.mnemo.protocol.v1.RecallRequest;
import io.mnemo.protocol.v1.RecallResponse;
import io.mnemo.protocol.v1.RemoveRequest;
import io.mnemo.protocol.v1.RemoveResponse;
import io.mnemo.protocol.v1.ScanChunk;
import io.mnemo.protocol.v1.ScanRequest;
import io.mnemo.protocol.v1.StoreBatchRequest;
import io.mnemo.protocol.v1.StoreBatchResponse;
import io.mnemo.protocol.v1.StoreItemResult;
import io.mnemo.protocol.v1.StoreRequest;
import io.mnemo.protocol.v1.StoreResponse;
import io.mnemo.protocol.v1.TierCounts;
import io.mnemo.protocol.v1.Topology;
import io.mnemo.protocol.v1.TopologyRequest;
import io.mnemo.protocol.v1.TopologyResponse;
import io.mnemo.protocol.v1.Version;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A fake Mnemo node: a real gRPC server on 127.0.0.1 (port 0) serving the cluster's shared data, with the failures a
 * test scripts. Counts every call by method; checks ownership of keyed calls against the cluster's current topology
 * and answers WRONG_OWNER like a real node would.
 */
final class FakeNode extends MnemoServiceGrpc.MnemoServiceImplBase implements AutoCloseable {
    final int id;
    final String zone;
    private final FakeCluster cluster;
    private final Server server;
    final String endpoint;
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final Map<String, Deque<Supplier<StatusRuntimeException>>> scripted = new ConcurrentHashMap<>();
    private final Set<String> hanging = ConcurrentHashMap.newKeySet();
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    final List<ScanRequest> scanRequests = new CopyOnWriteArrayList<>();
    final List<List<String>> batchIds = new CopyOnWriteArrayList<>();
    volatile Function<String, Optional<StatusRuntimeException>> batchItemFailure = id -> Optional.empty();
    volatile int scanFailAfter = -1;

    FakeNode(FakeCluster cluster, int id, String zone) throws java.io.IOException {
        this.cluster = cluster;
        this.id = id;
        this.zone = zone;
        ServerInterceptor auth = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                              ServerCallHandler<Q, R> next) {
                String a = headers.get(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER));
                authorizations.add(a == null ? "" : a);
                return next.startCall(call, headers);
            }
        };
        this.server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .addService(ServerInterceptors.intercept(this, auth)).build().start();
        this.endpoint = "127.0.0.1:" + ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
    }

    /** Calls of {@code method} received (every attempt counts). */
    int calls(String method) {
        AtomicInteger n = calls.get(method);
        return n == null ? 0 : n.get();
    }

    /** The next {@code times} calls of {@code method} fail with {@code error}. */
    void failNext(String method, int times, Supplier<StatusRuntimeException> error) {
        Deque<Supplier<StatusRuntimeException>> q = scripted.computeIfAbsent(method, k -> new ArrayDeque<>());
        synchronized (q) {
            for (int i = 0; i < times; i++) {
                q.add(error);
            }
        }
    }

    /** Calls of {@code method} are never answered (the client's deadline ends them). */
    void hang(String method) {
        hanging.add(method);
    }

    /** Counts the call; true when the test scripted this call to fail or hang (and it has been handled). */
    private boolean intercepted(String method, StreamObserver<?> out) {
        calls.computeIfAbsent(method, k -> new AtomicInteger()).incrementAndGet();
        if (hanging.contains(method)) {
            return true;
        }
        Deque<Supplier<StatusRuntimeException>> q = scripted.get(method);
        if (q != null) {
            Supplier<StatusRuntimeException> e;
            synchronized (q) {
                e = q.poll();
            }
            if (e != null) {
                out.onError(e.get());
                return true;
            }
        }
        return false;
    }

    /** A WRONG_OWNER error if this node is not a replica of the key at the cluster's current epoch. */
    private Optional<StatusRuntimeException> notOwner(String space, String key) {
        Topology t = cluster.topology();
        int p = cluster.function().partitionOf(space, key);
        PartitionReplicas pr = t.getPartitions(p);
        if (pr.getReplicasList().contains(id)) {
            return Optional.empty();
        }
        List<String> owners = new ArrayList<>();
        pr.getReplicasList().forEach(r -> owners.add(cluster.node(r).endpoint));
        return Optional.of(Errors.wrongOwner(t.getEpoch(), p, owners, "node " + id + " does not own partition " + p));
    }

    private Version stamp() {
        return Version.newBuilder().setHlc(cluster.nextHlc()).setNodeId(id).build();
    }

    @Override
    public void topology(TopologyRequest request, StreamObserver<TopologyResponse> out) {
        if (intercepted("topology", out)) {
            return;
        }
        Topology t = cluster.topology();
        TopologyResponse.Builder r = TopologyResponse.newBuilder();
        if (t.getEpoch() > request.getKnownEpoch()) {
            r.setTopology(t);
        }
        out.onNext(r.build());
        out.onCompleted();
    }

    @Override
    public void store(StoreRequest request, StreamObserver<StoreResponse> out) {
        if (intercepted("store", out)) {
            return;
        }
        Memory m = request.getMemory();
        Optional<StatusRuntimeException> wrong = notOwner(m.getSpace(), m.getId());
        if (wrong.isPresent()) {
            out.onError(wrong.get());
            return;
        }
        Version v = stamp();
        cluster.put(m.toBuilder().setVersion(v).build());
        out.onNext(StoreResponse.newBuilder().setVersion(v).build());
        out.onCompleted();
    }

    @Override
    public void recall(RecallRequest request, StreamObserver<RecallResponse> out) {
        if (intercepted("recall", out)) {
            return;
        }
        Optional<StatusRuntimeException> wrong = notOwner(request.getSpace(), request.getId());
        if (wrong.isPresent()) {
            out.onError(wrong.get());
            return;
        }
        Memory m = cluster.get(request.getSpace(), request.getId());
        if (m == null) {
            out.onError(Errors.notFound(request.getSpace(), request.getId()));
            return;
        }
        // The serving node's id in the version shows the test which replica answered.
        out.onNext(RecallResponse.newBuilder().setMemory(m.toBuilder().setVersion(m.getVersion().toBuilder().setNodeId(id)))
                .build());
        out.onCompleted();
    }

    @Override
    public void remove(RemoveRequest request, StreamObserver<RemoveResponse> out) {
        if (intercepted("remove", out)) {
            return;
        }
        boolean existed = cluster.remove(request.getSpace(), request.getId());
        out.onNext(RemoveResponse.newBuilder().setVersion(stamp()).setExisted(existed).build());
        out.onCompleted();
    }

    @Override
    public void storeBatch(StoreBatchRequest request, StreamObserver<StoreBatchResponse> out) {
        if (intercepted("storeBatch", out)) {
            return;
        }
        List<String> ids = new ArrayList<>();
        StoreBatchResponse.Builder r = StoreBatchResponse.newBuilder();
        for (int i = 0; i < request.getMemoriesCount(); i++) {
            Memory m = request.getMemories(i);
            ids.add(m.getId());
            Optional<StatusRuntimeException> error = notOwner(m.getSpace(), m.getId())
                    .or(() -> batchItemFailure.apply(m.getId()));
            if (error.isPresent()) {
                StatusRuntimeException e = error.get();
                ItemError.Builder ie = ItemError.newBuilder().setCode(e.getStatus().getCode().value())
                        .setMessage(String.valueOf(e.getStatus().getDescription()));
                Errors.detailOf(e).ifPresent(ie::setDetail);
                r.addResults(StoreItemResult.newBuilder().setIndex(i).setError(ie));
            } else {
                Version v = stamp();
                cluster.put(m.toBuilder().setVersion(v).build());
                r.addResults(StoreItemResult.newBuilder().setIndex(i).setVersion(v));
            }
        }
        batchIds.add(ids);
        out.onNext(r.build());
        out.onCompleted();
    }

    /** Sorted by id within the requested partitions; the resume token is the last id sent. */
    @Override
    public void scan(ScanRequest request, StreamObserver<ScanChunk> out) {
        scanRequests.add(request);
        if (intercepted("scan", out)) {
            return;
        }
        Set<Integer> parts = new HashSet<>(request.getPartitionsList());
        String after = request.getResumeToken().toString(StandardCharsets.UTF_8);
        List<Memory> rows = cluster.all(request.getSpace()).stream()
                .filter(m -> parts.contains(cluster.function().partitionOf(m.getSpace(), m.getId())))
                .filter(m -> m.getId().compareTo(after) > 0)
                .sorted(Comparator.comparing(Memory::getId)).toList();
        int chunk = request.getChunkSize() == 0 ? 3 : request.getChunkSize();
        int sent = 0;
        for (int i = 0; i < rows.size(); i += chunk) {
            if (scanFailAfter >= 0 && sent >= scanFailAfter) {
                out.onError(Status.UNAVAILABLE.withDescription("node " + id + " died mid-scan").asRuntimeException());
                return;
            }
            List<Memory> part = rows.subList(i, Math.min(rows.size(), i + chunk));
            sent += part.size();
            out.onNext(ScanChunk.newBuilder().addAllMemories(part)
                    .setResumeToken(ByteString.copyFromUtf8(part.get(part.size() - 1).getId()))
                    .setDone(i + chunk >= rows.size()).build());
        }
        if (rows.isEmpty()) {
            out.onNext(ScanChunk.newBuilder().setDone(true).build());
        }
        out.onCompleted();
    }

    @Override
    public void counts(CountsRequest request, StreamObserver<CountsResponse> out) {
        if (intercepted("counts", out)) {
            return;
        }
        long n = cluster.all(request.getSpace()).size();
        out.onNext(CountsResponse.newBuilder().setTotal(TierCounts.newBuilder().setWarm(n)).build());
        out.onCompleted();
    }

    @Override
    public void createSpace(CreateSpaceRequest request, StreamObserver<CreateSpaceResponse> out) {
        if (intercepted("createSpace", out)) {
            return;
        }
        out.onNext(CreateSpaceResponse.newBuilder().setSpace(request.getSpec().toBuilder().setDimension(
                request.getSpec().getDimension() == 0 ? 768 : request.getSpec().getDimension())).setEpoch(2).build());
        out.onCompleted();
    }

    @Override
    public void close() {
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
