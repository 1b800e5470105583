package io.mnemo.node.storage;

/** Opens storage engines. */
public final class TieredStores {
    private TieredStores() {
    }

    /**
     * Opens (creating if new, recovering if the last process did not close it) the store in
     * {@code config.dataDir()}. Only one store may have a data directory open at a time.
     *
     * @throws UnsupportedFormatException if the directory was written in an unknown format
     */
    public static DefaultTieredStore open(StorageConfig config) {
        return DefaultTieredStore.open(config);
    }
}
