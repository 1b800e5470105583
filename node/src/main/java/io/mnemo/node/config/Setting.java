package io.mnemo.node.config;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * One setting: its key, the environment variable and system property that override it, its type, default,
 * allowed values and meaning. Every setting is a constant of {@link Settings}; nothing else creates them.
 *
 * <p>The key is the system property name too ({@code -Dmnemo.grpc.port=7400}); the environment variable is the key
 * upper-cased with dots and dashes turned to underscores ({@code MNEMO_GRPC_PORT}).
 *
 * @param <T> the value's type
 */
public final class Setting<T> {
    private static final Pattern KEY = Pattern.compile("mnemo(\\.[a-z][a-z0-9]*(-[a-z0-9]+)*)+");

    private final String key;
    private final String typeName;
    private final Function<String, T> parser;
    private final Function<T, String> formatter;
    private final Function<T, String> check;
    private final T defaultValue;
    private final String allowed;
    private final String description;

    /**
     * @param parser    text to value; throws IllegalArgumentException saying what is wrong
     * @param formatter value to text that {@code parser} reads back
     * @param check     returns null for an allowed value, else why it is not allowed
     * @param defaultValue null when the setting is required
     * @param allowed   the allowed values, for people ("1..65535")
     */
    Setting(String key, String typeName, Function<String, T> parser, Function<T, String> formatter,
            Function<T, String> check, T defaultValue, String allowed, String description) {
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("setting key '" + key + "' does not match " + KEY.pattern());
        }
        this.key = key;
        this.typeName = Objects.requireNonNull(typeName, "typeName");
        this.parser = Objects.requireNonNull(parser, "parser");
        this.formatter = Objects.requireNonNull(formatter, "formatter");
        this.check = Objects.requireNonNull(check, "check");
        this.defaultValue = defaultValue;
        this.allowed = Objects.requireNonNull(allowed, "allowed");
        this.description = Objects.requireNonNull(description, "description");
        if (defaultValue != null) {
            String problem = check.apply(defaultValue);
            if (problem != null) {
                throw new IllegalArgumentException("default of " + key + " is not allowed: " + problem);
            }
        }
    }

    /** The key, in the file and as a system property: {@code mnemo.grpc.port}. */
    public String key() {
        return key;
    }

    /** The environment variable: {@code MNEMO_GRPC_PORT}. */
    public String envVar() {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The type, for people: {@code integer}, {@code data size}, ... */
    public String typeName() {
        return typeName;
    }

    /** The default; empty when the setting is required. */
    public Optional<T> defaultValue() {
        return Optional.ofNullable(defaultValue);
    }

    /** True when the setting has no default and must be given. */
    public boolean isRequired() {
        return defaultValue == null;
    }

    /** The allowed values, for people. */
    public String allowed() {
        return allowed;
    }

    /** What the setting means. */
    public String description() {
        return description;
    }

    /**
     * Reads a value from text and checks it is allowed.
     *
     * @throws IllegalArgumentException saying what is wrong (the caller adds key, value and source)
     */
    public T parse(String text) {
        T value = parser.apply(Objects.requireNonNull(text, "text"));
        validate(value);
        return value;
    }

    /**
     * Checks a value is allowed.
     *
     * @throws IllegalArgumentException saying why not
     */
    public void validate(T value) {
        if (value == null) {
            throw new IllegalArgumentException("must not be null");
        }
        String problem = check.apply(value);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** The value as text that {@link #parse} reads back. */
    public String format(T value) {
        return formatter.apply(value);
    }

    @Override
    public String toString() {
        return key;
    }
}
