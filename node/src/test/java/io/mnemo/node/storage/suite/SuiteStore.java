package io.mnemo.node.storage.suite;

import io.mnemo.node.storage.Memory;
import io.mnemo.node.storage.ScanCursor;
import io.mnemo.node.storage.ScanRequest;
import io.mnemo.node.storage.SpaceConfig;
import io.mnemo.node.storage.StorageConfig;
import io.mnemo.node.storage.StoredRecord;
import io.mnemo.node.storage.TieredStore;
import io.mnemo.node.storage.TieredStores;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A real store (hot tier over Chronicle Map files) in a fresh temporary directory, with one space, for the
 * suites. Sized small (few partitions) so that opening it is cheap; tests that need other sizing pass a
 * tuning function. Closing it closes the store and deletes the directory.
 */
final class SuiteStore implements AutoCloseable {
    static final String SPACE = "suite";

    private final Path dir;
    private final StorageConfig config;
    private final int dimension;
    private TieredStore store;

    private SuiteStore(Path dir, StorageConfig config, int dimension) {
        this.dir = dir;
        this.config = config;
        this.dimension = dimension;
        this.store = TieredStores.open(config);
        store.createSpace(SpaceConfig.of(SPACE, dimension));
    }

    /** A store with {@link #small} settings and space {@value #SPACE} of {@code dimension}. */
    static SuiteStore open(String name, int dimension) {
        return open(name, dimension, d -> small(d).build());
    }

    /** A store whose config {@code configFor} builds for the data directory it is given. */
    static SuiteStore open(String name, int dimension, Function<Path, StorageConfig> configFor) {
        Path dir;
        try {
            dir = Files.createTempDirectory("mnemo-suite-" + name + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return new SuiteStore(dir, configFor.apply(dir.resolve("data")), dimension);
        } catch (RuntimeException | Error e) {
            deleteTree(dir);
            throw e;
        }
    }

    /**
     * Settings cheap to open for tests of a few thousand records: 4 partitions (each partition is a set of
     * Chronicle Map files, whose creation dominates the cost of opening a store), 4096 records per segment.
     */
    static StorageConfig.Builder small(Path dataDir) {
        return small(dataDir, 4);
    }

    /** As {@link #small(Path)} with {@code partitions} partitions. */
    static StorageConfig.Builder small(Path dataDir, int partitions) {
        return StorageConfig.builder(dataDir).partitions(partitions).entriesPerSegment(4096);
    }

    TieredStore store() {
        return store;
    }

    StorageConfig config() {
        return config;
    }

    int dimension() {
        return dimension;
    }

    /** A self-checking payload in the suite space. */
    Memory payload(String id, long token, int contentBytes) {
        return Payloads.memory(SPACE, id, token, contentBytes, dimension);
    }

    /** Closes the store cleanly and opens it again on the same files. */
    TieredStore reopen() {
        store.close();
        store = TieredStores.open(config);
        return store;
    }

    /** Every record of {@code request}, following resume tokens across pages. */
    static List<StoredRecord> scanAll(TieredStore store, ScanRequest.Builder request, int pageSize) {
        List<StoredRecord> out = new ArrayList<>();
        String token = null;
        for (int pages = 0; ; pages++) {
            if (pages > 10_000_000) {
                throw new AssertionError("scan did not finish after " + pages + " pages: resume token not advancing?");
            }
            ScanRequest.Builder b = copy(request.build()).pageHint(pageSize);
            if (token != null) {
                b.resumeToken(token);
            }
            try (ScanCursor c = store.scan(b.build())) {
                int n = 0;
                while (c.hasNext()) {
                    out.add(c.next());
                    n++;
                }
                if (c.isExhausted()) {
                    return out;
                }
                if (n == 0) {
                    throw new AssertionError("a scan page returned nothing but is not exhausted (token " + token + ")");
                }
                token = c.resumeToken();
            }
        }
    }

    /** A builder with every setting of {@code r} except page hint and resume token. */
    static ScanRequest.Builder copy(ScanRequest r) {
        ScanRequest.Builder b = ScanRequest.builder().tier(r.tier()).includeTombstones(r.includeTombstones());
        r.space().ifPresent(b::space);
        r.partition().ifPresent(b::partition);
        return b;
    }

    @Override
    public void close() {
        try {
            if (store != null) {
                store.close();
            }
        } finally {
            deleteTree(dir);
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }
}
