package io.mnemo.node.server;

import com.google.protobuf.ByteString;
import io.grpc.stub.ServerCallStreamObserver;
import io.mnemo.node.storage.Memory;
import io.mnemo.node.storage.ScanCursor;
import io.mnemo.node.storage.StoredRecord;
import io.mnemo.protocol.v1.ScanChunk;
import io.mnemo.shardmap.PartitionFunction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Streams one scan to a client in chunks, only while the stream is ready (gRPC flow control), so a slow client
 * throttles the scan instead of filling the node's heap. A store cursor ends at its page hint, so when one runs
 * out before the scan is exhausted the next page is opened from its resume token; each chunk carries the token
 * after its last record, which a client passes back to resume (valid across node restarts).
 *
 * <p>Thread-safety: guarded by its monitor, because gRPC's onReady and onCancel callbacks may come from
 * different threads. {@code finished} turns true exactly once, and then the cursor is closed and
 * {@code onFinish} has run. Sending to the stream under the monitor is deliberate: the stream is this scan's
 * alone, and onNext does not block (it only queues).
 */
final class ScanStreamer {
    private final ServerCallStreamObserver<ScanChunk> out;
    private final Function<String, ScanCursor> nextPage;
    private final Set<Integer> partitions;
    private final PartitionFunction function;
    private final int chunk;
    private final boolean omitEmbeddings;
    private final Runnable onFinish;
    private final Consumer<RuntimeException> onError;
    private ScanCursor cursor;
    private boolean finished;

    /**
     * @param partitions only these partitions (more than one: filtered here; exactly one: the store filters; none:
     *                   all)
     * @param onFinish   runs once when the scan ends, fails or is cancelled
     * @param onError    fails the call (after onFinish ran)
     */
    ScanStreamer(ServerCallStreamObserver<ScanChunk> out, ScanCursor first, Function<String, ScanCursor> nextPage,
                 Set<Integer> partitions, PartitionFunction function, int chunk, boolean omitEmbeddings,
                 Runnable onFinish, Consumer<RuntimeException> onError) {
        this.out = out;
        this.cursor = first;
        this.nextPage = nextPage;
        this.partitions = partitions;
        this.function = function;
        this.chunk = chunk;
        this.omitEmbeddings = omitEmbeddings;
        this.onFinish = onFinish;
        this.onError = onError;
    }

    /** Registers with the stream and sends what the stream is ready for. */
    void start() {
        out.setOnCancelHandler(this::finish);
        out.setOnReadyHandler(this::pump);
        pump();
    }

    synchronized void pump() {
        try {
            while (!finished && out.isReady()) {
                ScanChunk.Builder c = ScanChunk.newBuilder();
                while (c.getMemoriesCount() < chunk && hasNext()) {
                    StoredRecord r = cursor.next();
                    Optional<Memory> m = r.memory();
                    if (m.isPresent() && (partitions.size() <= 1
                            || partitions.contains(function.partitionOf(r.key().space(), r.key().id())))) {
                        c.addMemories(ProtoMapping.toWire(m.get(), !omitEmbeddings));
                    }
                }
                boolean done = !hasNext();
                c.setResumeToken(ByteString.copyFrom(cursor.resumeToken(), StandardCharsets.UTF_8)).setDone(done);
                out.onNext(c.build());
                if (done) {
                    finish();
                    out.onCompleted();
                }
            }
        } catch (RuntimeException e) {
            finish();
            onError.accept(e);
        }
    }

    /** True if a record follows, opening the next page when this one is used up. */
    private boolean hasNext() {
        while (!cursor.hasNext()) {
            if (cursor.isExhausted()) {
                return false;
            }
            String token = cursor.resumeToken();
            cursor.close();
            cursor = nextPage.apply(token);
        }
        return true;
    }

    synchronized void finish() {
        if (!finished) {
            finished = true;
            try {
                cursor.close();
            } finally {
                onFinish.run();
            }
        }
    }
}
