package io.mnemo.node.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a setting's value came from, so every error can say where to fix it.
 *
 * @param kind  the layer, in rising precedence: default, file, environment, system property; {@code CODE} for a
 *              value set by a program through {@link NodeConfig.Builder}
 * @param where {@code file:line}, the environment variable, {@code -Dkey}, or empty for a default or code
 */
public record Source(Kind kind, String where) {
    /** The layers a value can come from. */
    public enum Kind {
        DEFAULT, FILE, ENVIRONMENT, SYSTEM_PROPERTY, CODE
    }

    private static final Source DEFAULT = new Source(Kind.DEFAULT, "");
    private static final Source CODE = new Source(Kind.CODE, "");

    public Source {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(where, "where");
    }

    /** The setting's default. */
    public static Source byDefault() {
        return DEFAULT;
    }

    /** Set by a program through the builder. */
    public static Source code() {
        return CODE;
    }

    /** Line {@code line} (1-based) of {@code file}. */
    public static Source file(Path file, int line) {
        return new Source(Kind.FILE, file + ":" + line);
    }

    /** The file {@code file} as a whole (it could not be read). */
    public static Source file(Path file) {
        return new Source(Kind.FILE, file.toString());
    }

    /** The environment variable {@code name}. */
    public static Source environment(String name) {
        return new Source(Kind.ENVIRONMENT, name);
    }

    /** The system property {@code name}. */
    public static Source systemProperty(String name) {
        return new Source(Kind.SYSTEM_PROPERTY, name);
    }

    /** For messages: {@code default}, {@code mnemo.conf:12}, {@code environment variable MNEMO_X}, ... */
    @Override
    public String toString() {
        switch (kind) {
            case DEFAULT:
                return "default";
            case FILE:
                return where;
            case ENVIRONMENT:
                return "environment variable " + where;
            case SYSTEM_PROPERTY:
                return "system property -D" + where;
            case CODE:
                return "set in code";
            default:
                throw new IllegalStateException("unknown source kind " + kind);
        }
    }
}
