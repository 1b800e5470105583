/**
 * Cluster-wide queries: recall by cue (the top-k memories of a space most similar to a cue embedding) and
 * cluster-wide counts, answered by scatter-gather over the cluster's compute grid.
 *
 * <p><b>Each memory once.</b> The node that receives a query (the coordinator) plans it from its own placement:
 * every partition asked is given to the first replica of its read replica list (while a partition moves, its old
 * owners' list) that is a live member, and each node is
 * sent one job naming exactly the partitions it answers for ({@link io.mnemo.node.query.ScatterGather}). A node
 * answers only for partitions it replicates at its own epoch and says which it answered; the coordinator accepts
 * an answer only if none of its partitions was answered already, so no memory is counted or returned twice even
 * when a share is retried or hedged on another replica. A partition whose replicas all fail or run out of time is
 * reported as not answered (recall by cue: {@code complete = false} with the counts; counts: a retryable error).
 *
 * <p><b>Consistency.</b> One replica answers for each partition, like a read at {@code ONE}: a memory whose write
 * reached only the other replicas so far (a hint not yet delivered) can be missed, and a removal likewise.
 *
 * <p>{@link io.mnemo.node.query.LocalQueries} is the node-local part (a service jobs find through the node's
 * {@code LocalServices}); {@link io.mnemo.node.query.ClusterQueries} the coordinator's.
 */
package io.mnemo.node.query;
