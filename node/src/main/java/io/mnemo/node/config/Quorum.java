package io.mnemo.node.config;

import java.util.Locale;

/**
 * How many replicas a write or read waits for: a majority of the replication factor, or a fixed number. The number
 * is resolved against RF by {@link #resolve}, because the majority is a property of RF, not a number of its own.
 */
public final class Quorum {
    /** floor(RF / 2) + 1. */
    public static final Quorum MAJORITY = new Quorum(0);

    private final int replicas; // 0 = majority

    private Quorum(int replicas) {
        this.replicas = replicas;
    }

    /** Exactly {@code replicas} replicas (at least 1). */
    public static Quorum of(int replicas) {
        if (replicas < 1) {
            throw new IllegalArgumentException("a quorum is at least 1 replica, got " + replicas);
        }
        return new Quorum(replicas);
    }

    /** Parses {@code majority} or a positive number. */
    public static Quorum parse(String text) {
        String s = text.strip();
        if (s.toLowerCase(Locale.ROOT).equals("majority")) {
            return MAJORITY;
        }
        try {
            return of(Integer.parseInt(s));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected 'majority' or a number of replicas, got '" + text + "'");
        }
    }

    /** True for {@link #MAJORITY}. */
    public boolean isMajority() {
        return replicas == 0;
    }

    /** The number of replicas for replication factor {@code rf}. */
    public int resolve(int rf) {
        return isMajority() ? rf / 2 + 1 : replicas;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Quorum && ((Quorum) o).replicas == replicas;
    }

    @Override
    public int hashCode() {
        return replicas;
    }

    /** {@code majority} or the number; parses back to this value. */
    @Override
    public String toString() {
        return isMajority() ? "majority" : Integer.toString(replicas);
    }
}
