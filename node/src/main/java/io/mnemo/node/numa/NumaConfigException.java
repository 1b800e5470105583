package io.mnemo.node.numa;

/**
 * A NUMA setting was refused: a bad value, a setting given twice, settings that contradict each other,
 * or CPU lists this machine cannot honour. Names the setting and carries the value.
 */
public final class NumaConfigException extends NumaException {

    private static final long serialVersionUID = 1L;

    private final String setting;
    private final String value;
    private final String problem;

    /** {@code setting} = {@code value} is refused because of {@code problem}. */
    public NumaConfigException(String setting, Object value, String problem) {
        super(setting + "=" + value + " refused: " + problem);
        this.setting = setting;
        this.value = String.valueOf(value);
        this.problem = problem;
    }

    /** The setting's name, e.g. {@code mnemo.numa.cpus}. */
    public String setting() {
        return setting;
    }

    /** The refused value as text. */
    public String value() {
        return value;
    }

    /** What is wrong, without the setting and value (for callers that name those their own way). */
    public String problem() {
        return problem;
    }
}
