package io.mnemo.node.replication;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.mnemo.node.replication.ReplicaTransport.Caller;
import io.mnemo.node.storage.CorruptionDetectedException;
import io.mnemo.node.storage.InvalidMemoryException;
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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * The server side of {@code ReplicaService}: decodes each call, runs it on the node's {@link ReplicaHandler} and
 * answers, or fails with a typed {@code ErrorDetail} ({@link WireErrors}).
 *
 * <p><b>Threads.</b> Calls run on the gRPC server's executor ({@code io.mnemo.node.server.CallExecutors} says why
 * not on the network thread), so a call from a caller at a newer placement may wait there, up to
 * {@link ReplicaHandler#CATCH_UP_WAIT_MS}, for this node to catch up without holding up other calls.
 *
 * <p>Partition streaming sends a chunk only while the stream is ready (gRPC flow control), so a slow receiver
 * throttles the sender. Streams are read and sent on their own threads ({@code mnemo-stream-source-N}), at a lower
 * CPU priority when a nice value is given ({@link BackgroundPriority}), so client calls go first on a busy machine.
 * A caller that asks for it gets the records in their storage encoding ({@code encoded_records}, see
 * {@link io.mnemo.node.storage.EncodedRecord}). Thread-safe.
 */
public final class ReplicaServiceImpl extends ReplicaServiceGrpc.ReplicaServiceImplBase
        implements AutoCloseable {
    private static final int DEFAULT_CHUNK_BYTES = 1 << 20;
    /** Records a stream reads from the store at once: about 7 MB of 768-float memories. */
    private static final int PAGE_RECORDS = 2048;

    private final ReplicaHandler handler;
    private final IntFunction<String> endpointOf;
    /** Reads and sends partition streams: daemon threads, at a lower CPU priority when a nice value is given. */
    private final ExecutorService streamSources;

    /** Serves {@code handler}; {@code endpointOf} gives a node's "host:port" for wrong-owner replies. */
    public ReplicaServiceImpl(ReplicaHandler handler, IntFunction<String> endpointOf) {
        this(handler, endpointOf, 0);
    }

    /**
     * As above, with the partition streams it serves read and sent by threads at nice value {@code streamNice}
     * (0..19; 0 leaves their priority alone, see {@link BackgroundPriority}).
     */
    public ReplicaServiceImpl(ReplicaHandler handler, IntFunction<String> endpointOf, int streamNice) {
        this.handler = Objects.requireNonNull(handler, "handler");
        this.endpointOf = Objects.requireNonNull(endpointOf, "endpointOf");
        this.streamSources = Executors.newCachedThreadPool(BackgroundPriority.threads("mnemo-stream-source", streamNice));
    }

    private <T> void answer(StreamObserver<T> out, Supplier<T> body) {
        T value;
        try {
            value = body.get();
        } catch (RuntimeException e) {
            out.onError(WireErrors.toStatus(e, endpointOf));
            return;
        }
        out.onNext(value);
        out.onCompleted();
    }

    @Override
    public void replicate(ReplicateRequest request, StreamObserver<ReplicateResponse> out) {
        Caller from = new Caller(request.getFromNodeId(), request.getTopologyEpoch());
        answer(out, () -> {
            StoredRecord record = request.hasEncoded()
                    ? WireCodec.fromWire(request.getEncoded(), "replicate from node " + from.nodeId())
                    : WireCodec.fromWire(request.getRecord());
            var reply = handler.replicate(from, request.getPartition(), record);
            return ReplicateResponse.newBuilder().setApplied(reply.applied())
                    .setCurrentVersion(WireCodec.toWire(reply.currentVersion())).setAcceptsEncoded(true).build();
        });
    }

    /**
     * Decodes every item (one that does not decode fails alone, as invalid), applies the rest through
     * {@link ReplicaHandler#replicateBatch} and answers one result per item, in order. A refused epoch fails the
     * whole call.
     */
    @Override
    public void replicateBatch(ReplicateBatchRequest request, StreamObserver<ReplicateBatchResponse> out) {
        Caller from = new Caller(request.getFromNodeId(), request.getTopologyEpoch());
        answer(out, () -> {
            int n = request.getItemsCount();
            ReplicateItemResult[] results = new ReplicateItemResult[n];
            List<ReplicaTransport.ReplicateItem> items = new ArrayList<>(n);
            int[] positions = new int[n];
            for (int i = 0; i < n; i++) {
                io.mnemo.protocol.v1.ReplicateItem item = request.getItems(i);
                try {
                    positions[items.size()] = i;
                    StoredRecord record = item.hasEncoded()
                            ? WireCodec.fromWire(item.getEncoded(), "replicate batch item " + i + " from node " + from.nodeId())
                            : WireCodec.fromWire(item.getRecord());
                    items.add(new ReplicaTransport.ReplicateItem(item.getPartition(), record));
                } catch (CorruptionDetectedException e) {
                    results[i] = ReplicateItemResult.newBuilder().setError(WireErrors.toItemError(e, endpointOf)).build();
                } catch (RuntimeException e) {
                    results[i] = ReplicateItemResult.newBuilder().setError(WireErrors.toItemError(
                            new InvalidMemoryException("items[" + i + "].record", String.valueOf(e.getMessage())), endpointOf))
                            .build();
                }
            }
            List<ReplicaTransport.ItemReply> replies = handler.replicateBatch(from, items);
            for (int j = 0; j < replies.size(); j++) {
                ReplicaTransport.ItemReply r = replies.get(j);
                ReplicateItemResult.Builder b = ReplicateItemResult.newBuilder();
                if (r.error() == null) {
                    b.setDone(ReplicateResponse.newBuilder().setApplied(r.reply().applied())
                            .setCurrentVersion(WireCodec.toWire(r.reply().currentVersion())));
                } else {
                    b.setError(WireErrors.toItemError(r.error(), endpointOf));
                }
                results[positions[j]] = b.build();
            }
            return ReplicateBatchResponse.newBuilder().addAllResults(Arrays.asList(results)).setAcceptsEncoded(true).build();
        });
    }

    /** The record of a key, or with {@code version_only} only the version held (a digest read: no record body). */
    @Override
    public void readReplica(ReadReplicaRequest request, StreamObserver<ReadReplicaResponse> out) {
        Caller from = new Caller(request.getFromNodeId(), request.getTopologyEpoch());
        answer(out, () -> {
            MemoryKey key = new MemoryKey(request.getSpace(), request.getId());
            ReadReplicaResponse.Builder b = ReadReplicaResponse.newBuilder();
            if (request.getVersionOnly()) {
                ReplicaTransport.ReadReply v = handler.readVersion(from, request.getPartition(), key);
                v.version().ifPresent(version -> b.setVersion(WireCodec.toWire(version)).setTombstone(v.tombstone()));
            } else {
                handler.read(from, request.getPartition(), key).ifPresent(rec -> b.setRecord(WireCodec.toWire(rec)));
            }
            return b.build();
        });
    }

    @Override
    public StreamObserver<HintBatch> hints(StreamObserver<HintAck> out) {
        return new StreamObserver<>() {
            private boolean failed;

            @Override
            public void onNext(HintBatch batch) {
                if (failed) {
                    return;
                }
                try {
                    List<Hint> hints = new ArrayList<>(batch.getRecordsCount());
                    for (HintedRecord h : batch.getRecordsList()) {
                        hints.add(new Hint(handler.nodeId(), h.getPartition(), WireCodec.fromWire(h.getRecord())));
                    }
                    var reply = handler.applyHints(new Caller(batch.getFromNodeId(), batch.getTopologyEpoch()), hints);
                    out.onNext(HintAck.newBuilder().setAcknowledgedSequence(batch.getSequence()).setApplied(reply.applied()).build());
                } catch (RuntimeException e) {
                    failed = true;
                    out.onError(WireErrors.toStatus(e, endpointOf));
                }
            }

            @Override
            public void onError(Throwable t) {
                failed = true;
            }

            @Override
            public void onCompleted() {
                if (!failed) {
                    out.onCompleted();
                }
            }
        };
    }

    @Override
    public void digests(DigestRequest request, StreamObserver<DigestResponse> out) {
        answer(out, () -> {
            List<HashRange> ranges = new ArrayList<>();
            for (io.mnemo.protocol.v1.HashRange r : request.getRangesList()) {
                ranges.add(new HashRange(r.getStart(), r.getEnd()));
            }
            List<RangeDigest> digests = handler.digest(new Caller(request.getFromNodeId(), request.getTopologyEpoch()),
                    request.getPartition(), ranges, request.getSplit());
            DigestResponse.Builder b = DigestResponse.newBuilder().setPartition(request.getPartition())
                    .setDigestFormat(DigestScheme.FORMAT);
            for (RangeDigest d : digests) {
                b.addDigests(GrpcReplicaTransport.toWire(d));
            }
            return b.build();
        });
    }

    /**
     * Serves a partition as a stream of chunks while the stream is ready. Records are read in pages of up to
     * {@link #PAGE_RECORDS} (each page lists the partition's keys once, so small pages would make a big partition's
     * stream quadratic) and sent in chunks of about {@code max_chunk_bytes}. Every chunk but a page's last carries
     * the token the page started from, so a stream resumed after it re-reads at most one page (applying a record
     * twice is harmless: last writer wins); a page's last chunk carries the page's own token.
     * With {@code filter_buckets} only the records of the masked digest buckets are sent (a fetch of the buckets whose
     * digests differ); the scan and its tokens stay the same.
     */
    @Override
    public void streamPartition(StreamPartitionRequest request, StreamObserver<PartitionChunk> out) {
        ServerCallStreamObserver<PartitionChunk> stream = (ServerCallStreamObserver<PartitionChunk>) out;
        Caller caller = new Caller(request.getFromNodeId(), request.getTopologyEpoch());
        int chunkBytes = request.getMaxChunkBytes() == 0 ? DEFAULT_CHUNK_BYTES : request.getMaxChunkBytes();
        // One pump runs at a time (the flag), on a stream-source thread; it stops when the stream is not ready and
        // the next on-ready call starts another. Only the pump touches token; done is also set when no pump could start.
        var state = new Object() {
            String token = request.getResumeToken().toString(StandardCharsets.UTF_8);
            volatile boolean done;
            final AtomicBoolean pumping = new AtomicBoolean();
        };
        Runnable pump = new Runnable() {
            @Override
            public void run() {
                while (true) {
                    while (!state.done && stream.isReady() && !stream.isCancelled()) {
                        state.token = sendPage(request, caller, stream, state.token, chunkBytes);
                        state.done = state.token == null;
                    }
                    state.pumping.set(false);
                    // Ready again between the last check and the flag's release: this pump goes on, unless the
                    // on-ready call that saw the flag set already started another.
                    if (state.done || stream.isCancelled() || !stream.isReady() || !state.pumping.compareAndSet(false, true)) {
                        return;
                    }
                }
            }
        };
        stream.setOnReadyHandler(() -> {
            if (!state.done && state.pumping.compareAndSet(false, true)) {
                try {
                    streamSources.execute(pump);
                } catch (RejectedExecutionException e) {
                    state.done = true;
                    stream.onError(Status.UNAVAILABLE.withDescription("node shutting down").asRuntimeException());
                }
            }
        });
    }

    /**
     * Reads one page of the stream from {@code token} and sends it as chunks; returns the next page's token, or null
     * after the last page (the stream is then completed) or a failure (sent as the stream's error).
     */
    private String sendPage(StreamPartitionRequest request, Caller caller, ServerCallStreamObserver<PartitionChunk> stream,
                            String token, int chunkBytes) {
        try {
            ReplicaHandler.ScanPage page = handler.scanPartition(caller, request.getPartition(), token, PAGE_RECORDS);
            ByteString startToken = ByteString.copyFrom(token, StandardCharsets.UTF_8);
            PartitionChunk.Builder chunk = PartitionChunk.newBuilder().setPartition(request.getPartition());
            int size = 0;
            for (StoredRecord r : page.records()) {
                if ((request.getSkipTombstones() && r.isTombstone())
                        || (request.getFilterBuckets() && !DigestScheme.inBuckets(r.key(), request.getBucketMask()))) {
                    continue;
                }
                if (size >= chunkBytes) {
                    stream.onNext(chunk.setResumeToken(startToken).setLast(false).build());
                    chunk = PartitionChunk.newBuilder().setPartition(request.getPartition());
                    size = 0;
                }
                if (request.getEncoded()) {
                    io.mnemo.protocol.v1.EncodedRecord e = WireCodec.toWireEncoded(r);
                    size += e.getSerializedSize();
                    chunk.addEncodedRecords(e);
                } else {
                    io.mnemo.protocol.v1.VersionedRecord v = WireCodec.toWire(r);
                    size += v.getSerializedSize();
                    chunk.addRecords(v);
                }
            }
            stream.onNext(chunk.setResumeToken(ByteString.copyFrom(page.resumeToken(), StandardCharsets.UTF_8))
                    .setLast(page.last()).build());
            if (page.last()) {
                stream.onCompleted();
                return null;
            }
            return page.resumeToken();
        } catch (RuntimeException e) {
            stream.onError(WireErrors.toStatus(e, endpointOf));
            return null;
        }
    }

    /** Stops the stream-source threads; streams still being sent end with an error at their receiver (it resumes). */
    @Override
    public void close() {
        streamSources.shutdownNow();
    }

    @Override
    public void ping(PingRequest request, StreamObserver<PingResponse> out) {
        answer(out, () -> {
            var pong = handler.ping(new Caller(request.getFromNodeId(), request.getTopologyEpoch()), request.getHlc());
            return PingResponse.newBuilder().setNodeId(pong.nodeId()).setTopologyEpoch(pong.epoch()).setHlc(pong.hlc())
                    .setReady(pong.ready()).build();
        });
    }
}
