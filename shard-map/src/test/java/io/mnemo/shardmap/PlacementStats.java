package io.mnemo.shardmap;

import java.util.ArrayList;
import java.util.List;

/** Balance and movement figures of a topology, shared by the property tests and the report. */
final class PlacementStats {
    private PlacementStats() {
    }

    /** Equal-weight members {@code node-000..}, zone-less, on distinct ports. */
    static List<Member> nodes(int n) {
        List<Member> ms = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ms.add(node(i));
        }
        return ms;
    }

    static Member node(int i) {
        return Member.of(String.format("node-%03d", i), "10.0.0.1", 7000 + i, 1, null);
    }

    /** Replicas (k = -1) or primaries (k = 0) per member index. */
    static int[] loads(Topology t, boolean primariesOnly) {
        int[] loads = new int[t.members().size()];
        int r = primariesOnly ? Math.min(1, t.replicaCount()) : t.replicaCount();
        for (int p = 0; p < t.partitions(); p++) {
            for (int k = 0; k < r; k++) {
                loads[t.replicaIndex(p, k)]++;
            }
        }
        return loads;
    }

    /** Replicas or primaries per member of a table given as member ids. */
    static int[] loadsOf(List<List<String>> table, List<Member> members, boolean primariesOnly) {
        int[] loads = new int[members.size()];
        for (List<String> row : table) {
            for (int k = 0; k < (primariesOnly ? Math.min(1, row.size()) : row.size()); k++) {
                for (int m = 0; m < members.size(); m++) {
                    if (members.get(m).id().equals(row.get(k))) {
                        loads[m]++;
                    }
                }
            }
        }
        return loads;
    }

    /** The most loaded member's load over the mean load. */
    static double maxOverMean(int[] loads) {
        long sum = 0;
        int max = 0;
        for (int l : loads) {
            sum += l;
            max = Math.max(max, l);
        }
        return max / ((double) sum / loads.length);
    }

    /**
     * The best max/mean any table can reach: loads are integers, so the most loaded member holds at
     * least {@code ceil(mean)}.
     */
    static double integerFloor(long slots, int members) {
        double mean = (double) slots / members;
        return Math.ceil(mean - 1e-9) / mean;
    }

    /** Fraction of the new table's replicas that had to be copied. */
    static double moved(Topology from, Topology to) {
        return MovePlan.between(from, to).movedFraction();
    }

    static Topology equalWeights(int n, int partitions, int rf) {
        return Topology.of(1, partitions, rf, nodes(n));
    }

    /** The topology with member {@code node(n)} added to n equal members. */
    static Topology plusOne(int n, int partitions, int rf) {
        List<Member> ms = nodes(n);
        ms.add(node(n));
        return Topology.of(2, partitions, rf, ms);
    }

    /** The topology with one member (the middle one) of n removed. */
    static Topology minusOne(int n, int partitions, int rf) {
        List<Member> ms = nodes(n);
        ms.remove(n / 2);
        return Topology.of(2, partitions, rf, ms);
    }

    public static void main(String[] args) {
        for (int partitions : new int[] {256, 4096}) {
            for (int n = 3; n <= 64; n++) {
                Topology t = equalWeights(n, partitions, 3);
                double prim = maxOverMean(loads(t, true));
                double repl = maxOverMean(loads(t, false));
                double add = moved(t, plusOne(n, partitions, 3)) * (n + 1) / Math.min(3, n + 1) * Math.min(3, n);
                double rem = moved(t, minusOne(n, partitions, 3));
                System.out.printf("P=%d N=%d primary %.3f (floor %.3f) replica %.3f (floor %.3f) add %.4f (opt %.4f) rem %.4f (opt %.4f)%n",
                        partitions, n, prim, integerFloor(partitions, n), repl, integerFloor(3L * partitions, n),
                        moved(t, plusOne(n, partitions, 3)), 1.0 / (n + 1), rem, 1.0 / n);
            }
        }
    }
}
