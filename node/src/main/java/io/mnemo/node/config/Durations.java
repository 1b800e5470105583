package io.mnemo.node.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations in settings: a whole number with a unit ({@code 500ms}, {@code 2s}, {@code 5m}, {@code 1h}, {@code 7d})
 * or ISO-8601 ({@code PT2S}, {@code P7D}). Formatting uses the largest unit that keeps the value exact.
 */
final class Durations {
    private static final Pattern SHORT = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private Durations() {
    }

    /** Parses a duration; refuses negative ones and unknown units, naming the text. */
    static Duration parse(String text) {
        String s = text.strip();
        Matcher m = SHORT.matcher(s.toLowerCase(Locale.ROOT));
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                switch (m.group(2)) {
                    case "ms":
                        return Duration.ofMillis(n);
                    case "s":
                        return Duration.ofSeconds(n);
                    case "m":
                        return Duration.ofMinutes(n);
                    case "h":
                        return Duration.ofHours(n);
                    default:
                        return Duration.ofDays(n);
                }
            }
            if (s.toUpperCase(Locale.ROOT).startsWith("P")) {
                Duration d = Duration.parse(s);
                if (d.isNegative()) {
                    throw new IllegalArgumentException("a duration is not negative, got '" + text + "'");
                }
                return d;
            }
        } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration that fits: " + e.getMessage());
        }
        throw new IllegalArgumentException("expected a duration such as 500ms, 2s, 5m, 1h, 7d or PT2S, got '" + text + "'");
    }

    /** {@code 7d}, {@code 90s}, {@code 1500ms}; ISO-8601 when not a whole number of milliseconds. */
    static String format(Duration d) {
        if (d.getNano() % 1_000_000 != 0) {
            return d.toString();
        }
        long ms = d.toMillis();
        if (ms == 0) {
            return "0s";
        }
        long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1_000L, 1L};
        String[] units = {"d", "h", "m", "s", "ms"};
        for (int i = 0; i < sizes.length; i++) {
            if (ms % sizes[i] == 0) {
                return ms / sizes[i] + units[i];
            }
        }
        throw new AssertionError("every whole number of milliseconds divides by 1");
    }
}
