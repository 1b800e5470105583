package io.mnemo.node.replication;

import java.util.concurrent.atomic.LongAdder;

/** The live counters behind {@link ReplicationStats}; contended increments, cheap snapshot. Thread-safe. */
final class ReplicationCounters {
    final LongAdder writesAcked = new LongAdder();
    final LongAdder writeQuorumFailures = new LongAdder();
    final LongAdder readsServed = new LongAdder();
    final LongAdder readQuorumFailures = new LongAdder();
    final LongAdder hedgedReads = new LongAdder();
    final LongAdder readRepairs = new LongAdder();
    final LongAdder digestFetches = new LongAdder();
    final LongAdder hintsQueued = new LongAdder();
    final LongAdder hintsDelivered = new LongAdder();
    final LongAdder hintsDropped = new LongAdder();
    final LongAdder antiEntropyRuns = new LongAdder();
    final LongAdder antiEntropyBucketsRepaired = new LongAdder();
    final LongAdder antiEntropyRecordsPulled = new LongAdder();
    final LongAdder antiEntropyRecordsPushed = new LongAdder();
    final LongAdder loopErrors = new LongAdder();

    ReplicationStats snapshot() {
        return new ReplicationStats(writesAcked.sum(), writeQuorumFailures.sum(), readsServed.sum(),
                readQuorumFailures.sum(), hedgedReads.sum(), readRepairs.sum(), digestFetches.sum(), hintsQueued.sum(),
                hintsDelivered.sum(), hintsDropped.sum(), antiEntropyRuns.sum(), antiEntropyBucketsRepaired.sum(),
                antiEntropyRecordsPulled.sum(), antiEntropyRecordsPushed.sum(), loopErrors.sum());
    }
}
