package io.mnemo.node.cluster.ownership;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The field rules shared by commands, states and the codec. They match the shard map's {@code Member}
 * and {@code Topology} rules, so that every baseline this package accepts can be turned into a topology;
 * they are kept here rather than borrowed from {@code shard-map} because the Raft log is persisted: a log
 * written today must replay tomorrow even if the library's rules change.
 */
final class Validation {
    /** Longest node id, host and zone, in UTF-8 bytes. */
    static final int MAX_NAME_BYTES = 255;
    /** Largest member weight. */
    static final int MAX_WEIGHT = 1_000_000;
    /** Largest partition count P. */
    static final int MAX_PARTITIONS = 1 << 16;
    /** Largest replication factor RF. */
    static final int MAX_REPLICATION_FACTOR = 16;
    /** Largest {@code P * members}: the shard map's limit on the placement table it builds. */
    static final long MAX_PARTITION_MEMBER_PAIRS = 1L << 22;
    /** Largest embedding dimension of a space. */
    static final int MAX_DIMENSION = 1 << 16;
    /** Most spaces a baseline holds. */
    static final int MAX_SPACES = 100_000;

    private static final Pattern SPACE_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

    private Validation() {
    }

    /** A node id, host or zone: 1..255 UTF-8 bytes, no whitespace, control characters or unpaired surrogates. */
    static String name(String field, String value) {
        if (value == null) {
            throw new IllegalArgumentException(field + " must not be null");
        }
        int i = 0;
        while (i < value.length()) {
            int cp = value.codePointAt(i);
            if (Character.isWhitespace(cp) || Character.isISOControl(cp)) {
                throw new IllegalArgumentException(field + " must not contain whitespace or control characters, got '"
                        + printable(value) + "' (char " + i + ")");
            }
            if (Character.getType(cp) == Character.SURROGATE) {
                throw new IllegalArgumentException(field + " must not contain unpaired surrogates, got '" + printable(value)
                        + "' (char " + i + ")");
            }
            i += Character.charCount(cp);
        }
        int bytes = value.getBytes(StandardCharsets.UTF_8).length;
        if (bytes < 1 || bytes > MAX_NAME_BYTES) {
            throw new IllegalArgumentException(field + " must be 1.." + MAX_NAME_BYTES + " UTF-8 bytes, got " + bytes + " bytes");
        }
        return value;
    }

    /**
     * A gRPC endpoint {@code host:port}; an IPv6 host in brackets ({@code [::1]:7000}), port in [1, 65535].
     */
    static String endpoint(String field, String value) {
        if (value == null) {
            throw new IllegalArgumentException(field + " must not be null");
        }
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new IllegalArgumentException(field + " must be host:port, got '" + printable(value) + "'");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]") && host.length() > 2) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0 || host.indexOf('[') >= 0 || host.indexOf(']') >= 0) {
            throw new IllegalArgumentException(field + " with an IPv6 host needs brackets ([::1]:7000), got '" + printable(value) + "'");
        }
        name(field + " host", host);
        String portText = value.substring(colon + 1);
        int port = -1;
        if (portText.length() <= 5 && portText.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            port = Integer.parseInt(portText);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(field + " port must be a number in [1, 65535], got '" + printable(value) + "'");
        }
        return value;
    }

    static int weight(String field, int value) {
        return range(field, value, 1, MAX_WEIGHT);
    }

    static int partitions(int value) {
        return range("partitions", value, 1, MAX_PARTITIONS);
    }

    static int replicationFactor(int value) {
        return range("replicationFactor", value, 1, MAX_REPLICATION_FACTOR);
    }

    static String spaceName(String value) {
        if (value == null) {
            throw new IllegalArgumentException("space name must not be null");
        }
        if (!SPACE_NAME.matcher(value).matches()) {
            throw new IllegalArgumentException("space name must match [a-z0-9][a-z0-9_-]{0,63}, got '" + printable(value) + "'");
        }
        return value;
    }

    static int dimension(int value) {
        return range("space dimension", value, 1, MAX_DIMENSION);
    }

    static long quotaBytes(long value) {
        if (value < 1) {
            throw new IllegalArgumentException("space quotaBytes must be >= 1, got " + value);
        }
        return value;
    }

    static int range(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + " must be in [" + min + ", " + max + "], got " + value);
        }
        return value;
    }

    /** The value with control characters escaped, short enough for an error message. */
    static String printable(String value) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < value.length() && sb.length() < 300; i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c) || Character.isSurrogate(c)) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (sb.length() >= 300) {
            sb.append("...");
        }
        return sb.toString();
    }
}
