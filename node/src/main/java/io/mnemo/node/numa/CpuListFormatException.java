package io.mnemo.node.numa;

/** A CPU list (cpulist format, e.g. {@code 0-3,8-11}) that cannot be parsed; carries the input. */
public final class CpuListFormatException extends NumaException {

    private static final long serialVersionUID = 1L;

    private final String input;

    /** The list {@code input} is malformed because of {@code problem}. */
    public CpuListFormatException(String input, String problem) {
        super("malformed CPU list '" + input.strip() + "': " + problem + " (expected e.g. '0-3,8-11')");
        this.input = input;
    }

    /** The text that failed to parse, as given. */
    public String input() {
        return input;
    }
}
