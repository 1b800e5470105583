package io.mnemo.node.replication;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.mnemo.node.storage.MemoryKey;
import io.mnemo.node.storage.StoredRecord;
import io.mnemo.protocol.v1.DigestRequest;
import io.mnemo.protocol.v1.DigestResponse;
import io.mnemo.protocol.v1.HintAck;
import io.mnemo.protocol.v1.HintBatch;
import io.mnemo.protocol.v1.HintedRecord;
import io.mnemo.protocol.v1.PartitionChunk;
import io.mnemo.protocol.v1.PingRequest;
import io.mnemo.protocol.v1.PingResponse;
import io.mnemo.protocol.v1.ReadReplicaRequest;
import io.mnemo.protocol.v1.ReadReplicaResponse;
import io.mnemo.protocol.v1.ReplicaServiceGrpc;
import io.mnemo.protocol.v1.ReplicateBatchRequest;
import io.mnemo.protocol.v1.ReplicateBatchResponse;
import io.mnemo.protocol.v1.ReplicateItemResult;
import io.mnemo.protocol.v1.ReplicateRequest;
import io.mnemo.protocol.v1.ReplicateResponse;
import io.mnemo.protocol.v1.StreamPartitionRequest;
import io.mnemo.protocol.v1.VersionedRecord;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * {@link ReplicaTransport} over gRPC ({@code ReplicaService}; plaintext unless a channel factory adds TLS).
 * One channel per target, created on first use. Every call carries a deadline; a typed error in the trailers
 * becomes the matching {@link ReplicationException} ({@link WireErrors}).
 *
 * <p>{@link #fetchBuckets} streams the partition ({@code StreamPartition}) asking the callee to send only the requested
 * buckets' records ({@code filter_buckets}), and filters again in case the callee predates that field.
 * Thread-safe; {@link #close()} shuts the channels down.
 */
public final class GrpcReplicaTransport implements ReplicaTransport {
    /** Lower bound of the deadline of calls that scan a partition (see {@link #scanDeadlineMs()}). */
    private static final long SCAN_DEADLINE_MS = 60_000;
    private final Map<Integer, InetSocketAddress> addresses;
    private final Map<String, Integer> nodeOfEndpoint = new HashMap<>();
    private final Map<Integer, ManagedChannel> channels = new ConcurrentHashMap<>();
    /** Replicas whose last answer said they read records in their storage encoding ({@link #learnEncoding}). */
    private final Set<Integer> encodedPeers = ConcurrentHashMap.newKeySet();
    private final long deadlineMs;
    private final Function<InetSocketAddress, ManagedChannel> channelFactory;
    private volatile boolean closed;

    /** A transport to the nodes of {@code addresses}, each call with {@code deadline}, over plaintext channels. */
    public GrpcReplicaTransport(Map<Integer, InetSocketAddress> addresses, Duration deadline) {
        this(addresses, deadline, a -> NettyChannelBuilder.forAddress(a).usePlaintext().build());
    }

    /**
     * A transport to the nodes of {@code addresses}, each call with {@code deadline}, over channels opened by
     * {@code channelFactory} (TLS and credentials: {@code io.mnemo.node.security.NodeSecurity#peerChannel}).
     */
    public GrpcReplicaTransport(Map<Integer, InetSocketAddress> addresses, Duration deadline,
                                Function<InetSocketAddress, ManagedChannel> channelFactory) {
        this.channelFactory = Objects.requireNonNull(channelFactory, "channelFactory");
        this.addresses = Map.copyOf(addresses);
        for (Map.Entry<Integer, InetSocketAddress> e : this.addresses.entrySet()) {
            nodeOfEndpoint.put(endpoint(e.getValue()), e.getKey());
        }
        this.deadlineMs = Math.max(1, deadline.toMillis());
    }

    /** "host:port" of an address, as wrong-owner replies name endpoints. */
    public static String endpoint(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }

    static io.mnemo.protocol.v1.RangeDigest toWire(RangeDigest d) {
        byte[] digest = new byte[16];
        java.nio.ByteBuffer.wrap(digest).putLong(d.sum1()).putLong(d.sum2());
        return io.mnemo.protocol.v1.RangeDigest.newBuilder()
                .setRange(io.mnemo.protocol.v1.HashRange.newBuilder().setStart(d.range().start()).setEnd(d.range().end()))
                .setDigest(com.google.protobuf.ByteString.copyFrom(digest)).setRecords(d.records()).build();
    }

    static RangeDigest fromWire(io.mnemo.protocol.v1.RangeDigest d) {
        if (d.getDigest().size() != 16) {
            throw new IllegalArgumentException("digest of " + d.getDigest().size() + " bytes, expected 16");
        }
        java.nio.ByteBuffer b = d.getDigest().asReadOnlyByteBuffer();
        return new RangeDigest(new HashRange(d.getRange().getStart(), d.getRange().getEnd()), b.getLong(), b.getLong(),
                d.getRecords());
    }

    private ReplicaServiceGrpc.ReplicaServiceStub stub(int target) {
        return stub(target, deadlineMs);
    }

    /**
     * The deadline of calls that scan a whole partition on the callee ({@link #digest}, {@link #fetchBuckets}): a
     * loaded replica takes seconds for a large one, more than a write's deadline. Callers that need an answer sooner
     * (anti-entropy) put their own timeout on the future.
     */
    private long scanDeadlineMs() {
        return Math.max(deadlineMs, SCAN_DEADLINE_MS);
    }

    private ReplicaServiceGrpc.ReplicaServiceStub stub(int target, long callDeadlineMs) {
        if (closed) {
            throw new IllegalStateException("transport is closed");
        }
        InetSocketAddress a = addresses.get(target);
        if (a == null) {
            throw new ReplicaUnavailableException(target, "no address for node " + target);
        }
        ManagedChannel ch = channels.computeIfAbsent(target, t -> channelFactory.apply(a));
        return ReplicaServiceGrpc.newStub(ch).withDeadlineAfter(callDeadlineMs, TimeUnit.MILLISECONDS);
    }

    private <R, T> CompletableFuture<T> unary(int target, BiConsumer<ReplicaServiceGrpc.ReplicaServiceStub, StreamObserver<R>> call,
                                              Function<R, T> map) {
        CompletableFuture<T> f = new CompletableFuture<>();
        try {
            call.accept(stub(target), new StreamObserver<R>() {
                @Override
                public void onNext(R value) {
                    try {
                        f.complete(map.apply(value));
                    } catch (RuntimeException e) {
                        f.completeExceptionally(e);
                    }
                }

                @Override
                public void onError(Throwable t) {
                    f.completeExceptionally(WireErrors.fromStatus(t, target, nodeOfEndpoint::get));
                }

                @Override
                public void onCompleted() {
                    // Normally onNext completed f already: build the exception (and its stack trace) only if not.
                    if (!f.isDone()) {
                        f.completeExceptionally(new ReplicaUnavailableException(target, "call ended without an answer"));
                    }
                }
            });
        } catch (RuntimeException e) {
            f.completeExceptionally(e);
        }
        return f;
    }

    @Override
    public CompletableFuture<ReplicateReply> replicate(int target, Caller from, int partition, StoredRecord record) {
        ReplicateRequest.Builder b = ReplicateRequest.newBuilder().setPartition(partition).setTopologyEpoch(from.epoch())
                .setFromNodeId(from.nodeId());
        boolean encoded = encodedPeers.contains(target);
        if (encoded) {
            b.setEncoded(WireCodec.toWireEncoded(record));
        } else {
            b.setRecord(WireCodec.toWire(record));
        }
        ReplicateRequest req = b.build();
        return this.<ReplicateResponse, ReplicateReply>unary(target, (s, o) -> s.replicate(req, o), r -> {
            learnEncoding(target, r.getAcceptsEncoded());
            return new ReplicateReply(r.getApplied(), WireCodec.fromWire(r.getCurrentVersion()));
        }).whenComplete((r, e) -> forgetEncodingOnFailure(target, encoded, e));
    }

    /**
     * Notes what a replica's answer said about encoded records: a replica that accepts them gets records in their
     * storage encoding from now on ({@code ReplicateRequest.encoded}); one that does not (an older build) keeps
     * getting protobuf records.
     */
    private void learnEncoding(int target, boolean accepts) {
        if (accepts) {
            encodedPeers.add(target);
        } else {
            encodedPeers.remove(target);
        }
    }

    /**
     * A failed call sent encoded: the replica may have been replaced by an older build, which cannot read it. Go
     * back to protobuf records until an answer says otherwise (the failed write is hinted or retried as any other).
     */
    private void forgetEncodingOnFailure(int target, boolean sentEncoded, Throwable error) {
        if (error != null && sentEncoded) {
            encodedPeers.remove(target);
        }
    }

    /** Whether replica calls to {@code target} currently send records in their storage encoding (tests). */
    boolean sendsEncodedTo(int target) {
        return encodedPeers.contains(target);
    }

    @Override
    public CompletableFuture<List<ItemReply>> replicateBatch(int target, Caller from, List<ReplicateItem> items) {
        ReplicateBatchRequest.Builder req = ReplicateBatchRequest.newBuilder().setTopologyEpoch(from.epoch())
                .setFromNodeId(from.nodeId());
        boolean encoded = encodedPeers.contains(target);
        for (ReplicateItem item : items) {
            io.mnemo.protocol.v1.ReplicateItem.Builder b = io.mnemo.protocol.v1.ReplicateItem.newBuilder()
                    .setPartition(item.partition());
            if (encoded) {
                b.setEncoded(WireCodec.toWireEncoded(item.record()));
            } else {
                b.setRecord(WireCodec.toWire(item.record()));
            }
            req.addItems(b);
        }
        ReplicateBatchRequest request = req.build();
        return this.<ReplicateBatchResponse, List<ItemReply>>unary(target, (s, o) -> s.replicateBatch(request, o), r -> {
            learnEncoding(target, r.getAcceptsEncoded());
            if (r.getResultsCount() != items.size()) {
                throw new ReplicaUnavailableException(target, "ReplicateBatch answered " + r.getResultsCount()
                        + " results for " + items.size() + " items");
            }
            List<ItemReply> out = new ArrayList<>(items.size());
            for (ReplicateItemResult result : r.getResultsList()) {
                switch (result.getOutcomeCase()) {
                    case DONE:
                        out.add(ItemReply.of(new ReplicateReply(result.getDone().getApplied(),
                                WireCodec.fromWire(result.getDone().getCurrentVersion()))));
                        break;
                    case ERROR:
                        out.add(ItemReply.failed(WireErrors.fromItemError(result.getError(), target, nodeOfEndpoint::get)));
                        break;
                    default:
                        out.add(ItemReply.failed(new ReplicaUnavailableException(target, "ReplicateBatch result without outcome")));
                        break;
                }
            }
            return out;
        }).whenComplete((r, e) -> forgetEncodingOnFailure(target, encoded, e));
    }

    @Override
    public CompletableFuture<Optional<StoredRecord>> read(int target, Caller from, int partition, MemoryKey key) {
        ReadReplicaRequest req = ReadReplicaRequest.newBuilder().setSpace(key.space()).setId(key.id()).setPartition(partition)
                .setTopologyEpoch(from.epoch()).setFromNodeId(from.nodeId()).build();
        return this.<ReadReplicaResponse, Optional<StoredRecord>>unary(target, (s, o) -> s.readReplica(req, o),
                r -> r.hasRecord() ? Optional.of(WireCodec.fromWire(r.getRecord())) : Optional.empty());
    }

    /**
     * {@code ReadReplica} with {@code version_only}: the answer carries the replica's version and tombstone flag; a
     * replica too old to know the field answers with its record, taken as a full answer.
     */
    @Override
    public CompletableFuture<ReadReply> readVersion(int target, Caller from, int partition, MemoryKey key) {
        ReadReplicaRequest req = ReadReplicaRequest.newBuilder().setSpace(key.space()).setId(key.id()).setPartition(partition)
                .setTopologyEpoch(from.epoch()).setFromNodeId(from.nodeId()).setVersionOnly(true).build();
        return this.<ReadReplicaResponse, ReadReply>unary(target, (s, o) -> s.readReplica(req, o), r -> {
            if (r.hasRecord()) {
                return ReadReply.of(Optional.of(WireCodec.fromWire(r.getRecord())));
            }
            return r.hasVersion() ? ReadReply.versionOnly(WireCodec.fromWire(r.getVersion()), r.getTombstone())
                    : ReadReply.ABSENT;
        });
    }

    @Override
    public CompletableFuture<PartitionDigest> digest(int target, Caller from, int partition) {
        DigestRequest req = DigestRequest.newBuilder().setPartition(partition).setTopologyEpoch(from.epoch())
                .setFromNodeId(from.nodeId()).setSplit(DigestScheme.BUCKETS).build();
        return this.<DigestResponse, PartitionDigest>unary(target,
                (s, o) -> s.withDeadlineAfter(scanDeadlineMs(), TimeUnit.MILLISECONDS).digests(req, o), r -> {
            if (r.getDigestFormat() != DigestScheme.FORMAT) {
                throw new IllegalStateException("node " + target + " answered digest format " + r.getDigestFormat()
                        + ", expected " + DigestScheme.FORMAT);
            }
            List<RangeDigest> buckets = new ArrayList<>(r.getDigestsCount());
            for (io.mnemo.protocol.v1.RangeDigest d : r.getDigestsList()) {
                buckets.add(fromWire(d));
            }
            return new PartitionDigest(partition, buckets);
        });
    }

    /**
     * Streams {@code partition} from {@code target} ({@code StreamPartition}) asking for the masked buckets only, in
     * their storage encoding; each record's CRC is checked (a bad one fails the call with a
     * {@link io.mnemo.node.storage.CorruptionDetectedException}). A callee too old to filter or encode sends the whole
     * partition as wire records, so the buckets are filtered here too.
     */
    @Override
    public CompletableFuture<List<StoredRecord>> fetchBuckets(int target, Caller from, int partition, long bucketMask) {
        if (bucketMask == 0) {
            return CompletableFuture.completedFuture(List.of());
        }
        StreamPartitionRequest req = StreamPartitionRequest.newBuilder().setPartition(partition).setTopologyEpoch(from.epoch())
                .setFromNodeId(from.nodeId()).setEncoded(true).setFilterBuckets(true).setBucketMask(bucketMask).build();
        String origin = "fetch of partition " + partition + " buckets from node " + target;
        CompletableFuture<List<StoredRecord>> f = new CompletableFuture<>();
        List<StoredRecord> out = new ArrayList<>();
        try {
            stub(target, scanDeadlineMs()).streamPartition(req, new ClientResponseObserver<StreamPartitionRequest, PartitionChunk>() {
                private ClientCallStreamObserver<StreamPartitionRequest> call;

                @Override
                public void beforeStart(ClientCallStreamObserver<StreamPartitionRequest> requestStream) {
                    call = requestStream;
                }

                @Override
                public void onNext(PartitionChunk chunk) {
                    if (f.isDone()) {
                        return;
                    }
                    try {
                        for (VersionedRecord v : chunk.getRecordsList()) {
                            keep(WireCodec.fromWire(v));
                        }
                        for (StoredRecord r : WireCodec.fromWireEncoded(chunk.getEncodedRecordsList(), origin)) {
                            keep(r);
                        }
                    } catch (RuntimeException e) {
                        f.completeExceptionally(e);
                        call.cancel("the fetched records failed their check", e);
                    }
                }

                private void keep(StoredRecord r) {
                    if (DigestScheme.inBuckets(r.key(), bucketMask)) {
                        out.add(r);
                    }
                }

                @Override
                public void onError(Throwable t) {
                    f.completeExceptionally(WireErrors.fromStatus(t, target, nodeOfEndpoint::get));
                }

                @Override
                public void onCompleted() {
                    f.complete(List.copyOf(out));
                }
            });
        } catch (RuntimeException e) {
            f.completeExceptionally(e);
        }
        return f;
    }

    @Override
    public CompletableFuture<HintReply> deliverHints(int target, Caller from, List<Hint> hints) {
        HintBatch.Builder batch = HintBatch.newBuilder().setSequence(1).setFromNodeId(from.nodeId())
                .setTopologyEpoch(from.epoch());
        for (Hint h : hints) {
            batch.addRecords(HintedRecord.newBuilder().setRecord(WireCodec.toWire(h.record())).setPartition(h.partition()));
        }
        CompletableFuture<HintReply> f = new CompletableFuture<>();
        try {
            var ack = new Object() {
                volatile HintAck value;
            };
            StreamObserver<HintBatch> requests = stub(target).hints(new StreamObserver<HintAck>() {
                @Override
                public void onNext(HintAck a) {
                    ack.value = a;
                }

                @Override
                public void onError(Throwable t) {
                    f.completeExceptionally(WireErrors.fromStatus(t, target, nodeOfEndpoint::get));
                }

                @Override
                public void onCompleted() {
                    HintAck a = ack.value;
                    if (a == null || a.getAcknowledgedSequence() != 1) {
                        f.completeExceptionally(new ReplicaUnavailableException(target, "hint batch not acknowledged"));
                    } else {
                        f.complete(new HintReply(a.getApplied()));
                    }
                }
            });
            requests.onNext(batch.build());
            requests.onCompleted();
        } catch (RuntimeException e) {
            f.completeExceptionally(e);
        }
        return f;
    }

    @Override
    public CompletableFuture<PingReply> ping(int target, Caller from, long hlc) {
        PingRequest req = PingRequest.newBuilder().setFromNodeId(from.nodeId()).setTopologyEpoch(from.epoch()).setHlc(hlc).build();
        return this.<PingResponse, PingReply>unary(target, (s, o) -> s.ping(req, o),
                r -> new PingReply(r.getNodeId(), r.getTopologyEpoch(), r.getHlc(), r.getReady()));
    }

    /**
     * Opens {@code StreamPartition} on {@code target} for the rebalancer ({@link PartitionSource}): a blocking
     * stream, so the reader's pace is the flow control; {@code deadline} bounds the whole stream (a reader resumes
     * from its last token when it passes). Records arrive in their storage encoding and each one's CRC is checked
     * before {@link PartitionSource.Stream#next()} returns it: a record that fails fails the chunk with a
     * {@link io.mnemo.node.storage.CorruptionDetectedException} (the reader resumes from the last good chunk, or
     * moves on to another replica). A callee too old to encode sends wire records, also accepted.
     */
    public PartitionSource.Stream openPartitionStream(int target, Caller from, int partition, String resumeToken,
                                                      Duration deadline) {
        StreamPartitionRequest req = StreamPartitionRequest.newBuilder().setPartition(partition).setTopologyEpoch(from.epoch())
                .setFromNodeId(from.nodeId()).setEncoded(true)
                .setResumeToken(com.google.protobuf.ByteString.copyFromUtf8(resumeToken == null ? "" : resumeToken)).build();
        io.grpc.Channel channel = stub(target).getChannel();
        io.grpc.Context.CancellableContext context = io.grpc.Context.current().withCancellation();
        java.util.Iterator<PartitionChunk> chunks;
        try {
            chunks = context.call(() -> ReplicaServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(Math.max(1, deadline.toMillis()), TimeUnit.MILLISECONDS).streamPartition(req));
        } catch (Exception e) {
            context.cancel(null);
            throw WireErrors.fromStatus(e, target, nodeOfEndpoint::get);
        }
        return new PartitionSource.Stream() {
            @Override
            public PartitionSource.Chunk next() {
                try {
                    if (!chunks.hasNext()) {
                        throw new ReplicaUnavailableException(target, "partition stream ended without its last chunk");
                    }
                    PartitionChunk c = chunks.next();
                    List<StoredRecord> records = new ArrayList<>(c.getRecordsCount() + c.getEncodedRecordsCount());
                    for (VersionedRecord v : c.getRecordsList()) {
                        records.add(WireCodec.fromWire(v));
                    }
                    records.addAll(WireCodec.fromWireEncoded(c.getEncodedRecordsList(),
                            "stream of partition " + partition + " from node " + target));
                    return new PartitionSource.Chunk(records, c.getResumeToken().toStringUtf8(), c.getLast(),
                            c.getSerializedSize());
                } catch (io.grpc.StatusRuntimeException e) {
                    throw WireErrors.fromStatus(e, target, nodeOfEndpoint::get);
                }
            }

            @Override
            public void close() {
                context.cancel(null);
            }
        };
    }

    @Override
    public void close() {
        closed = true;
        for (ManagedChannel ch : channels.values()) {
            ch.shutdownNow();
        }
        for (ManagedChannel ch : channels.values()) {
            try {
                ch.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public String toString() {
        return "GrpcReplicaTransport" + Objects.toString(addresses.keySet());
    }
}
