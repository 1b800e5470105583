package io.mnemo.node.server;

import io.mnemo.node.replication.Hint;
import io.mnemo.node.storage.HybridClock;
import io.mnemo.node.storage.Memory;
import io.mnemo.node.storage.MemoryKey;
import io.mnemo.node.storage.StoredRecord;
import io.mnemo.node.storage.Version;
import io.mnemo.protocol.v1.HandedOverHint;
import io.mnemo.protocol.v1.Tombstone;
import io.mnemo.protocol.v1.VersionedRecord;

/**
 * Hints as {@code HandoverService} carries them. A record goes over whole (every field of the memory, its version,
 * or its tombstone), so the receiver delivers exactly what the leaving node would have. The replication package
 * has the same mapping for its own RPCs but keeps it package-private; this one serves the server package. Stateless.
 */
final class HintWire {
    private static final long NANOS_PER_MILLI = 1_000_000L;

    private HintWire() {
    }

    static HandedOverHint toWire(Hint h) {
        return HandedOverHint.newBuilder().setTarget(h.target()).setPartition(h.partition())
                .setRecord(toWire(h.record())).build();
    }

    /**
     * @throws IllegalArgumentException if the record has no version or state, or its memory names another key
     */
    static Hint fromWire(HandedOverHint h) {
        return new Hint(h.getTarget(), h.getPartition(), fromWire(h.getRecord()));
    }

    static VersionedRecord toWire(StoredRecord r) {
        VersionedRecord.Builder b = VersionedRecord.newBuilder().setSpace(r.key().space()).setId(r.key().id())
                .setVersion(toWire(r.version()));
        if (r.isTombstone()) {
            // The grace period runs from the removal, which is the physical part of the removing version.
            b.setTombstone(Tombstone.newBuilder()
                    .setRemovedAtNs(HybridClock.physicalMillis(r.version().hlc()) * NANOS_PER_MILLI));
        } else {
            Memory m = r.memory().orElseThrow();
            io.mnemo.protocol.v1.Memory.Builder mb = io.mnemo.protocol.v1.Memory.newBuilder()
                    .setSpace(m.space()).setId(m.id()).setCreatedAtNs(m.createdAtNs())
                    .setLastAccessNs(m.lastAccessNs()).setConfidence(m.confidence()).setActivation(m.activation())
                    .setDecayRate(m.decayRate()).setAccessCount(m.accessCount()).setVersion(toWire(r.version()));
            for (int i = 0; i < m.dimension(); i++) {
                mb.addEmbedding(m.embeddingAt(i));
            }
            if (m.contentOrNull() != null) {
                mb.setContent(m.contentOrNull());
            }
            b.setLive(mb);
        }
        return b.build();
    }

    static StoredRecord fromWire(VersionedRecord r) {
        if (!r.hasVersion()) {
            throw new IllegalArgumentException("handed-over record " + r.getSpace() + "/" + r.getId()
                    + " has no version");
        }
        Version v = new Version(r.getVersion().getHlc(), r.getVersion().getNodeId());
        MemoryKey key = new MemoryKey(r.getSpace(), r.getId());
        switch (r.getStateCase()) {
            case TOMBSTONE:
                return StoredRecord.tombstone(key, v);
            case LIVE:
                io.mnemo.protocol.v1.Memory m = r.getLive();
                if (!m.getSpace().equals(key.space()) || !m.getId().equals(key.id())) {
                    throw new IllegalArgumentException("handed-over record " + key + " carries a memory of "
                            + m.getSpace() + "/" + m.getId());
                }
                float[] embedding = new float[m.getEmbeddingCount()];
                for (int i = 0; i < embedding.length; i++) {
                    embedding[i] = m.getEmbedding(i);
                }
                return StoredRecord.live(Memory.builder(m.getSpace(), m.getId())
                        .createdAtNs(m.getCreatedAtNs()).lastAccessNs(m.getLastAccessNs())
                        .content(m.hasContent() ? m.getContent() : null).embedding(embedding)
                        .confidence(m.getConfidence()).activation(m.getActivation()).decayRate(m.getDecayRate())
                        .accessCount(m.getAccessCount()).version(v).build());
            default:
                throw new IllegalArgumentException("handed-over record " + key + " is neither live nor a tombstone");
        }
    }

    private static io.mnemo.protocol.v1.Version toWire(Version v) {
        return io.mnemo.protocol.v1.Version.newBuilder().setHlc(v.hlc()).setNodeId(v.nodeId()).build();
    }
}
