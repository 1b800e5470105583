package io.mnemo.node.config;

import java.util.regex.Pattern;

/**
 * A host and a port, written {@code host:port}, or {@code [v6-address]:port} for IPv6.
 *
 * @param host a host name, an IPv4 address or an IPv6 address (without brackets)
 * @param port 1..65535
 */
public record HostPort(String host, int port) {
    private static final Pattern HOST_NAME =
            Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[A-Za-z0-9]+)?");

    public HostPort {
        String problem = hostProblem(host);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port " + port + " is outside 1..65535");
        }
    }

    /**
     * Why {@code host} is not a host name or address, or null if it is one. Only the spelling is checked: nothing is
     * resolved, so configuration never waits on DNS.
     */
    static String hostProblem(String host) {
        if (host == null || host.isEmpty()) {
            return "expected a host name or address, got an empty value";
        }
        if (!HOST_NAME.matcher(host).matches() && !IPV6.matcher(host).matches()) {
            return "'" + host + "' is not a host name or address (letters, digits, '-' and '.', or an IPv6 address;"
                    + " no port, no scheme)";
        }
        return null;
    }

    /**
     * Parses {@code host:port} or {@code [v6]:port}.
     *
     * @throws IllegalArgumentException naming the text and what is wrong
     */
    public static HostPort parse(String text) {
        String s = text.strip();
        String host;
        String port;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("expected [v6-address]:port, got '" + text + "'");
            }
            host = s.substring(1, close);
            port = s.substring(close + 2);
        } else {
            int colon = s.lastIndexOf(':');
            if (colon < 0 || s.indexOf(':') != colon) {
                throw new IllegalArgumentException("expected host:port (IPv6 as [address]:port), got '" + text + "'");
            }
            host = s.substring(0, colon);
            port = s.substring(colon + 1);
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port '" + port + "' in '" + text + "' is not a number");
        }
        return new HostPort(host, p);
    }

    /** {@code host:port}, or {@code [host]:port} for IPv6; parses back to this value. */
    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
