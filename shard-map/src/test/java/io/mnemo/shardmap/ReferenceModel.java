package io.mnemo.shardmap;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A slow, plainly written model of the placement spec, written apart from {@link Placement}: scores
 * recomputed per pair, pairs sorted with a comparator, every constraint checked by scanning. Used to
 * check the optimized tables and to measure plain (unbounded) HRW for comparison.
 */
final class ReferenceModel {
    private ReferenceModel() {
    }

    static double score(Member m, int partition) {
        long h = 0xcbf29ce484222325L;
        for (byte b : m.id().getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xFF)) * 0x100000001b3L;
        }
        long memberHash = mix(h);
        long pairHash = mix(memberHash ^ mix((partition + 1L) * 0x9E3779B97F4A7C15L));
        double u = ((pairHash >>> 12) + 0.5) / 4503599627370496.0;
        return -m.weight() / StrictMath.log(u);
    }

    private static long mix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }

    /** Textbook weighted HRW: the top min(RF, N) scores of each partition. */
    static List<List<String>> plainHrw(List<Member> members, int partitions, int rf) {
        List<List<String>> table = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            Map<String, Double> scores = new HashMap<>();
            for (Member m : members) {
                scores.put(m.id(), score(m, p));
            }
            List<Member> ranked = new ArrayList<>(members);
            ranked.sort(Comparator.comparingDouble((Member m) -> -scores.get(m.id())).thenComparing(Member::id));
            List<String> row = new ArrayList<>();
            for (int k = 0; k < Math.min(rf, members.size()); k++) {
                row.add(ranked.get(k).id());
            }
            table.add(row);
        }
        return table;
    }

    /** Replica capacity of each member (same order as {@code members}), per the spec. */
    static int[] capacities(List<Member> members, long slots, int perMemberMax, double slack) {
        int n = members.size();
        boolean[] pinned = new boolean[n];
        boolean again = true;
        while (again) {
            again = false;
            double free = slots;
            double weight = 0;
            for (int i = 0; i < n; i++) {
                if (pinned[i]) {
                    free -= perMemberMax;
                } else {
                    weight += members.get(i).weight();
                }
            }
            for (int i = 0; i < n; i++) {
                if (!pinned[i] && free * members.get(i).weight() / weight > perMemberMax) {
                    pinned[i] = true;
                    again = true;
                    break;
                }
            }
            if (!again) {
                int[] caps = new int[n];
                for (int i = 0; i < n; i++) {
                    double t = pinned[i] ? perMemberMax : free * members.get(i).weight() / weight;
                    caps[i] = (int) Math.min(perMemberMax, Math.max(Math.ceil(t - 1e-9), Math.floor(t * (1 + slack) + 1e-9)));
                }
                return caps;
            }
        }
        throw new AssertionError("unreachable");
    }

    /**
     * The bounded-load greedy of the spec (zones first, then fill), members sorted by id, or null if the
     * greedy alone cannot fill every partition within capacity (the implementation then completes the
     * table with augmenting paths, which this model does not reproduce).
     */
    static List<Set<String>> boundedSets(List<Member> sortedMembers, int partitions, int rf) {
        int n = sortedMembers.size();
        int r = Math.min(rf, n);
        int[] caps = capacities(sortedMembers, (long) partitions * r, partitions, Placement.SLACK);
        int[] load = new int[n];
        List<List<Integer>> rows = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            rows.add(new ArrayList<>());
        }
        List<int[]> pairs = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            for (int m = 0; m < n; m++) {
                pairs.add(new int[] {p, m});
            }
        }
        double[][] scores = new double[partitions][n];
        for (int p = 0; p < partitions; p++) {
            for (int m = 0; m < n; m++) {
                scores[p][m] = score(sortedMembers.get(m), p);
            }
        }
        pairs.sort(Comparator.comparingDouble((int[] a) -> -scores[a[0]][a[1]]).thenComparingInt(a -> a[0]).thenComparingInt(a -> a[1]));
        Set<String> zoneSet = new HashSet<>();
        sortedMembers.forEach(m -> m.zone().ifPresent(zoneSet::add));
        int zoneTarget = Math.min(r, zoneSet.size());
        if (zoneTarget > 1) {
            for (int[] pair : pairs) {
                List<Integer> row = rows.get(pair[0]);
                boolean zoneFree = !zones(sortedMembers, row).contains(zoneOf(sortedMembers, pair[1]));
                if (row.size() < zoneTarget && load[pair[1]] < caps[pair[1]] && zoneFree) {
                    row.add(pair[1]);
                    load[pair[1]]++;
                }
            }
            for (int p = 0; p < partitions; p++) {
                List<Integer> row = rows.get(p);
                while (row.size() < zoneTarget) {
                    int best = bestOutside(sortedMembers, p, row, true);
                    row.add(best);
                    load[best]++;
                }
            }
        }
        for (int[] pair : pairs) {
            List<Integer> row = rows.get(pair[0]);
            if (row.size() < r && load[pair[1]] < caps[pair[1]] && !row.contains(pair[1])) {
                row.add(pair[1]);
                load[pair[1]]++;
            }
        }
        List<Set<String>> sets = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            List<Integer> row = rows.get(p);
            if (row.size() < r) {
                return null;
            }
            Set<String> ids = new LinkedHashSet<>();
            row.forEach(m -> ids.add(sortedMembers.get(m).id()));
            sets.add(ids);
        }
        return sets;
    }

    private static String zoneOf(List<Member> ms, int m) {
        return ms.get(m).zone().orElse(null);
    }

    private static Set<String> zones(List<Member> ms, List<Integer> row) {
        Set<String> zs = new HashSet<>();
        row.forEach(m -> zs.add(zoneOf(ms, m)));
        return zs;
    }

    private static int bestOutside(List<Member> ms, int p, List<Integer> row, boolean newZone) {
        int best = -1;
        for (int m = 0; m < ms.size(); m++) {
            if (row.contains(m) || newZone && zones(ms, row).contains(zoneOf(ms, m))) {
                continue;
            }
            if (best < 0 || score(ms.get(m), p) > score(ms.get(best), p)) {
                best = m;
            }
        }
        return best;
    }

    /**
     * Whether primaries can be chosen, one replica per partition, with member i primary of at most
     * {@code caps[i]} partitions: Kuhn's augmenting-path matching with each member split into cap slots.
     */
    static boolean primariesFeasible(List<List<Integer>> rows, int[] caps) {
        List<Integer> slotOwner = new ArrayList<>();
        for (int m = 0; m < caps.length; m++) {
            for (int c = 0; c < caps[m]; c++) {
                slotOwner.add(m);
            }
        }
        int[] slotMatch = new int[slotOwner.size()];
        Arrays.fill(slotMatch, -1);
        for (int p = 0; p < rows.size(); p++) {
            if (!kuhn(p, rows, slotOwner, slotMatch, new boolean[slotOwner.size()])) {
                return false;
            }
        }
        return true;
    }

    private static boolean kuhn(int p, List<List<Integer>> rows, List<Integer> slotOwner, int[] slotMatch, boolean[] seen) {
        for (int s = 0; s < slotOwner.size(); s++) {
            if (seen[s] || !rows.get(p).contains(slotOwner.get(s))) {
                continue;
            }
            seen[s] = true;
            if (slotMatch[s] < 0 || kuhn(slotMatch[s], rows, slotOwner, slotMatch, seen)) {
                slotMatch[s] = p;
                return true;
            }
        }
        return false;
    }
}
