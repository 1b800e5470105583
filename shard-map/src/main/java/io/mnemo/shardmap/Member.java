package io.mnemo.shardmap;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * A node that can own partition replicas: a stable id, the endpoint clients and peers reach it at,
 * a placement weight and an optional failure zone (rack, availability zone).
 *
 * <p>The id is what placement hashes, so renaming a node moves its data; the endpoint can change
 * freely. Weights are relative: a member of weight 2 is meant to hold about twice the replicas of a
 * member of weight 1. Instances are immutable and compare by value.
 */
public final class Member implements Comparable<Member> {
    /** Longest id, host and zone, in UTF-8 bytes. */
    public static final int MAX_NAME_BYTES = 255;
    /** Largest weight. */
    public static final int MAX_WEIGHT = 1_000_000;

    private final String id;
    private final String host;
    private final int port;
    private final int weight;
    private final String zone;

    private Member(String id, String host, int port, int weight, String zone) {
        this.id = id;
        this.host = host;
        this.port = port;
        this.weight = weight;
        this.zone = zone;
    }

    /**
     * Creates a member.
     *
     * @param id       stable node id: 1..255 UTF-8 bytes, no whitespace or control characters
     * @param endpoint {@code host:port} (an IPv6 host in brackets: {@code [::1]:7000}), port in [1, 65535]
     * @param weight   relative placement weight in [1, 1000000]
     * @param zone     failure zone, or null for none; when present 1..255 UTF-8 bytes, no whitespace
     * @throws IllegalArgumentException naming the field and the value when one is invalid
     */
    public static Member of(String id, String endpoint, int weight, String zone) {
        Objects.requireNonNull(endpoint, "endpoint");
        int colon = endpoint.lastIndexOf(':');
        if (colon <= 0 || colon == endpoint.length() - 1) {
            throw new IllegalArgumentException("member endpoint must be host:port, got '" + endpoint + "'");
        }
        String host = endpoint.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new IllegalArgumentException("member endpoint with an IPv6 host needs brackets ([::1]:7000), got '" + endpoint + "'");
        }
        int port;
        try {
            port = Integer.parseInt(endpoint.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("member endpoint port must be a number, got '" + endpoint + "'", e);
        }
        return of(id, host, port, weight, zone);
    }

    /** Creates a member from its parts; see {@link #of(String, String, int, String)} for the rules. */
    public static Member of(String id, String host, int port, int weight, String zone) {
        checkName("member id", id);
        checkName("member host", host);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("member port must be in [1, 65535], got " + port + " for member '" + id + "'");
        }
        if (weight < 1 || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException(
                    "member weight must be in [1, " + MAX_WEIGHT + "], got " + weight + " for member '" + id + "'");
        }
        if (zone != null) {
            checkName("member zone", zone);
        }
        return new Member(id, host, port, weight, zone);
    }

    private static void checkName(String field, String value) {
        if (value == null) {
            throw new IllegalArgumentException(field + " must not be null");
        }
        int bytes = value.getBytes(StandardCharsets.UTF_8).length;
        if (bytes < 1 || bytes > MAX_NAME_BYTES) {
            throw new IllegalArgumentException(
                    field + " must be 1.." + MAX_NAME_BYTES + " UTF-8 bytes, got " + bytes + " bytes: '" + value + "'");
        }
        int i = 0;
        while (i < value.length()) {
            int cp = value.codePointAt(i);
            if (Character.isWhitespace(cp) || Character.isISOControl(cp) || Character.isSurrogate((char) cp) && cp <= 0xFFFF) {
                throw new IllegalArgumentException(field + " must not contain whitespace, control characters or unpaired"
                        + " surrogates, got '" + value + "' (char " + i + ")");
            }
            i += Character.charCount(cp);
        }
    }

    /** The stable node id placement hashes. */
    public String id() {
        return id;
    }

    /** The host name or address (IPv6 without brackets). */
    public String host() {
        return host;
    }

    /** The port. */
    public int port() {
        return port;
    }

    /** The endpoint as {@code host:port}, with brackets around an IPv6 host. */
    public String endpoint() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** The relative placement weight, at least 1. */
    public int weight() {
        return weight;
    }

    /** The failure zone, if any. */
    public Optional<String> zone() {
        return Optional.ofNullable(zone);
    }

    String zoneOrNull() {
        return zone;
    }

    /** Orders members by id (ordinal comparison of the UTF-16 strings), the order a topology lists them in. */
    @Override
    public int compareTo(Member other) {
        return id.compareTo(other.id);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Member)) {
            return false;
        }
        Member m = (Member) o;
        return port == m.port && weight == m.weight && id.equals(m.id) && host.equals(m.host) && Objects.equals(zone, m.zone);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, host, port, weight, zone);
    }

    @Override
    public String toString() {
        return "Member[" + id + "@" + endpoint() + ", weight=" + weight + (zone == null ? "" : ", zone=" + zone) + "]";
    }
}
