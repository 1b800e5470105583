package io.mnemo.node.cluster.membership;

import org.apache.ignite.IgniteLogger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Routes Ignite's own logging to SLF4J, under Ignite's category names.
 *
 * <p>Why our own adapter: Ignite 2.18 ships no {@code ignite-slf4j} artifact, and its default
 * {@code JavaLogger} writes to java.util.logging and prints to stdout in quiet mode. Ignite is an embedded
 * detail here, so by default only its warnings and errors pass ({@link MembershipConfig#igniteLogLevel()});
 * lowering the floor to INFO or DEBUG is for troubleshooting. Mnemo logs membership changes itself.
 *
 * <p>{@link #isQuiet()} is false so that Ignite's "quiet mode" console prints go through the logger too.
 */
final class Slf4jIgniteLogger implements IgniteLogger {
    private final Logger delegate;
    private final int floor;

    Slf4jIgniteLogger(Logger delegate, Level floor) {
        this.delegate = delegate;
        this.floor = floor.toInt();
    }

    static Slf4jIgniteLogger root(Level floor) {
        return new Slf4jIgniteLogger(LoggerFactory.getLogger("org.apache.ignite"), floor);
    }

    @Override
    public IgniteLogger getLogger(Object category) {
        String name;
        if (category == null) {
            name = "org.apache.ignite";
        } else if (category instanceof Class<?> type) {
            name = type.getName();
        } else {
            name = category.toString();
        }
        return new Slf4jIgniteLogger(LoggerFactory.getLogger(name), Level.intToLevel(floor));
    }

    private boolean passes(Level level) {
        return level.toInt() >= floor;
    }

    @Override
    public void trace(String msg) {
        if (isTraceEnabled()) {
            delegate.trace(msg);
        }
    }

    @Override
    public void debug(String msg) {
        if (isDebugEnabled()) {
            delegate.debug(msg);
        }
    }

    @Override
    public void info(String msg) {
        if (isInfoEnabled()) {
            delegate.info(msg);
        }
    }

    @Override
    public void warning(String msg, Throwable e) {
        if (passes(Level.WARN)) {
            delegate.warn(msg, e);
        }
    }

    @Override
    public void error(String msg, Throwable e) {
        delegate.error(msg, e);
    }

    @Override
    public boolean isTraceEnabled() {
        return passes(Level.TRACE) && delegate.isTraceEnabled();
    }

    @Override
    public boolean isDebugEnabled() {
        return passes(Level.DEBUG) && delegate.isDebugEnabled();
    }

    @Override
    public boolean isInfoEnabled() {
        return passes(Level.INFO) && delegate.isInfoEnabled();
    }

    @Override
    public boolean isQuiet() {
        return false;
    }

    @Override
    public String fileName() {
        return null;
    }
}
