package io.mnemo.shardmap;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The JSON form of a {@link Topology}, for clients and operators:
 *
 * <pre>
 * {"format":1,"algorithm":"hrw-log-bounded-v1","epoch":7,"partitions":256,"replicationFactor":3,
 *  "members":[{"id":"n1","endpoint":"10.0.0.1:7000","weight":1,"zone":"eu-1a"}, ...]}
 * </pre>
 *
 * {@code zone} is omitted for a member without one. Unknown fields are ignored so that newer writers
 * can add optional ones; a newer {@code format} or another {@code algorithm} is refused. As in the binary
 * form the table is not stored but recomputed.
 */
final class JsonCodec {
    static final int FORMAT = 1;

    private JsonCodec() {
    }

    static String encode(Topology t) {
        StringBuilder out = new StringBuilder(160 + 80 * t.members().size());
        out.append("{\"format\":").append(FORMAT).append(",\"algorithm\":");
        Json.quote(out, Placement.ALGORITHM);
        out.append(",\"epoch\":").append(t.epoch())
                .append(",\"partitions\":").append(t.partitions())
                .append(",\"replicationFactor\":").append(t.replicationFactor())
                .append(",\"members\":[");
        boolean first = true;
        for (Member m : t.members()) {
            out.append(first ? "" : ",").append("{\"id\":");
            first = false;
            Json.quote(out, m.id());
            out.append(",\"endpoint\":");
            Json.quote(out, m.endpoint());
            out.append(",\"weight\":").append(m.weight());
            if (m.zoneOrNull() != null) {
                out.append(",\"zone\":");
                Json.quote(out, m.zoneOrNull());
            }
            out.append('}');
        }
        return out.append("]}").toString();
    }

    static Topology decode(String json) {
        Map<String, Object> root = object(Json.parse(json), "the document");
        long format = integer(root, "format", "", 1, Integer.MAX_VALUE);
        if (format != FORMAT) {
            throw new IllegalArgumentException("topology JSON: unsupported format " + format + ", this library reads format "
                    + FORMAT + ": upgrade the reader");
        }
        String algorithm = string(root, "algorithm", "");
        if (!Placement.ALGORITHM.equals(algorithm)) {
            throw new IllegalArgumentException("topology JSON: placement algorithm '" + algorithm
                    + "' is not supported, this library computes '" + Placement.ALGORITHM + "'");
        }
        long epoch = integer(root, "epoch", "", Long.MIN_VALUE, Long.MAX_VALUE);
        int partitions = (int) integer(root, "partitions", "", Integer.MIN_VALUE, Integer.MAX_VALUE);
        int rf = (int) integer(root, "replicationFactor", "", Integer.MIN_VALUE, Integer.MAX_VALUE);
        Object list = root.get("members");
        if (!(list instanceof List)) {
            throw new IllegalArgumentException("topology JSON: field 'members' must be an array, got " + describe(list));
        }
        List<Member> members = new ArrayList<>();
        int i = 0;
        for (Object item : (List<?>) list) {
            String where = "members[" + i++ + "].";
            Map<String, Object> m = object(item, where.substring(0, where.length() - 1));
            String zone = m.containsKey("zone") && m.get("zone") != Json.NULL ? string(m, "zone", where) : null;
            int weight = (int) integer(m, "weight", where, Integer.MIN_VALUE, Integer.MAX_VALUE);
            members.add(Member.of(string(m, "id", where), string(m, "endpoint", where), weight, zone));
        }
        return Topology.of(epoch, partitions, rf, members);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object v, String what) {
        if (!(v instanceof Map)) {
            throw new IllegalArgumentException("topology JSON: " + what + " must be an object, got " + describe(v));
        }
        return (Map<String, Object>) v;
    }

    private static String string(Map<String, Object> obj, String field, String where) {
        Object v = obj.get(field);
        if (!(v instanceof String)) {
            throw new IllegalArgumentException("topology JSON: field '" + where + field + "' must be a string, got " + describe(v));
        }
        return (String) v;
    }

    private static long integer(Map<String, Object> obj, String field, String where, long min, long max) {
        Object v = obj.get(field);
        if (!(v instanceof BigDecimal)) {
            throw new IllegalArgumentException("topology JSON: field '" + where + field + "' must be an integer, got " + describe(v));
        }
        BigDecimal d = (BigDecimal) v;
        try {
            long x = d.longValueExact();
            if (x < min || x > max) {
                throw new ArithmeticException("out of range");
            }
            return x;
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("topology JSON: field '" + where + field + "' must be an integer in ["
                    + min + ", " + max + "], got " + d, e);
        }
    }

    private static String describe(Object v) {
        if (v == null) {
            return "nothing (field missing)";
        }
        if (v == Json.NULL) {
            return "null";
        }
        if (v instanceof Map) {
            return "an object";
        }
        if (v instanceof List) {
            return "an array";
        }
        if (v instanceof String) {
            return "the string \"" + v + "\"";
        }
        return v.toString();
    }
}
