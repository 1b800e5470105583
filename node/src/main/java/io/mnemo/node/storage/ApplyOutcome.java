package io.mnemo.node.storage;

/**
 * The outcome of one record of {@link TieredStore#applyAll}: exactly one of the {@link WriteResult} that
 * {@link TieredStore#apply} would have returned for it, or the exception it would have thrown. Immutable.
 *
 * @param result the write's result, or null if it failed
 * @param error  why the record was refused, or null if it was taken
 */
public record ApplyOutcome(WriteResult result, RuntimeException error) {
    public ApplyOutcome {
        if ((result == null) == (error == null)) {
            throw new IllegalArgumentException("exactly one of result and error must be set, got " + result + ", " + error);
        }
    }

    /** A record taken (applied, or not needed because the store held a version at least as new). */
    public static ApplyOutcome of(WriteResult result) {
        return new ApplyOutcome(result, null);
    }

    /** A record refused with {@code error}. */
    public static ApplyOutcome failed(RuntimeException error) {
        return new ApplyOutcome(null, error);
    }

    /** True if the record was taken. */
    public boolean ok() {
        return result != null;
    }
}
