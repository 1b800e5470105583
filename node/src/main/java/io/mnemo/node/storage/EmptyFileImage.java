package io.mnemo.node.storage;

import com.sun.jna.Function;
import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bytes of a new, empty Chronicle Map file: its data ranges (the header, a few KB) and its length (the rest is
 * holes), so that further files of the same shape are written from it instead of being initialised by Chronicle Map.
 *
 * <p><b>Why.</b> Chronicle Map initialises a new file by reading each segment's first tier. The mapping is not yet
 * advised for random access (see {@link MappedFileAdvice}), so each of those faults reads the block device's read-ahead
 * window, and in a sparse file the window's holes become zero-filled page-cache pages: 128 MB of page cache and about
 * 300 ms of CPU for one 560 MB partition file with an 8 MiB window, on an idle machine. A joining node creates dozens
 * at once: in a profiled 300K-memory join, zero-filling those pages took 27% of both cores while the move ran, and
 * each file 2-5 s. An empty file of a given shape holds the same bytes every time (the map's name is not stored in
 * it), so the first file of each shape is made by Chronicle Map and captured, and each later one is a few KB written
 * and a length set.
 *
 * <p>The data ranges are found with {@code lseek(SEEK_DATA / SEEK_HOLE)} (libc, through JNA). Where that is
 * unavailable, or a file system reports the whole file as data, {@link #capture} returns null and every file is made
 * by Chronicle Map as before; the first failure is logged once.
 */
final class EmptyFileImage {
    private static final Logger LOG = LoggerFactory.getLogger(EmptyFileImage.class);
    private static final int SEEK_DATA = 3;
    private static final int SEEK_HOLE = 4;
    /** lseek's errno when no data follows the offset. */
    private static final int ENXIO = 6;
    /** The capture failures already logged (one line per kind of failure). */
    private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();

    private final long length;
    private final List<Range> ranges;

    private record Range(long offset, byte[] bytes) {
    }

    private EmptyFileImage(long length, List<Range> ranges) {
        this.length = length;
        this.ranges = List.copyOf(ranges);
    }

    /**
     * Captures {@code file} (closed by its writer, not being written), or returns null when its data ranges cannot be
     * found or add up to more than {@code maxDataBytes}.
     */
    static EmptyFileImage capture(Path file, long maxDataBytes) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long length = ch.size();
            List<long[]> spans = dataSpans(file, length);
            long total = 0;
            for (long[] s : spans) {
                total += s[1] - s[0];
            }
            if (total > maxDataBytes) {
                logOnce("too large", "empty warm-tier files are made by Chronicle Map: " + file + " has " + total
                        + " bytes of data (the file system may not report holes), more than " + maxDataBytes);
                return null;
            }
            List<Range> ranges = new ArrayList<>(spans.size());
            for (long[] s : spans) {
                ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(s[1] - s[0]));
                while (buf.hasRemaining()) {
                    if (ch.read(buf, s[0] + buf.position()) < 0) {
                        throw new IOException(file + " ended at " + (s[0] + buf.position()) + " while capturing it");
                    }
                }
                ranges.add(new Range(s[0], buf.array()));
            }
            return new EmptyFileImage(length, ranges);
        } catch (IOException | RuntimeException | LinkageError e) {
            logOnce("failed", "empty warm-tier files are made by Chronicle Map: capturing " + file + " failed: " + e);
            return null;
        }
    }

    /** Writes this image as the new file {@code file} (which must not exist): its data ranges, then its length. */
    void writeTo(Path file) throws IOException {
        if (Files.exists(file)) {
            throw new FileAlreadyExistsException(file.toString());
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            FileChannel ch = raf.getChannel();
            for (Range r : ranges) {
                ByteBuffer buf = ByteBuffer.wrap(r.bytes());
                while (buf.hasRemaining()) {
                    ch.write(buf, r.offset() + buf.position());
                }
            }
            raf.setLength(length); // the rest is a hole, as in the captured file
        }
    }

    long length() {
        return length;
    }

    long dataBytes() {
        long total = 0;
        for (Range r : ranges) {
            total += r.bytes().length;
        }
        return total;
    }

    /** The {@code [start, end)} spans of {@code file} that hold data, by {@code lseek(SEEK_DATA / SEEK_HOLE)}. */
    private static List<long[]> dataSpans(Path file, long length) {
        Function lseek = Function.getFunction("c", "lseek", Function.THROW_LAST_ERROR);
        return MappedFileAdvice.withReadOnlyFd(file, fd -> {
            List<long[]> spans = new ArrayList<>();
            long offset = 0;
            while (offset < length) {
                long start;
                try {
                    start = lseek.invokeLong(new Object[] {fd, offset, SEEK_DATA});
                } catch (LastErrorException e) {
                    if (e.getErrorCode() == ENXIO) {
                        break; // only holes from here on
                    }
                    throw e;
                }
                long end = lseek.invokeLong(new Object[] {fd, start, SEEK_HOLE});
                spans.add(new long[] {start, end});
                offset = end;
            }
            return spans;
        });
    }

    private static void logOnce(String kind, String message) {
        if (LOGGED.add(kind)) {
            LOG.info(message);
        }
    }
}
