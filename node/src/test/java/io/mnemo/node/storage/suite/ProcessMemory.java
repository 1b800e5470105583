package io.mnemo.node.storage.suite;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident set size and heap use of this JVM, for the scale suite's reports and leak regression. */
final class ProcessMemory {
    private static final Path STATUS = Path.of("/proc/self/status");

    private ProcessMemory() {
    }

    /** True where {@code /proc/self/status} exists (Linux). */
    static boolean rssAvailable() {
        return Files.isReadable(STATUS);
    }

    /** VmRSS in bytes, or -1 where {@code /proc} is not available. */
    static long rssBytes() {
        if (!rssAvailable()) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.trim().split("\\s+");
                    return Long.parseLong(parts[1]) * 1024L;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no VmRSS line in " + STATUS);
    }

    /** Heap in use after a full collection request; approximate (System.gc is a hint). */
    static long heapUsedAfterGc() {
        System.gc();
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return heap.getUsed();
    }

    /** Heap the JVM has committed (part of RSS whether or not it holds live objects). */
    static long heapCommitted() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
    }

    static double mib(long bytes) {
        return Stats.round(bytes / (1024.0 * 1024.0));
    }
}
