package io.mnemo.node.storage;

import com.sun.jna.Function;
import com.sun.jna.LastErrorException;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the Linux kernel how a node uses its warm-tier files, through libc's {@code madvise} and
 * {@code posix_fadvise}.
 *
 * <p><b>Why.</b> A Chronicle Map file is addressed by hash: a record read or written touches one or two pages at a
 * place no earlier access predicts. The kernel's default for a file mapping is read-around: a page fault reads the
 * block device's read-ahead window around the faulting page (8 MiB on the VM the benchmarks run on, 128 KiB on most
 * disks), and on a sparse file the window's holes become zero-filled page-cache pages. Chronicle Map initialises a
 * new file by reading each segment's first tier, so creating one 560 MB partition file left 128 MB of zero pages in
 * the page cache with an 8 MiB window (5.3 MB with 128 KiB) for 484 KB of disk. A 3-node benchmark cluster had 20 GB
 * of page cache for 712 MB of data, and the kernel's reclaim then evicted the nodes' live pages.
 *
 * <ul>
 * <li>{@link #adviseRandom} marks this process's mappings of a file {@code MADV_RANDOM} (found in
 * {@code /proc/self/maps}): a fault reads only its page. RocksDB's {@code advise_random_on_open} and LMDB's
 * {@code MDB_NORDAHEAD} do the same.</li>
 * <li>{@link #dropCache} drops a file's clean pages from the page cache ({@code POSIX_FADV_DONTNEED}): used on a file
 * Chronicle Map has just created and closed, whose cached pages are the zero pages of its initialisation.</li>
 * </ul>
 *
 * <p>Advice is a hint: where it is unavailable (not Linux, no native access) the files work as before, and each
 * advice's first failure is logged once.
 */
final class MappedFileAdvice {
    private static final Logger LOG = LoggerFactory.getLogger(MappedFileAdvice.class);
    private static final int MADV_RANDOM = 1;
    private static final int O_RDONLY = 0;
    private static final int POSIX_FADV_DONTNEED = 4;
    private static final Path MAPS = Path.of("/proc/self/maps");

    /** The advice names that failed once; each is not tried again. */
    private static final Set<String> UNAVAILABLE = ConcurrentHashMap.newKeySet();

    private MappedFileAdvice() {
    }

    /** Marks every mapping this process has of {@code file} for random access; returns how many it marked. */
    static int adviseRandom(Path file) {
        String name = "MADV_RANDOM";
        if (UNAVAILABLE.contains(name)) {
            return 0;
        }
        try {
            List<long[]> ranges = mappingsOf(file.toRealPath().toString());
            Function madvise = Function.getFunction("c", "madvise", Function.THROW_LAST_ERROR);
            for (long[] r : ranges) {
                madvise.invokeInt(new Object[] {new Pointer(r[0]), r[1] - r[0], MADV_RANDOM});
            }
            return ranges.size();
        } catch (IOException | RuntimeException | LinkageError e) {
            giveUp(name, file, e);
            return 0;
        }
    }

    /** Drops {@code file}'s clean, unmapped pages from the page cache; true if the kernel took the advice. */
    static boolean dropCache(Path file) {
        String name = "POSIX_FADV_DONTNEED";
        if (UNAVAILABLE.contains(name)) {
            return false;
        }
        try {
            return withReadOnlyFd(file, fd -> {
                // Returns the error number itself rather than setting errno.
                int rc = Function.getFunction("c", "posix_fadvise").invokeInt(new Object[] {fd, 0L, 0L, POSIX_FADV_DONTNEED});
                if (rc != 0) {
                    throw new LastErrorException(rc);
                }
                return true;
            });
        } catch (RuntimeException | LinkageError e) {
            giveUp(name, file, e);
            return false;
        }
    }

    /**
     * Runs {@code body} with a read-only libc file descriptor of {@code file}, closed afterwards (for calls that Java's
     * channels do not offer); throws {@link LastErrorException} if the file cannot be opened.
     */
    static <T> T withReadOnlyFd(Path file, IntFunction<T> body) {
        int fd = Function.getFunction("c", "open", Function.THROW_LAST_ERROR)
                .invokeInt(new Object[] {file.toString(), O_RDONLY});
        try {
            return body.apply(fd);
        } finally {
            Function.getFunction("c", "close").invokeInt(new Object[] {fd});
        }
    }

    /** The address ranges ({@code [start, end)}) of this process's mappings of {@code realPath}. */
    private static List<long[]> mappingsOf(String realPath) throws IOException {
        List<long[]> ranges = new ArrayList<>();
        for (String line : Files.readAllLines(MAPS)) {
            // start-end perms offset dev inode path; the path is the rest of the line and may contain spaces.
            String[] f = line.split("\\s+", 6);
            if (f.length == 6 && f[5].equals(realPath)) {
                int dash = f[0].indexOf('-');
                ranges.add(new long[] {Long.parseUnsignedLong(f[0], 0, dash, 16),
                        Long.parseUnsignedLong(f[0], dash + 1, f[0].length(), 16)});
            }
        }
        return ranges;
    }

    private static void giveUp(String name, Path file, Throwable e) {
        if (UNAVAILABLE.add(name)) {
            LOG.info("warm-tier files go without {} from now on: it failed on {}: {}. A page fault may read more than "
                    + "its page into the page cache", name, file, e.toString());
        }
    }
}
