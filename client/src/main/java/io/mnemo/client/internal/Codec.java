package io.mnemo.client.internal;

import io.mnemo.client.Consistency;
import io.mnemo.client.Counts;
import io.mnemo.client.Memory;
import io.mnemo.client.ScanOptions;
import io.mnemo.client.SpaceInfo;
import io.mnemo.client.Stats;
import io.mnemo.client.Version;
import io.mnemo.protocol.v1.CountsResponse;
import io.mnemo.protocol.v1.RecoveryEvent;
import io.mnemo.protocol.v1.SpaceCounts;
import io.mnemo.protocol.v1.SpaceSpec;
import io.mnemo.protocol.v1.StatsResponse;
import io.mnemo.protocol.v1.Tier;
import io.mnemo.protocol.v1.TierCounts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Conversions between the client's model and the wire messages, field by field. */
public final class Codec {

    private Codec() {
    }

    /**
     * The wire form of a memory to store in {@code space}, checked: space, id, finite embedding, confidence in
     * [0, 1], finite activation and decay rate. The version is left out: the coordinator stamps it.
     *
     * @param field the path used in error messages, e.g. {@code "memory"} or {@code "memories[3]"}
     */
    public static io.mnemo.protocol.v1.Memory toWire(String field, Memory m, String space) {
        Validation.space(field + ".space", space);
        Validation.id(field + ".id", m.id());
        float[] embedding = Validation.finite(field + ".embedding", m.embedding());
        io.mnemo.protocol.v1.Memory.Builder b = io.mnemo.protocol.v1.Memory.newBuilder()
                .setSpace(space)
                .setId(m.id())
                .setCreatedAtNs(m.createdAtNs())
                .setLastAccessNs(m.lastAccessNs())
                .setConfidence(Validation.unit(field + ".confidence", m.confidence()))
                .setActivation(Validation.finite(field + ".activation", m.activation()))
                .setDecayRate(Validation.finite(field + ".decayRate", m.decayRate()))
                .setAccessCount(m.accessCount());
        m.content().ifPresent(b::setContent);
        for (float f : embedding) {
            b.addEmbedding(f);
        }
        return b.build();
    }

    /** The client form of a memory read from a node; absent content stays absent. */
    public static Memory fromWire(io.mnemo.protocol.v1.Memory w) {
        float[] embedding = new float[w.getEmbeddingCount()];
        for (int i = 0; i < embedding.length; i++) {
            embedding[i] = w.getEmbedding(i);
        }
        Memory.Builder b = Memory.builder()
                .space(w.getSpace())
                .id(w.getId())
                .createdAtNs(w.getCreatedAtNs())
                .lastAccessNs(w.getLastAccessNs())
                .content(w.hasContent() ? w.getContent() : null)
                .embedding(embedding)
                .confidence(w.getConfidence())
                .activation(w.getActivation())
                .decayRate(w.getDecayRate())
                .accessCount(w.getAccessCount());
        if (w.hasVersion()) {
            b.version(fromWire(w.getVersion()));
        }
        return b.build();
    }

    public static Version fromWire(io.mnemo.protocol.v1.Version v) {
        return new Version(v.getHlc(), v.getNodeId());
    }

    public static io.mnemo.protocol.v1.Consistency toWire(Consistency c) {
        switch (c) {
            case ONE:
                return io.mnemo.protocol.v1.Consistency.CONSISTENCY_ONE;
            case QUORUM:
                return io.mnemo.protocol.v1.Consistency.CONSISTENCY_QUORUM;
            case ALL:
                return io.mnemo.protocol.v1.Consistency.CONSISTENCY_ALL;
            default:
                throw new IllegalArgumentException("unknown consistency " + c);
        }
    }

    public static Tier toWire(ScanOptions.Tier t) {
        switch (t) {
            case HOT:
                return Tier.TIER_HOT;
            case WARM:
                return Tier.TIER_WARM;
            case COLD:
                return Tier.TIER_COLD;
            case ALL:
                return Tier.TIER_UNSPECIFIED;
            default:
                throw new IllegalArgumentException("unknown tier " + t);
        }
    }

    public static Counts fromWire(CountsResponse r) {
        Map<String, Counts.Tiers> spaces = new LinkedHashMap<>();
        for (SpaceCounts s : r.getSpacesList()) {
            spaces.put(s.getSpace(), fromWire(s.getCounts()));
        }
        return new Counts(fromWire(r.getTotal()), spaces);
    }

    private static Counts.Tiers fromWire(TierCounts t) {
        return new Counts.Tiers(t.getHot(), t.getWarm(), t.getCold(), t.getTombstones());
    }

    public static Stats fromWire(StatsResponse r) {
        List<Stats.RecoveryEvent> events = new ArrayList<>();
        for (RecoveryEvent e : r.getRecoveryEventsList()) {
            events.add(new Stats.RecoveryEvent(e.getAtNs(), e.getFile(), e.getDescription()));
        }
        return new Stats(r.getNodeId(), r.getLiveBytes(), r.getFileBytes(), r.getFragmentation(), r.getHotBytes(),
                r.getHotMaxBytes(), events);
    }

    public static SpaceSpec toWire(SpaceInfo s) {
        return SpaceSpec.newBuilder().setName(Validation.space("space.name", s.name())).setDimension(s.dimension())
                .setQuotaBytes(s.quotaBytes()).setMaxContentBytes(s.maxContentBytes()).build();
    }

    public static SpaceInfo fromWire(SpaceSpec s) {
        return new SpaceInfo(s.getName(), s.getDimension(), s.getQuotaBytes(), s.getMaxContentBytes());
    }
}
