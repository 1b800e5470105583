package io.mnemo.node.cluster.ownership;

/** Where a baseline member is in its life. The wire codes are part of the persisted format: never renumber. */
public enum MemberState {
    /** Owns partition replicas. */
    ACTIVE(1),
    /** Leaving: owns nothing in new placements and hands its data over; removed once drained. */
    DRAINING(2);

    private final int code;

    MemberState(int code) {
        this.code = code;
    }

    int code() {
        return code;
    }

    static MemberState fromCode(int code) {
        for (MemberState s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        throw new IllegalArgumentException("member state code must be 1 (ACTIVE) or 2 (DRAINING), got " + code);
    }
}
