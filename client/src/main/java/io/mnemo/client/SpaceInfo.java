package io.mnemo.client;

import java.util.Objects;

/**
 * A space (tenant) and its fixed settings. Zero in a setting passed to {@link MnemoClient#createSpace} means "the
 * cluster's default"; a {@code SpaceInfo} returned by the cluster has the defaults filled in.
 *
 * <pre>{@code
 * client.createSpace(new SpaceInfo("demo", 768, 0, 0));
 * client.listSpaces().forEach(s -> System.out.println(s.name() + " dim=" + s.dimension()));
 * }</pre>
 *
 * @param name {@code [a-z0-9][a-z0-9_-]{0,63}}
 * @param dimension embedding length, fixed for the space's life; 0 for the default (768 unless configured)
 * @param quotaBytes bytes the space may take per replica; 0 for no quota
 * @param maxContentBytes largest content of one memory; 0 for the default (1 MiB unless configured)
 */
public record SpaceInfo(String name, int dimension, long quotaBytes, int maxContentBytes) {

    /** Rejects negative settings; the name is checked when the space is sent. */
    public SpaceInfo {
        Objects.requireNonNull(name, "name");
        if (dimension < 0 || quotaBytes < 0 || maxContentBytes < 0) {
            throw new IllegalArgumentException("SpaceInfo settings must be >= 0 (0 = default), got dimension="
                    + dimension + ", quotaBytes=" + quotaBytes + ", maxContentBytes=" + maxContentBytes);
        }
    }

    /** A space with every setting at the cluster's default. */
    public static SpaceInfo named(String name) {
        return new SpaceInfo(name, 0, 0, 0);
    }
}
