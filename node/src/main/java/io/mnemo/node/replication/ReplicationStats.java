package io.mnemo.node.replication;

/**
 * A snapshot of one node's replication counters, all monotonic since the node started.
 *
 * @param writesAcked          writes (stores and removes) acknowledged after a write quorum
 * @param writeQuorumFailures  writes that failed for want of a quorum (indeterminate outcome)
 * @param readsServed          reads answered by a read quorum
 * @param readQuorumFailures   reads that failed for want of replicas
 * @param hedgedReads          extra replica reads sent because the first ones were slow
 * @param readRepairs          stale replicas sent the newest record by a read
 * @param digestFetches        quorum reads whose newest version came from a version-only (digest) answer, so the
 *                             record was fetched in a second call
 * @param hintsQueued          hints kept for a replica that missed a write
 * @param hintsDelivered       hints a target acknowledged
 * @param hintsDropped         hints given up (queue full, target no longer a replica); anti-entropy covers them
 * @param antiEntropyRuns      partition syncs completed (one per partition and peer)
 * @param antiEntropyBucketsRepaired digest buckets that differed and were reconciled
 * @param antiEntropyRecordsPulled   records applied locally by anti-entropy
 * @param antiEntropyRecordsPushed   records sent to a peer by anti-entropy
 * @param loopErrors           throwables caught by background loops
 */
public record ReplicationStats(long writesAcked, long writeQuorumFailures, long readsServed, long readQuorumFailures,
                               long hedgedReads, long readRepairs, long digestFetches, long hintsQueued, long hintsDelivered,
                               long hintsDropped, long antiEntropyRuns, long antiEntropyBucketsRepaired,
                               long antiEntropyRecordsPulled, long antiEntropyRecordsPushed, long loopErrors) {
}
