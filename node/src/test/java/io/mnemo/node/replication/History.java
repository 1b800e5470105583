package io.mnemo.node.replication;

import io.mnemo.node.storage.StoredRecord;
import io.mnemo.node.storage.Version;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A small history checker for register-per-key workloads. Records every write (store with a unique content,
 * or remove) with its outcome: ok with the acknowledged version, or failed (indeterminate). After the run,
 * {@link #check} compares the converged record of each key with the history:
 * <ul>
 *   <li>no lost acknowledged write: the final version is at least every acknowledged version of the key, and
 *       where it equals one, it holds that write's value;</li>
 *   <li>no phantom: the final record comes from a write that was attempted (acknowledged or indeterminate).</li>
 * </ul>
 * Thread-safe.
 */
final class History {
    /** One write: {@code content} null for a remove; {@code acked} null while pending or when it failed. */
    record Write(String key, String content, Version acked, String failure) {
        boolean isRemove() {
            return content == null;
        }
    }

    private final ConcurrentLinkedQueue<Write> writes = new ConcurrentLinkedQueue<>();
    private final Map<String, Version> newestAcked = new ConcurrentHashMap<>();

    void ok(String key, String content, Version version) {
        writes.add(new Write(key, content, version, null));
        newestAcked.merge(key, version, (a, b) -> a.isNewerThan(b) ? a : b);
    }

    void failed(String key, String content, Throwable why) {
        writes.add(new Write(key, content, null, String.valueOf(why)));
    }

    /** The newest acknowledged version of {@code key} so far (for checking reads that start now). */
    Version newestAcked(String key) {
        return newestAcked.getOrDefault(key, Version.ZERO);
    }

    long acked() {
        return writes.stream().filter(w -> w.acked() != null).count();
    }

    long failed() {
        return writes.stream().filter(w -> w.acked() == null).count();
    }

    /** Violations of the rules above; {@code finalRecords} holds each key's converged record. */
    List<String> check(Map<String, Optional<StoredRecord>> finalRecords) {
        List<String> violations = new ArrayList<>();
        for (Write w : writes) {
            Optional<StoredRecord> f = finalRecords.getOrDefault(w.key(), Optional.empty());
            if (w.acked() == null) {
                continue;
            }
            if (f.isEmpty()) {
                violations.add("lost acknowledged write " + w + ": key is absent");
                continue;
            }
            StoredRecord r = f.get();
            if (w.acked().isNewerThan(r.version())) {
                violations.add("lost acknowledged write " + w + ": final version " + r.version() + " is older");
            } else if (r.version().equals(w.acked()) && !sameValue(w, r)) {
                violations.add("acknowledged write " + w + " has version " + r.version() + " but final value " + r);
            }
        }
        for (Map.Entry<String, Optional<StoredRecord>> e : finalRecords.entrySet()) {
            if (e.getValue().isEmpty()) {
                continue;
            }
            StoredRecord r = e.getValue().get();
            boolean attempted = writes.stream().anyMatch(w -> w.key().equals(e.getKey()) && sameValue(w, r)
                    && (w.acked() == null || w.acked().equals(r.version())));
            if (!attempted) {
                violations.add("phantom: final record " + r + " matches no attempted write");
            }
        }
        return violations;
    }

    private static boolean sameValue(Write w, StoredRecord r) {
        if (w.isRemove()) {
            return r.isTombstone();
        }
        return r.memory().flatMap(m -> m.content()).map(w.content()::equals).orElse(false);
    }
}
