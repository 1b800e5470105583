package io.mnemo.node.numa;

/** Base of the errors this package raises, so a caller can catch "NUMA set-up failed" in one place. */
public class NumaException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** An error with a message that says what is wrong and what to do. */
    public NumaException(String message) {
        super(message);
    }

    /** An error caused by {@code cause}. */
    public NumaException(String message, Throwable cause) {
        super(message, cause);
    }
}
