package io.mnemo.node.security;

import java.util.Locale;

/** Whether a node's gRPC server asks callers for a TLS client certificate ({@code mnemo.tls.client-auth}). */
public enum ClientAuth {
    /** Never asks; callers authenticate by token, if one is configured. */
    NONE,
    /**
     * Asks; a certificate that verifies against the trusted CAs authenticates the caller, a caller without one may
     * still connect (applications) and authenticate by token. Nodes always present theirs: mutual TLS between nodes.
     */
    OPTIONAL,
    /** Every caller, applications included, must present a certificate signed by a trusted CA. */
    REQUIRE;

    /** The setting's text: {@code none}, {@code optional}, {@code require}. */
    public String settingValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Reads a setting's text.
     *
     * @throws IllegalArgumentException naming the allowed values
     */
    public static ClientAuth parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        for (ClientAuth a : values()) {
            if (a.settingValue().equals(t)) {
                return a;
            }
        }
        throw new IllegalArgumentException("expected one of none, optional, require, got '" + text + "'");
    }
}
