package io.mnemo.shardmap;

import java.util.Arrays;

/**
 * The bounded-load greedy of {@link Placement}: visits (partition, member) pairs in descending score
 * order and takes a pair while the partition needs it and the member has capacity left. One instance
 * builds one table and is then discarded.
 *
 * <p>Invariants during {@link #run()}: {@code 0 <= filled[p] <= r}; the first {@code filled[p]} entries
 * of row p are distinct members; {@code load[m]} counts the rows m appears in.
 */
final class Matcher {
    private final int partitions;
    private final int n;
    private final int r;
    private final int[] weights;
    private final int[] zones;
    private final double[] scores;
    private final int[] order;
    private final int[] rows;
    private final int[] filled;
    private final int[] load;

    Matcher(int partitions, int n, int r, int[] weights, int[] zones, double[] scores, int[] order) {
        this.partitions = partitions;
        this.n = n;
        this.r = r;
        this.weights = weights;
        this.zones = zones;
        this.scores = scores;
        this.order = order;
        this.rows = new int[partitions * r];
        this.filled = new int[partitions];
        this.load = new int[n];
    }

    int[] run() {
        int[] caps = Placement.capacities(weights, (long) partitions * r, partitions, Placement.SLACK);
        int zoneTarget = Math.min(r, zoneCount());
        if (zoneTarget > 1) {
            spreadZones(caps, zoneTarget);
        }
        fill(caps);
        int[] primaries = choosePrimaries();
        int[] table = new int[partitions * r];
        for (int p = 0; p < partitions; p++) {
            orderRow(p, primaries[p], table);
        }
        return table;
    }

    private int zoneCount() {
        int max = -1;
        for (int z : zones) {
            max = Math.max(max, z);
        }
        return max + 1;
    }

    /** First pass with zones: each partition takes members of {@code zoneTarget} distinct zones. */
    private void spreadZones(int[] caps, int zoneTarget) {
        for (int pair : order) {
            int p = pair / n;
            int m = pair % n;
            if (filled[p] < zoneTarget && load[m] < caps[m] && !zoneUsed(p, zones[m])) {
                take(p, m);
            }
        }
        for (int p = 0; p < partitions; p++) {
            while (filled[p] < zoneTarget) {
                take(p, best(p, true));
            }
        }
    }

    /** Fills every partition up to r replicas by score within capacity, then by score alone. */
    private void fill(int[] caps) {
        for (int pair : order) {
            int p = pair / n;
            int m = pair % n;
            if (filled[p] < r && load[m] < caps[m] && !inRow(p, m)) {
                take(p, m);
            }
        }
        for (int p = 0; p < partitions; p++) {
            while (filled[p] < r) {
                if (!augmentReplica(p, caps)) {
                    take(p, best(p, false));
                }
            }
        }
    }

    /**
     * Gives partition p one more replica within capacity by an augmenting path: p takes a member x it
     * lacks; if x is full, a partition q holding x hands x over and takes another member y instead, and
     * so on (breadth first, so the shortest chain) until a member with capacity left ends the chain.
     * With zones, q only hands over x if q keeps its zone spread. Returns false if no chain exists.
     */
    private boolean augmentReplica(int p, int[] caps) {
        int[][] holders = new int[n][];
        int[] counts = new int[n];
        for (int m = 0; m < n; m++) {
            holders[m] = new int[load[m]];
        }
        for (int q = 0; q < partitions; q++) {
            for (int k = q * r, end = k + filled[q]; k < end; k++) {
                holders[rows[k]][counts[rows[k]]++] = q;
            }
        }
        int[] prevMember = new int[n];
        int[] via = new int[n];
        boolean[] seen = new boolean[n];
        boolean[] usedPartition = new boolean[partitions];
        usedPartition[p] = true;
        int[] queue = new int[n];
        int head = 0;
        int tail = 0;
        for (int m = 0; m < n; m++) {
            if (!inRow(p, m)) {
                if (load[m] < caps[m]) {
                    take(p, m);
                    return true;
                }
                seen[m] = true;
                prevMember[m] = -1;
                queue[tail++] = m;
            }
        }
        while (head < tail) {
            int x = queue[head++];
            for (int i = 0; i < counts[x]; i++) {
                int q = holders[x][i];
                if (usedPartition[q]) {
                    continue;
                }
                for (int y = 0; y < n; y++) {
                    if (seen[y] || inRow(q, y) || !keepsZones(q, x, y)) {
                        continue;
                    }
                    seen[y] = true;
                    prevMember[y] = x;
                    via[y] = q;
                    if (load[y] < caps[y]) {
                        int end = y;
                        while (prevMember[end] >= 0) {
                            replace(via[end], prevMember[end], end);
                            end = prevMember[end];
                        }
                        take(p, end);
                        return true;
                    }
                    queue[tail++] = y;
                }
                usedPartition[q] = true;
            }
        }
        return false;
    }

    /** Whether partition q keeps at least as many distinct zones when member x is replaced by y. */
    private boolean keepsZones(int q, int x, int y) {
        if (zones[x] < 0 || zones[x] == zones[y]) {
            return true;
        }
        int sameZone = 0;
        for (int k = q * r, end = k + filled[q]; k < end; k++) {
            if (zones[rows[k]] == zones[x]) {
                sameZone++;
            }
        }
        // Losing x's only member of its zone is fine if y brings a zone q does not have yet.
        return sameZone > 1 || !zoneUsed(q, zones[y]);
    }

    /** Replaces member x by y in partition q's row, moving one unit of load. */
    private void replace(int q, int x, int y) {
        for (int k = q * r, end = k + filled[q]; k < end; k++) {
            if (rows[k] == x) {
                rows[k] = y;
                load[x]--;
                load[y]++;
                return;
            }
        }
        throw new IllegalStateException("partition " + q + " has no member " + x);
    }

    /**
     * Primary of each partition: one of its replicas, by score within the primary capacity. The greedy
     * leaves some partitions whose replicas are all full; each is then placed by an augmenting path
     * (a breadth-first search that shifts other partitions' primaries to their other replicas until
     * one lands on a member with capacity left), so the capacity holds whenever a placement within it
     * exists. Only if none exists does the partition take its best-scoring replica over capacity.
     */
    private int[] choosePrimaries() {
        int[] caps = Placement.capacities(weights, partitions, partitions, 0);
        int[] primaryLoad = new int[n];
        int[] primaries = new int[partitions];
        Arrays.fill(primaries, -1);
        for (int pair : order) {
            int p = pair / n;
            int m = pair % n;
            if (primaries[p] < 0 && primaryLoad[m] < caps[m] && inRow(p, m)) {
                primaries[p] = m;
                primaryLoad[m]++;
            }
        }
        for (int p = 0; p < partitions; p++) {
            if (primaries[p] < 0 && !augment(p, primaries, primaryLoad, caps)) {
                int top = rows[p * r];
                for (int k = 1; k < r; k++) {
                    int m = rows[p * r + k];
                    if (better(p, m, top)) {
                        top = m;
                    }
                }
                primaries[p] = top;
                primaryLoad[top]++;
            }
        }
        return primaries;
    }

    /** Finds an augmenting path for partition p's primary; returns false if there is none. */
    private boolean augment(int p, int[] primaries, int[] primaryLoad, int[] caps) {
        int[][] byPrimary = new int[n][];
        int[] counts = new int[n];
        for (int m = 0; m < n; m++) {
            byPrimary[m] = new int[primaryLoad[m]];
        }
        for (int q = 0; q < partitions; q++) {
            if (primaries[q] >= 0) {
                byPrimary[primaries[q]][counts[primaries[q]]++] = q;
            }
        }
        int[] prevNode = new int[n];
        int[] via = new int[n];
        boolean[] seen = new boolean[n];
        int[] queue = new int[n];
        int head = 0;
        int tail = 0;
        for (int k = 0; k < r; k++) {
            int m = rows[p * r + k];
            if (primaryLoad[m] < caps[m]) {
                primaryLoad[m]++;
                primaries[p] = m;
                return true;
            }
            seen[m] = true;
            prevNode[m] = -1;
            queue[tail++] = m;
        }
        while (head < tail) {
            int m = queue[head++];
            for (int i = 0; i < counts[m]; i++) {
                int q = byPrimary[m][i];
                for (int k = 0; k < r; k++) {
                    int next = rows[q * r + k];
                    if (seen[next]) {
                        continue;
                    }
                    seen[next] = true;
                    prevNode[next] = m;
                    via[next] = q;
                    if (primaryLoad[next] < caps[next]) {
                        primaryLoad[next]++;
                        int x = next;
                        while (prevNode[x] >= 0) {
                            primaries[via[x]] = x;
                            x = prevNode[x];
                        }
                        primaries[p] = x;
                        return true;
                    }
                    queue[tail++] = next;
                }
            }
        }
        return false;
    }

    /** Writes row p: the primary, then members of zones not yet listed by score, then the rest by score. */
    private void orderRow(int p, int primary, int[] table) {
        int base = p * r;
        boolean[] placed = new boolean[r];
        int out = base;
        for (int k = 0; k < r; k++) {
            if (rows[base + k] == primary) {
                placed[k] = true;
            }
        }
        table[out++] = primary;
        while (out < base + r) {
            int pick = -1;
            boolean pickNewZone = false;
            for (int k = 0; k < r; k++) {
                if (placed[k]) {
                    continue;
                }
                int m = rows[base + k];
                boolean newZone = zones[m] >= 0 && !listed(table, base, out, zones[m]);
                if (pick < 0 || newZone && !pickNewZone || newZone == pickNewZone && better(p, m, rows[base + pick])) {
                    pick = k;
                    pickNewZone = newZone;
                }
            }
            placed[pick] = true;
            table[out++] = rows[base + pick];
        }
    }

    private boolean listed(int[] table, int from, int to, int zone) {
        for (int i = from; i < to; i++) {
            if (zones[table[i]] == zone) {
                return true;
            }
        }
        return false;
    }

    /** The best-scoring member not yet in row p (and, if {@code newZoneOnly}, of a zone not in it). */
    private int best(int p, boolean newZoneOnly) {
        int top = -1;
        for (int m = 0; m < n; m++) {
            if (inRow(p, m) || newZoneOnly && zoneUsed(p, zones[m])) {
                continue;
            }
            if (top < 0 || better(p, m, top)) {
                top = m;
            }
        }
        return top;
    }

    /** Whether m ranks before other in partition p: higher score, then lower member index. */
    private boolean better(int p, int m, int other) {
        double a = scores[p * n + m];
        double b = scores[p * n + other];
        return a > b || a == b && m < other;
    }

    private void take(int p, int m) {
        rows[p * r + filled[p]++] = m;
        load[m]++;
    }

    private boolean inRow(int p, int m) {
        for (int k = p * r, end = k + filled[p]; k < end; k++) {
            if (rows[k] == m) {
                return true;
            }
        }
        return false;
    }

    private boolean zoneUsed(int p, int zone) {
        for (int k = p * r, end = k + filled[p]; k < end; k++) {
            if (zones[rows[k]] == zone) {
                return true;
            }
        }
        return false;
    }
}
