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
 * @param chronicleSegments        Chronicle Map segments per records file; 0 (directories written before it was
 *                                 recorded) leaves Chronicle Map's own choice, 16 for the default sizing
 */
record FormatHeader(int partitions, int entriesPerSegment, int averageValueBytes, int largeValueThresholdBytes,
        int largeEntriesPerSegment, int largeAverageValueBytes, int chronicleSegments) {
    static final String FILE = "FORMAT";
    static final String MAGIC = "MNEMO-WARM";
    static final int VERSION = 1;
    /** What an operator does with a directory of another format version. */
    static final String MIGRATION = "migrate by starting a node of the version that wrote it and streaming its partitions to a "
            + "node of this version (rebalance or drain), or move the directory aside and let anti-entropy refill this "
            + "replica from the others";

    /**
     * Chronicle Map segments per records file of a new directory. Chronicle Map initialises a new file by reading each
     * segment's first tier, and each read faults in the disk's read-ahead window (see {@link MappedFileAdvice}): with
     * its own choice of 16 segments and an 8 MiB window a file's creation zeroed 128 MB of page cache and took 57 ms
     * on an idle machine, with 4 segments 32 MB and 11 ms. A joining node creates dozens of files at once. Writers of
     * one partition are few (its worker pool), so 4 segment locks are enough.
     */
    static final int CHRONICLE_SEGMENTS = 4;

    static FormatHeader of(StorageConfig c) {
        return new FormatHeader(c.partitions(), c.entriesPerSegment(), c.averageValueBytes(), c.largeValueThresholdBytes(),
                c.largeEntriesPerSegment(), c.largeAverageValueBytes(), CHRONICLE_SEGMENTS);
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
                intProp(f, p, "largeEntriesPerSegment"), intProp(f, p, "largeAverageValueBytes"),
                p.getProperty("chronicleSegments") == null ? 0 : intProp(f, p, "chronicleSegments"));
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
                + "largeAverageValueBytes=" + largeAverageValueBytes + "\n"
                + "chronicleSegments=" + chronicleSegments + "\n";
        Files2.writeAtomically(dir.resolve(FILE), text);
    }
}
