package io.mnemo.node.cluster.membership;

import java.util.Locale;

/** How a node finds the others ({@code mnemo.membership.discovery}). */
public enum DiscoveryMode {
    /** A fixed list of seed addresses ({@code mnemo.membership.seeds}); loopback for local clusters. */
    STATIC,
    /** The endpoints of a Kubernetes (headless) Service, read from the Kubernetes API. */
    KUBERNETES;

    /**
     * Parses {@code static} or {@code kubernetes}, ignoring case and surrounding blanks.
     *
     * @throws MembershipConfigException naming the value and the accepted ones
     */
    public static DiscoveryMode parse(String text) {
        String value = text == null ? "" : text.strip().toUpperCase(Locale.ROOT);
        for (DiscoveryMode mode : values()) {
            if (mode.name().equals(value)) {
                return mode;
            }
        }
        throw new MembershipConfigException("discovery", text, "expected static or kubernetes");
    }
}
