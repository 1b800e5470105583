package io.mnemo.node.replication;

/**
 * The outcome of one anti-entropy pass over a partition.
 *
 * @param partition       the partition
 * @param peersSynced     peers compared and reconciled
 * @param peersFailed     peers that could not be reached or refused (retried on a later pass)
 * @param bucketsRepaired digest buckets that differed
 * @param recordsPulled   records applied locally (the peer had them newer)
 * @param recordsPushed   records sent to peers (this node had them newer)
 */
public record SyncResult(int partition, int peersSynced, int peersFailed, long bucketsRepaired, long recordsPulled,
                         long recordsPushed) {

    SyncResult plus(SyncResult o) {
        return new SyncResult(partition, peersSynced + o.peersSynced, peersFailed + o.peersFailed,
                bucketsRepaired + o.bucketsRepaired, recordsPulled + o.recordsPulled, recordsPushed + o.recordsPushed);
    }

    static SyncResult none(int partition) {
        return new SyncResult(partition, 0, 0, 0, 0, 0);
    }
}
