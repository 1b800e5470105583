package io.mnemo.node.config;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The configuration was refused. Carries every problem found, each naming the key, the value and where the value
 * came from, so one run shows everything to fix.
 */
public final class ConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /**
     * One refused value.
     *
     * @param key    the setting's key, e.g. {@code mnemo.grpc.port} (or the unknown key as written)
     * @param value  the value as written or formatted, null when the setting is missing
     * @param source where the value came from
     * @param reason what is wrong and, where it helps, what to do
     */
    public record Problem(String key, String value, Source source, String reason) {
        public Problem {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(reason, "reason");
        }

        /** {@code key = 'value' (source): reason}. */
        public String describe() {
            String shown = value == null ? "" : " = '" + value + "'";
            return key + shown + " (" + source + "): " + reason;
        }
    }

    private final List<Problem> problems;

    /** Refuses the configuration because of {@code problems} (at least one). */
    public ConfigException(List<Problem> problems) {
        super(message(problems));
        this.problems = List.copyOf(problems);
    }

    /** Refuses one value. */
    public static ConfigException of(String key, String value, Source source, String reason) {
        return new ConfigException(List.of(new Problem(key, value, source, reason)));
    }

    private static String message(List<Problem> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one problem");
        }
        if (problems.size() == 1) {
            return "invalid configuration: " + problems.get(0).describe();
        }
        return problems.stream().map(p -> "  - " + p.describe())
                .collect(Collectors.joining("\n", "invalid configuration, " + problems.size() + " problems:\n", ""));
    }

    /** Every problem, in the order found. */
    public List<Problem> problems() {
        return problems;
    }
}
