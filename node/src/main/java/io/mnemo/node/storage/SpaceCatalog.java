package io.mnemo.node.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The spaces of a store, persisted in the data directory's {@code spaces} file, one space per line
 * ({@code name dimension quotaBytes maxContentBytes}, quota 0 meaning none), replaced atomically on every
 * change. Reads are lock-free; changes are made by the store under its lifecycle write lock.
 */
final class SpaceCatalog {
    static final String FILE = "spaces";
    private final Path file;
    private final Map<String, SpaceConfig> spaces = new ConcurrentSkipListMap<>();

    private SpaceCatalog(Path file) {
        this.file = file;
    }

    static SpaceCatalog load(Path dataDir) {
        SpaceCatalog c = new SpaceCatalog(dataDir.resolve(FILE));
        if (!Files.exists(c.file)) {
            return c;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(c.file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + c.file, e);
        }
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.trim().split(" ");
            try {
                SpaceConfig.Builder b = SpaceConfig.builder(f[0]).dimension(Integer.parseInt(f[1]));
                long quota = Long.parseLong(f[2]);
                if (quota > 0) {
                    b.quotaBytes(quota);
                }
                SpaceConfig s = b.maxContentBytes(Integer.parseInt(f[3])).build();
                c.spaces.put(s.name(), s);
            } catch (RuntimeException e) {
                throw new UnsupportedFormatException(c.file, "unreadable space line '" + line + "': " + e.getMessage());
            }
        }
        return c;
    }

    SpaceConfig get(String name) {
        return spaces.get(name);
    }

    List<SpaceConfig> list() {
        return new ArrayList<>(spaces.values());
    }

    void put(SpaceConfig s) {
        spaces.put(s.name(), s);
        save();
    }

    void remove(String name) {
        spaces.remove(name);
        save();
    }

    private void save() {
        StringBuilder sb = new StringBuilder("# name dimension quotaBytes maxContentBytes\n");
        for (SpaceConfig s : spaces.values()) {
            sb.append(s.name()).append(' ').append(s.dimension()).append(' ').append(s.quotaBytes().orElse(0))
                    .append(' ').append(s.maxContentBytes()).append('\n');
        }
        Files2.writeAtomically(file, sb.toString());
    }
}
