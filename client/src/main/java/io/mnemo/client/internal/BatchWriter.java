package io.mnemo.client.internal;

import io.grpc.Metadata;
import io.grpc.Status;
import io.mnemo.client.ClientClosedException;
import io.mnemo.client.MnemoException;
import io.mnemo.client.Operation;
import io.mnemo.client.StoreResult;
import io.mnemo.protocol.Errors;
import io.mnemo.protocol.v1.ErrorDetail;
import io.mnemo.protocol.v1.ItemError;
import io.mnemo.protocol.v1.Memory;
import io.mnemo.protocol.v1.MnemoServiceGrpc;
import io.mnemo.protocol.v1.StoreBatchRequest;
import io.mnemo.protocol.v1.StoreBatchResponse;
import io.mnemo.protocol.v1.StoreItemResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Stores many memories in rounds. Each round groups the pending items by the replica that should coordinate them,
 * sends each group to it as {@code StoreBatch} requests (see below), and settles each item on its own: stored, failed for good,
 * or pending for the next round ({@link RetryRule} decides per item, with the round number as the attempt count).
 * A whole group failing (a dead node) fails each of its items with that failure, so they move on like single
 * calls would. The result has one entry per item, in input order.
 *
 * <p>A group is sent as requests of at most {@value #MAX_ITEMS_PER_REQUEST} items and about
 * {@value #MAX_BYTES_PER_REQUEST} bytes (a node refuses messages above its inbound limit, and one huge request
 * would have to finish within one request timeout), at most {@value #REQUESTS_IN_FLIGHT_PER_NODE} at a time per
 * node: each request's deadline starts when it is sent, so a large batch is paced by the node instead of timing
 * out in its queue.
 */
public final class BatchWriter {
    public static final int MAX_ITEMS_PER_REQUEST = 256;
    static final int MAX_BYTES_PER_REQUEST = 1 << 20;
    static final int REQUESTS_IN_FLIGHT_PER_NODE = 4;

    private final Settings settings;
    private final Channels channels;
    private final TopologyManager topology;
    private final ScheduledExecutorService scheduler;
    private final SafeListener listener;
    private final CallEngine engine;
    private final BooleanSupplier closed;

    public BatchWriter(Settings settings, Channels channels, TopologyManager topology, ScheduledExecutorService scheduler,
                       SafeListener listener, CallEngine engine, BooleanSupplier closed) {
        this.settings = settings;
        this.channels = channels;
        this.topology = topology;
        this.scheduler = scheduler;
        this.listener = listener;
        this.engine = engine;
        this.closed = closed;
    }

    /** Stores {@code items} (already checked and in wire form); never completes exceptionally. */
    public CompletableFuture<List<StoreResult>> storeAll(List<Memory> items) {
        Batch b = new Batch(items);
        listener.callStarted(Operation.STORE_BATCH);
        if (items.isEmpty()) {
            b.finish();
        } else {
            b.round();
        }
        return b.result;
    }

    /** Rebuilds the status exception an item error stands for, so it classifies like a failed unary call. */
    static Throwable asException(ItemError e) {
        Metadata trailers = new Metadata();
        if (e.hasDetail() && e.getDetail().getKindCase() != ErrorDetail.KindCase.KIND_NOT_SET) {
            trailers.put(Errors.DETAIL_KEY, e.getDetail());
        }
        return Status.fromCodeValue(e.getCode()).withDescription(e.getMessage()).asRuntimeException(trailers);
    }

    /**
     * One storeAll call. Rounds run one after another; within a round, group callbacks write disjoint slots of
     * {@code results} and the last one (by {@code requestsLeft}) settles the round, which orders those writes.
     */
    private final class Batch {
        private final List<Memory> items;
        private final StoreResult[] results;
        private final int[] replicaOffset;
        private final CompletableFuture<List<StoreResult>> result = new CompletableFuture<>();
        private final long startNs = settings.nanoClock().getAsLong();
        private List<Integer> pending = new ArrayList<>();
        private int round;

        Batch(List<Memory> items) {
            this.items = items;
            this.results = new StoreResult[items.size()];
            this.replicaOffset = new int[items.size()];
            for (int i = 0; i < items.size(); i++) {
                pending.add(i);
            }
        }

        void round() {
            round++;
            Queue<Object[]> failures = new ConcurrentLinkedQueue<>();
            if (closed.getAsBoolean()) {
                for (int i : pending) {
                    failures.add(new Object[] {i, Failure.of(new ClientClosedException("storeAll"), "")});
                }
                settle(failures);
                return;
            }
            TopologyView view = topology.current();
            Map<String, List<Integer>> groups = new LinkedHashMap<>();
            for (int i : pending) {
                List<String> replicas = view.replicasOf(items.get(i).getSpace(), items.get(i).getId());
                groups.computeIfAbsent(replicas.get(replicaOffset[i] % replicas.size()), k -> new ArrayList<>()).add(i);
            }
            Map<String, Queue<List<Integer>>> requests = new LinkedHashMap<>();
            int total = 0;
            for (Map.Entry<String, List<Integer>> g : groups.entrySet()) {
                Queue<List<Integer>> q = new ConcurrentLinkedQueue<>(split(g.getValue()));
                total += q.size();
                requests.put(g.getKey(), q);
            }
            AtomicInteger requestsLeft = new AtomicInteger(total);
            requests.forEach((endpoint, queue) -> {
                int lanes = Math.min(REQUESTS_IN_FLIGHT_PER_NODE, queue.size());
                for (int lane = 0; lane < lanes; lane++) {
                    sendNext(endpoint, queue, view.epoch(), requestsLeft, failures);
                }
            });
        }

        /** Sends the next request of a node's queue; when it completes, the next one (the last settles the round). */
        private void sendNext(String endpoint, Queue<List<Integer>> queue, long epoch, AtomicInteger requestsLeft,
                              Queue<Object[]> failures) {
            List<Integer> members = queue.poll();
            if (members == null) {
                return;
            }
            send(endpoint, members, epoch).whenComplete((reply, error) -> {
                collect(endpoint, members, reply, error, failures);
                if (requestsLeft.decrementAndGet() == 0) {
                    settle(failures);
                } else {
                    sendNext(endpoint, queue, epoch, requestsLeft, failures);
                }
            });
        }

        /** A group's items as requests within the item and byte caps (an item above the byte cap goes alone). */
        private List<List<Integer>> split(List<Integer> members) {
            List<List<Integer>> out = new ArrayList<>();
            List<Integer> current = new ArrayList<>();
            long bytes = 0;
            for (int i : members) {
                int size = items.get(i).getSerializedSize() + 8;
                if (!current.isEmpty() && (current.size() >= MAX_ITEMS_PER_REQUEST || bytes + size > MAX_BYTES_PER_REQUEST)) {
                    out.add(current);
                    current = new ArrayList<>();
                    bytes = 0;
                }
                current.add(i);
                bytes += size;
            }
            if (!current.isEmpty()) {
                out.add(current);
            }
            return out;
        }

        private CompletableFuture<StoreBatchResponse> send(String endpoint, List<Integer> members, long epoch) {
            StoreBatchRequest.Builder req = StoreBatchRequest.newBuilder().setTopologyEpoch(epoch);
            members.forEach(i -> req.addMemories(items.get(i)));
            UnaryCall<StoreBatchResponse> call = new UnaryCall<>(endpoint);
            try {
                MnemoServiceGrpc.newStub(channels.get(endpoint))
                        .withDeadlineAfter(settings.requestTimeout().toNanos(), TimeUnit.NANOSECONDS)
                        .storeBatch(req.build(), call);
            } catch (RuntimeException e) {
                call.onError(e);
            }
            return call.result();
        }

        private void collect(String endpoint, List<Integer> members, StoreBatchResponse reply, Throwable error,
                             Queue<Object[]> failures) {
            if (error != null) {
                Failure f = Failure.of(error, endpoint);
                members.forEach(i -> failures.add(new Object[] {i, f}));
                return;
            }
            boolean[] answered = new boolean[members.size()];
            for (StoreItemResult r : reply.getResultsList()) {
                int pos = r.getIndex();
                if (pos >= members.size() || answered[pos]) {
                    continue;
                }
                answered[pos] = true;
                int i = members.get(pos);
                if (r.hasVersion()) {
                    results[i] = new StoreResult(i, items.get(i).getId(), Codec.fromWire(r.getVersion()), null);
                } else {
                    failures.add(new Object[] {i, Failure.of(asException(r.getError()), endpoint)});
                }
            }
            for (int pos = 0; pos < answered.length; pos++) {
                if (!answered[pos]) {
                    failures.add(new Object[] {members.get(pos), Failure.of(Status.INTERNAL.withDescription(
                            "the node's StoreBatch reply has no result for item " + pos).asRuntimeException(), endpoint)});
                }
            }
        }

        private void settle(Queue<Object[]> failures) {
            List<Integer> next = new ArrayList<>();
            long minEpoch = 0;
            List<String> hints = new ArrayList<>();
            boolean refresh = false;
            Failure example = null;
            for (Object[] entry : failures) {
                int i = (Integer) entry[0];
                Failure f = (Failure) entry[1];
                RetryRule.Action action = RetryRule.decide(f.kind(), true, round, settings.retryPolicy().maxAttempts());
                if (action == RetryRule.Action.GIVE_UP) {
                    MnemoException e = ErrorMapper.toException(Operation.STORE_BATCH, f, round, elapsed());
                    results[i] = new StoreResult(i, items.get(i).getId(), null, e);
                    continue;
                }
                example = f;
                next.add(i);
                if (action == RetryRule.Action.REFRESH_AND_RETRY) {
                    replicaOffset[i] = 0;
                    minEpoch = Math.max(minEpoch, f.currentEpoch());
                    hints.addAll(f.suggestedEndpoints());
                    refresh = true;
                } else {
                    replicaOffset[i]++;
                }
            }
            if (next.isEmpty()) {
                finish();
                return;
            }
            next.sort(null);
            pending = next;
            Duration backoff = settings.retryPolicy().backoffBefore(round + 1);
            listener.retrying(Operation.STORE_BATCH, round + 1, backoff, example.cause());
            if (!refresh) {
                schedule(backoff);
                return;
            }
            long before = topology.current().epoch();
            topology.refresh(minEpoch, hints.stream().distinct().toList()).whenComplete((v, e) ->
                    schedule(e == null && v.epoch() > before ? Duration.ZERO : backoff));
        }

        private void schedule(Duration delay) {
            try {
                scheduler.schedule(this::round, delay.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException shutDown) {
                round();
            }
        }

        private Duration elapsed() {
            return Duration.ofNanos(settings.nanoClock().getAsLong() - startNs);
        }

        void finish() {
            long failed = Arrays.stream(results).filter(r -> !r.isStored()).count();
            listener.callFinished(Operation.STORE_BATCH, elapsed(), failed == 0 ? null
                    : new MnemoException(failed + " of " + results.length + " items not stored"));
            engine.complete(result, List.of(results), null);
        }
    }
}
