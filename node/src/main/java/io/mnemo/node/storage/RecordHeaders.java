package io.mnemo.node.storage;

/**
 * Reads the fixed header of an encoded record (see {@link RecordCodec}) without checking its CRC: for
 * tallies at open, tombstone expiry and recovery, where the full record is not needed. A damaged header
 * only misplaces a record in a tally; reading the record itself still fails its CRC.
 */
final class RecordHeaders {
    private RecordHeaders() {
    }

    static byte kind(byte[] head) {
        return head.length > 1 ? head[1] : 0;
    }

    /** The hlc of a record header, or 0 if it is too short. */
    static long hlc(byte[] head) {
        if (head.length < RecordCodec.HEADER_BYTES) {
            return 0;
        }
        long v = 0;
        for (int i = 2; i < 10; i++) {
            v = (v << 8) | (head[i] & 0xff);
        }
        return v;
    }

    static int nodeId(byte[] head) {
        if (head.length < RecordCodec.HEADER_BYTES) {
            return 0;
        }
        int v = 0;
        for (int i = 10; i < 14; i++) {
            v = (v << 8) | (head[i] & 0xff);
        }
        return v;
    }

    /** The body length a large-value pointer names, from its first 22 bytes; 0 if not a pointer. */
    static int pointerBodyLength(byte[] head) {
        if (kind(head) != RecordCodec.KIND_LARGE || head.length < RecordCodec.HEADER_BYTES + 4) {
            return 0;
        }
        int v = 0;
        for (int i = RecordCodec.HEADER_BYTES; i < RecordCodec.HEADER_BYTES + 4; i++) {
            v = (v << 8) | (head[i] & 0xff);
        }
        return Math.max(0, v);
    }

    /** Compares the versions in two record headers (hlc, then node id). */
    static int compareVersions(byte[] a, byte[] b) {
        int c = Long.compareUnsigned(hlc(a), hlc(b));
        return c != 0 ? c : Integer.compare(nodeId(a), nodeId(b));
    }
}
