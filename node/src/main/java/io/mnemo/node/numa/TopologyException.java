package io.mnemo.node.numa;

import java.nio.file.Path;

/** The sysfs topology could not be read or is inconsistent; names the file (or directory) at fault. */
public final class TopologyException extends NumaException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    /** {@code file} is unreadable, malformed or contradicts another file, as {@code problem} says. */
    public TopologyException(Path file, String problem, Throwable cause) {
        super("NUMA topology: " + file + ": " + problem
                + " (set mnemo.numa.mode=off to run without pinning)", cause);
        this.file = file;
    }

    /** The file or directory at fault. */
    public Path file() {
        return file;
    }
}
