package io.mnemo.shardmap;

import java.util.ArrayList;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** jqwik generators of members and topologies. */
final class Generators {
    private Generators() {
    }

    /** 1..maxMembers members with unique ids, weights 1..maxWeight, and zones from {@code zones} (0: none). */
    static Arbitrary<List<Member>> members(int maxMembers, int maxWeight, int zones) {
        Arbitrary<String> ids = Arbitraries.strings().withCharRange('a', 'z').numeric().withChars("-_\u00e9\u8bb0")
                .ofMinLength(1).ofMaxLength(10);
        return ids.list().uniqueElements().ofMinSize(1).ofMaxSize(maxMembers).flatMap(idList -> {
            Arbitrary<List<Integer>> weights = Arbitraries.integers().between(1, maxWeight).list().ofSize(idList.size());
            Arbitrary<List<Integer>> zoneIds = Arbitraries.integers().between(0, Math.max(0, zones - 1)).list().ofSize(idList.size());
            return Combinators.combine(weights, zoneIds).as((ws, zs) -> {
                List<Member> ms = new ArrayList<>();
                for (int i = 0; i < idList.size(); i++) {
                    ms.add(Member.of(idList.get(i), "host-" + i, 7000, ws.get(i), zones == 0 ? null : "zone-" + zs.get(i)));
                }
                return ms;
            });
        });
    }

    static Arbitrary<Topology> topologies(int maxMembers, int maxPartitions, int maxWeight, int zones) {
        return Combinators.combine(members(maxMembers, maxWeight, zones), Arbitraries.integers().between(1, maxPartitions),
                Arbitraries.integers().between(1, 5), Arbitraries.longs().between(0, 1000))
                .as((ms, partitions, rf, epoch) -> Topology.of(epoch, partitions, rf, ms));
    }
}
