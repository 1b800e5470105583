package io.mnemo.client.internal;

import java.util.Objects;

/**
 * A parsed {@code host:port} endpoint ({@code [v6addr]:port} for IPv6), as seeds and topology members give them.
 * Immutable.
 */
public final class HostPort {
    private final String host;
    private final int port;

    private HostPort(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /**
     * Parses an endpoint.
     *
     * @throws IllegalArgumentException naming the value when it is not {@code host:port} with a port in [1, 65535]
     */
    public static HostPort parse(String endpoint) {
        Objects.requireNonNull(endpoint, "endpoint");
        String e = endpoint.trim();
        int colon = e.lastIndexOf(':');
        if (colon <= 0 || colon == e.length() - 1) {
            throw new IllegalArgumentException("endpoint must be host:port (or [v6addr]:port), got '" + endpoint + "'");
        }
        String host = e.substring(0, colon);
        if (host.startsWith("[") != host.endsWith("]")) {
            throw new IllegalArgumentException("endpoint has an unbalanced IPv6 bracket: '" + endpoint + "'");
        }
        if (host.startsWith("[")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new IllegalArgumentException("an IPv6 endpoint needs brackets, [v6addr]:port, got '" + endpoint + "'");
        }
        if (host.isEmpty() || host.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("endpoint host must be a non-empty name or address, got '" + endpoint + "'");
        }
        int port;
        try {
            port = Integer.parseInt(e.substring(colon + 1));
        } catch (NumberFormatException notANumber) {
            throw new IllegalArgumentException("endpoint port must be a number in [1, 65535], got '" + endpoint + "'",
                    notANumber);
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("endpoint port must be in [1, 65535], got '" + endpoint + "'");
        }
        return new HostPort(host, port);
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostPort && ((HostPort) o).host.equals(host) && ((HostPort) o).port == port;
    }

    @Override
    public int hashCode() {
        return host.hashCode() * 31 + port;
    }

    /** The endpoint in the form the topology uses. */
    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
