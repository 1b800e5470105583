package io.mnemo.node.storage;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The format header of a data directory: the file {@code FORMAT} holding the magic, the format version and
 * the settings fixed when the directory was created (partition count and warm-tier sizing). A directory
 * without it is new; a header with another magic is not ours; a format version this build does not know is
 * refused with {@link UnsupportedFormatException} naming the found and supported versions and
 * {@link #MIGRATION the migration path}.
 *
 * @param partitions               the partition count the files are organised by
 * @param entriesPerSegment        records per segment file
 * @param averageValueBytes        average encoded record size of a segment file
 * @param largeValueThresholdBytes encoded records larger than this keep their body in a large-value file
 * @param largeEntriesPerSegment   bodies per large-value file
 * @param largeAverageValueBytes   average body size of a large-value file
 */
record FormatHeader(int partitions, int entriesPerSegment, int averageValueBytes, int largeValueThresholdBytes,
        int largeEntriesPerSegment, int largeAverageValueBytes) {
    static final String FILE = "FORMAT";
    static final String MAGIC = "MNEMO-WARM";
    static final int VERSION = 1;
    /** What an operator does with a directory of another format version. */
    static final String MIGRATION = "migrate by starting a node of the version that wrote it and streaming its partitions to a "
            + "node of this version (rebalance or drain), or move the directory aside and let anti-entropy refill this "
            + "replica from the others";

    static FormatHeader of(StorageConfig c) {
        return new FormatHeader(c.partitions(), c.entriesPerSegment(), c.averageValueBytes(), c.largeValueThresholdBytes(),
                c.largeEntriesPerSegment(), c.largeAverageValueBytes());
    }

    /** Reads the header of {@code dir}, or returns null if the directory has none (it is new). */
    static FormatHeader read(Path dir) {
        Path f = dir.resolve(FILE);
        if (!Files.exists(f)) {
            return null;
        }
        Properties p = new Properties();
        try (Reader r = new StringReader(Files.readString(f, StandardCharsets.UTF_8))) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f, e);
        }
        if (!MAGIC.equals(p.getProperty("magic"))) {
            throw new UnsupportedFormatException(f, "not a Mnemo warm-tier directory: magic is '" + p.getProperty("magic")
                    + "', expected '" + MAGIC + "'");
        }
        int version = intProp(f, p, "formatVersion");
        if (version != VERSION) {
            throw new UnsupportedFormatException(f, "format version " + version + " found, this build supports version "
                    + VERSION + " only; " + MIGRATION);
        }
        return new FormatHeader(intProp(f, p, "partitions"), intProp(f, p, "entriesPerSegment"),
                intProp(f, p, "averageValueBytes"), intProp(f, p, "largeValueThresholdBytes"),
                intProp(f, p, "largeEntriesPerSegment"), intProp(f, p, "largeAverageValueBytes"));
    }

    private static int intProp(Path f, Properties p, String name) {
        String v = p.getProperty(name);
        try {
            return Integer.parseInt(v == null ? "" : v.trim());
        } catch (NumberFormatException e) {
            throw new UnsupportedFormatException(f, "header field '" + name + "' is '" + v + "', expected an integer");
        }
    }

    /** Writes the header atomically (temporary file, then rename). */
    void write(Path dir) {
        String text = "# Mnemo warm-tier data directory. Do not edit.\n"
                + "magic=" + MAGIC + "\n"
                + "formatVersion=" + VERSION + "\n"
                + "partitions=" + partitions + "\n"
                + "entriesPerSegment=" + entriesPerSegment + "\n"
                + "averageValueBytes=" + averageValueBytes + "\n"
                + "largeValueThresholdBytes=" + largeValueThresholdBytes + "\n"
                + "largeEntriesPerSegment=" + largeEntriesPerSegment + "\n"
                + "largeAverageValueBytes=" + largeAverageValueBytes + "\n";
        Files2.writeAtomically(dir.resolve(FILE), text);
    }
}
