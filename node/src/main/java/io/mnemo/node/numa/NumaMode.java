package io.mnemo.node.numa;

import java.util.Locale;

/** How worker threads are placed on CPUs ({@code mnemo.numa.mode}). */
public enum NumaMode {
    /** Never pin: one unpinned pool, every partition on it. */
    OFF,
    /**
     * Pin one pool per NUMA node when there is more than one node, or one pool over all CPUs when a
     * single node has at least {@code mnemo.numa.auto-min-cpus} usable CPUs; otherwise run unpinned
     * and log why.
     */
    AUTO,
    /** One pinned pool per CPU list in {@code mnemo.numa.cpus} (e.g. {@code 0-1;2-3}). */
    EXPLICIT;

    /** The setting's spelling: {@code off}, {@code auto}, {@code explicit}. */
    public String settingValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses {@code off}, {@code auto} or {@code explicit} (case-insensitive, surrounding blanks ignored).
     *
     * @throws NumaConfigException naming the value and the accepted ones
     */
    public static NumaMode parse(String text) {
        String value = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        for (NumaMode mode : values()) {
            if (mode.settingValue().equals(value)) {
                return mode;
            }
        }
        throw new NumaConfigException(NumaSetting.MODE.key(), text, "expected one of off, auto, explicit");
    }
}
