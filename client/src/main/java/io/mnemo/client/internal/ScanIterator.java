package io.mnemo.client.internal;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import io.mnemo.client.ClientClosedException;
import io.mnemo.client.Memory;
import io.mnemo.client.MnemoException;
import io.mnemo.client.Operation;
import io.mnemo.client.ScanOptions;
import io.mnemo.client.UnavailableException;
import io.mnemo.protocol.v1.MnemoServiceGrpc;
import io.mnemo.protocol.v1.ScanChunk;
import io.mnemo.protocol.v1.ScanRequest;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * A lazy scan of one space: pulls chunks from server streams only as the caller consumes them (gRPC's blocking
 * stream asks for one message at a time, so a slow consumer slows the server instead of filling memory).
 *
 * <p>The space's partitions are read in groups that share one replica set
 * ({@link TopologyView#partitionsByReplicaSet()}), one stream per group, so any member of the set can serve a
 * group with the same filters. When a stream fails, {@link RetryRule} decides; a retry resumes from the resume token
 * of the last chunk received on the next member of the set. Chunks are all-or-nothing messages and a token resumes
 * after its chunk, so a resumed scan yields no memory twice and skips none. The attempt count restarts after every
 * chunk received: the cap bounds consecutive failures, not the failovers of a long scan.
 *
 * <p>Not thread-safe: one consumer, like any {@link Iterator}. {@link #close()} may come from another thread.
 */
public final class ScanIterator implements Iterator<Memory>, AutoCloseable {
    private final Settings settings;
    private final Channels channels;
    private final TopologyManager topology;
    private final SafeListener listener;
    private final BooleanSupplier clientClosed;
    private final String space;
    private final ScanOptions options;
    private final Deque<List<Integer>> groups;
    private final Deque<Memory> buffer = new ArrayDeque<>();
    private final long startNs;
    private List<Integer> group;
    private List<String> holders;
    private int offset;
    private int attempts;
    private ByteString token = ByteString.EMPTY;
    private String endpoint = "";
    private Iterator<ScanChunk> stream;
    private volatile Context.CancellableContext context;
    private volatile boolean closed;
    private boolean reported;

    public ScanIterator(Settings settings, Channels channels, TopologyManager topology, SafeListener listener,
                        BooleanSupplier clientClosed, String space, ScanOptions options) {
        this.settings = settings;
        this.channels = channels;
        this.topology = topology;
        this.listener = listener;
        this.clientClosed = clientClosed;
        this.space = space;
        this.options = options;
        this.groups = new ArrayDeque<>(topology.current().partitionsByReplicaSet());
        this.startNs = settings.nanoClock().getAsLong();
        listener.callStarted(Operation.SCAN);
    }

    @Override
    public boolean hasNext() {
        try {
            return fill();
        } catch (MnemoException e) {
            finish(e);
            throw e;
        }
    }

    @Override
    public Memory next() {
        if (!hasNext()) {
            throw new NoSuchElementException("the scan of space '" + space + "' is complete");
        }
        return buffer.poll();
    }

    private boolean fill() {
        while (buffer.isEmpty()) {
            if (closed) {
                return false;
            }
            if (clientClosed.getAsBoolean()) {
                throw new ClientClosedException("scan");
            }
            if (stream == null) {
                if (group == null) {
                    if (groups.isEmpty()) {
                        finish(null);
                        return false;
                    }
                    startGroup(groups.poll());
                }
                open();
            }
            try {
                if (!stream.hasNext()) {
                    closeStream();
                    failed(Failure.of(io.grpc.Status.UNAVAILABLE.withDescription(
                            "the scan stream ended before its last chunk").asRuntimeException(), endpoint));
                    continue;
                }
                ScanChunk chunk = stream.next();
                // Progress: the stream that delivered this chunk counts as the first attempt from here on.
                attempts = 1;
                chunk.getMemoriesList().forEach(m -> buffer.add(Codec.fromWire(m)));
                if (!chunk.getResumeToken().isEmpty()) {
                    token = chunk.getResumeToken();
                }
                if (chunk.getDone()) {
                    closeStream();
                    group = null;
                }
            } catch (StatusRuntimeException e) {
                closeStream();
                if (closed) {
                    return false;
                }
                failed(Failure.of(e, endpoint));
            }
        }
        return true;
    }

    private void startGroup(List<Integer> partitions) {
        group = partitions;
        holders = topology.current().holdersOfAll(partitions);
        offset = 0;
        attempts = 0;
        token = ByteString.EMPTY;
        if (holders.isEmpty()) {
            throw new UnavailableException("no member holds partitions " + partitions + " of space '" + space
                    + "' together any more (the topology moved them): restart the scan", 0, null);
        }
    }

    private void open() {
        attempts++;
        endpoint = holders.get(offset % holders.size());
        ScanRequest.Builder req = ScanRequest.newBuilder()
                .setSpace(space)
                .addAllPartitions(group)
                .setTier(Codec.toWire(options.tier()))
                .setResumeToken(token)
                .setChunkSize(options.chunkSize())
                .setOmitEmbeddings(options.omitEmbeddings())
                .setTopologyEpoch(topology.current().epoch());
        Context.CancellableContext ctx = Context.current().withCancellation();
        context = ctx;
        Context previous = ctx.attach();
        try {
            stream = MnemoServiceGrpc.newBlockingStub(channels.get(endpoint))
                    .withDeadlineAfter(options.streamTimeout().toNanos(), TimeUnit.NANOSECONDS)
                    .scan(req.build());
        } finally {
            ctx.detach(previous);
        }
    }

    private void failed(Failure f) {
        RetryRule.Action action = RetryRule.decide(f.kind(), true, attempts, settings.retryPolicy().maxAttempts());
        if (action == RetryRule.Action.GIVE_UP) {
            throw ErrorMapper.toException(Operation.SCAN, f, attempts, elapsed());
        }
        Duration backoff = settings.retryPolicy().backoffBefore(attempts + 1);
        listener.retrying(Operation.SCAN, attempts + 1, backoff, f.cause());
        if (action == RetryRule.Action.REFRESH_AND_RETRY) {
            long before = topology.current().epoch();
            try {
                topology.refresh(f.currentEpoch(), f.suggestedEndpoints())
                        .get(settings.requestTimeout().toNanos() * 2, TimeUnit.NANOSECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new UnavailableException("scan could not refresh the topology: " + e, attempts, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MnemoException("scan interrupted while refreshing the topology", e);
            }
            holders = topology.current().holdersOfAll(group);
            offset = 0;
            if (holders.isEmpty()) {
                throw new UnavailableException("no member holds partitions " + group + " of space '" + space
                        + "' together any more (the topology moved them): restart the scan", attempts, f.cause());
            }
            if (topology.current().epoch() > before) {
                return;
            }
        } else {
            offset++;
        }
        pause(backoff);
    }

    private void pause(Duration backoff) {
        try {
            TimeUnit.NANOSECONDS.sleep(backoff.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MnemoException("scan interrupted during its retry backoff", e);
        }
    }

    private void closeStream() {
        Context.CancellableContext ctx = context;
        if (ctx != null) {
            ctx.cancel(null);
        }
        stream = null;
    }

    private Duration elapsed() {
        return Duration.ofNanos(settings.nanoClock().getAsLong() - startNs);
    }

    private synchronized void finish(Throwable failure) {
        if (!reported) {
            reported = true;
            listener.callFinished(Operation.SCAN, elapsed(), failure);
        }
    }

    /** Stops the scan: cancels the open stream, if any. Idempotent. */
    @Override
    public void close() {
        closed = true;
        Context.CancellableContext ctx = context;
        if (ctx != null) {
            ctx.cancel(null);
        }
        finish(null);
    }
}
