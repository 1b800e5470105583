package io.mnemo.node.replication;

import com.google.protobuf.UnsafeByteOperations;
import io.mnemo.node.storage.EncodedRecord;
import io.mnemo.node.storage.HybridClock;
import io.mnemo.node.storage.Memory;
import io.mnemo.node.storage.MemoryKey;
import io.mnemo.node.storage.StoredRecord;
import io.mnemo.node.storage.Version;
import io.mnemo.protocol.v1.Tombstone;
import io.mnemo.protocol.v1.VersionedRecord;
import java.util.ArrayList;
import java.util.List;

/** Converts between storage types and the wire messages of {@code mnemo.v1}. Stateless. */
final class WireCodec {
    private WireCodec() {
    }

    static io.mnemo.protocol.v1.Version toWire(Version v) {
        return io.mnemo.protocol.v1.Version.newBuilder().setHlc(v.hlc()).setNodeId(v.nodeId()).build();
    }

    static Version fromWire(io.mnemo.protocol.v1.Version v) {
        return new Version(v.getHlc(), v.getNodeId());
    }

    static io.mnemo.protocol.v1.Memory toWire(Memory m) {
        io.mnemo.protocol.v1.Memory.Builder b = io.mnemo.protocol.v1.Memory.newBuilder()
                .setSpace(m.space()).setId(m.id())
                .setCreatedAtNs(m.createdAtNs()).setLastAccessNs(m.lastAccessNs())
                .setConfidence(m.confidence()).setActivation(m.activation()).setDecayRate(m.decayRate())
                .setAccessCount(m.accessCount());
        for (int i = 0; i < m.dimension(); i++) {
            b.addEmbedding(m.embeddingAt(i));
        }
        if (m.contentOrNull() != null) {
            b.setContent(m.contentOrNull());
        }
        if (m.versionOrNull() != null) {
            b.setVersion(toWire(m.versionOrNull()));
        }
        return b.build();
    }

    static Memory fromWire(io.mnemo.protocol.v1.Memory m) {
        float[] embedding = new float[m.getEmbeddingCount()];
        for (int i = 0; i < embedding.length; i++) {
            embedding[i] = m.getEmbedding(i);
        }
        return Memory.builder(m.getSpace(), m.getId())
                .createdAtNs(m.getCreatedAtNs()).lastAccessNs(m.getLastAccessNs())
                .content(m.hasContent() ? m.getContent() : null)
                .embedding(embedding)
                .confidence(m.getConfidence()).activation(m.getActivation()).decayRate(m.getDecayRate())
                .accessCount(m.getAccessCount())
                .version(m.hasVersion() ? fromWire(m.getVersion()) : null)
                .build();
    }

    static VersionedRecord toWire(StoredRecord r) {
        VersionedRecord.Builder b = VersionedRecord.newBuilder()
                .setSpace(r.key().space()).setId(r.key().id()).setVersion(toWire(r.version()));
        if (r.isTombstone()) {
            // The grace period runs from the removal; the version's physical part is when the coordinator removed it.
            long removedAtNs = HybridClock.physicalMillis(r.version().hlc()) * 1_000_000L;
            b.setTombstone(Tombstone.newBuilder().setRemovedAtNs(removedAtNs));
        } else {
            b.setLive(toWire(r.memory().orElseThrow()));
        }
        return b.build();
    }

    /**
     * @throws IllegalArgumentException if the record has no version or no state, or its memory disagrees with it
     */
    static StoredRecord fromWire(VersionedRecord r) {
        if (!r.hasVersion()) {
            throw new IllegalArgumentException("record " + r.getSpace() + "/" + r.getId() + " has no version");
        }
        Version v = fromWire(r.getVersion());
        MemoryKey key = new MemoryKey(r.getSpace(), r.getId());
        switch (r.getStateCase()) {
            case TOMBSTONE:
                return StoredRecord.tombstone(key, v);
            case LIVE:
                Memory m = fromWire(r.getLive());
                if (!m.key().equals(key) || (m.versionOrNull() != null && !m.versionOrNull().equals(v))) {
                    throw new IllegalArgumentException("record " + key + " carries a memory of " + m.key() + " at "
                            + m.versionOrNull());
                }
                return StoredRecord.live(m.toBuilder().version(v).build());
            default:
                throw new IllegalArgumentException("record " + key + " is neither live nor a tombstone");
        }
    }

    /**
     * A record in its storage encoding, for partition streams and replica calls. The bytes are wrapped, not copied:
     * a record's encoding is never modified ({@link EncodedRecord}; {@link StoredRecord#withEncoding()} makes the
     * coordinator encode once for its own write and every replica).
     */
    static io.mnemo.protocol.v1.EncodedRecord toWireEncoded(StoredRecord r) {
        EncodedRecord e = EncodedRecord.of(r);
        return io.mnemo.protocol.v1.EncodedRecord.newBuilder().setKey(UnsafeByteOperations.unsafeWrap(e.key()))
                .setRecord(UnsafeByteOperations.unsafeWrap(e.record())).build();
    }

    /**
     * One storage-encoded record, after checking its CRC; the record keeps the bytes, so the store writes them as
     * they came.
     *
     * @throws io.mnemo.node.storage.CorruptionDetectedException if it fails its check
     */
    static StoredRecord fromWire(io.mnemo.protocol.v1.EncodedRecord r, String origin) {
        return new EncodedRecord(r.getKey().toByteArray(), r.getRecord().toByteArray()).decode(origin);
    }

    /**
     * Decodes storage-encoded records after checking each one's CRC.
     *
     * @param origin where they came from, for the error
     * @throws io.mnemo.node.storage.CorruptionDetectedException if one fails its check (never skipped)
     */
    static List<StoredRecord> fromWireEncoded(List<io.mnemo.protocol.v1.EncodedRecord> records, String origin) {
        List<StoredRecord> out = new ArrayList<>(records.size());
        for (io.mnemo.protocol.v1.EncodedRecord r : records) {
            out.add(fromWire(r, origin));
        }
        return out;
    }
}
