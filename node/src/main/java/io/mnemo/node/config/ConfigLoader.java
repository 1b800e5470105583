package io.mnemo.node.config;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Reads a {@link NodeConfig} from one file, the environment and system properties. For each setting the first of
 * these that has it wins: system property ({@code -Dmnemo.grpc.port}) &gt; environment variable
 * ({@code MNEMO_GRPC_PORT}) &gt; file &gt; default.
 *
 * <p>The file has one {@code key = value} a line; blank lines and lines starting with {@code #} are ignored; the
 * value is the rest of the line after the first {@code =}, without surrounding blanks (there are no quotes or
 * escapes). A key that is not a setting, or a key given twice, is refused, naming the line and the closest keys.
 * Environment variables and system properties are looked up only for known settings: environments carry many
 * unrelated variables, so an unknown one is not an error there.
 *
 * <p>Every problem found is reported at once, in one {@link ConfigException}, each naming the key, the value and
 * where it came from ({@code file:line}, the variable, {@code -Dkey}).
 */
public final class ConfigLoader {
    private Path file;
    private Map<String, String> environment = Map.of();
    private Map<String, String> systemProperties = Map.of();

    private ConfigLoader() {
    }

    /** A loader with no file, an empty environment and no system properties (tests inject what they need). */
    public static ConfigLoader create() {
        return new ConfigLoader();
    }

    /** A loader reading {@code file} (if not null), this process's environment and its system properties. */
    public static ConfigLoader forProcess(Path file) {
        Map<String, String> props = new HashMap<>();
        System.getProperties().forEach((k, v) -> props.put(String.valueOf(k), String.valueOf(v)));
        ConfigLoader loader = create().environment(System.getenv()).systemProperties(props);
        return file == null ? loader : loader.file(file);
    }

    /** Reads settings from {@code file}. */
    public ConfigLoader file(Path file) {
        this.file = Objects.requireNonNull(file, "file");
        return this;
    }

    /** Uses {@code env} as the environment (variable name to value). */
    public ConfigLoader environment(Map<String, String> env) {
        this.environment = Map.copyOf(env);
        return this;
    }

    /** Uses {@code props} as the system properties. */
    public ConfigLoader systemProperties(Map<String, String> props) {
        this.systemProperties = Map.copyOf(props);
        return this;
    }

    /**
     * The configuration.
     *
     * @throws ConfigException listing every problem: unreadable file, bad lines, unknown or repeated keys, values
     *                         that do not parse or are not allowed, missing required settings, contradictions
     */
    public NodeConfig load() {
        List<ConfigException.Problem> problems = new ArrayList<>();
        Map<String, Entry> fromFile = file == null ? Map.of() : readFile(file, problems);
        NodeConfig.Builder builder = NodeConfig.builder();
        for (Setting<?> s : Settings.all()) {
            Entry chosen = systemProperties.containsKey(s.key())
                    ? new Entry(systemProperties.get(s.key()), Source.systemProperty(s.key()))
                    : environment.containsKey(s.envVar())
                    ? new Entry(environment.get(s.envVar()), Source.environment(s.envVar()))
                    : fromFile.get(s.key());
            if (chosen != null) {
                apply(builder, s, chosen, problems);
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return builder.build();
    }

    private static <T> void apply(NodeConfig.Builder builder, Setting<T> s, Entry e, List<ConfigException.Problem> problems) {
        T value;
        try {
            value = s.parse(e.value);
        } catch (IllegalArgumentException bad) {
            problems.add(new ConfigException.Problem(s.key(), e.value, e.source, bad.getMessage()));
            return;
        }
        try {
            builder.set(s, value, e.source);
        } catch (ConfigException refused) {
            problems.addAll(refused.problems());
        }
    }

    private record Entry(String value, Source source) {
    }

    private static Map<String, Entry> readFile(Path file, List<ConfigException.Problem> problems) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (MalformedInputException e) {
            problems.add(new ConfigException.Problem("(file)", file.toString(), Source.file(file),
                    "is not UTF-8 text"));
            return Map.of();
        } catch (IOException e) {
            problems.add(new ConfigException.Problem("(file)", file.toString(), Source.file(file),
                    "cannot be read: " + e));
            return Map.of();
        }
        Map<String, Entry> entries = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            Source where = Source.file(file, i + 1);
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                problems.add(new ConfigException.Problem("(line)", line, where,
                        eq == 0 ? "no key before '='" : "expected 'key = value'"));
                continue;
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (Settings.byKey(key).isEmpty()) {
                problems.add(new ConfigException.Problem(key, value, where, unknownKey(key)));
                continue;
            }
            Entry earlier = entries.putIfAbsent(key, new Entry(value, where));
            if (earlier != null) {
                problems.add(new ConfigException.Problem(key, value, where,
                        "already set at " + earlier.source + " to '" + earlier.value + "'; give each key once"));
            }
        }
        return entries;
    }

    /** "unknown setting", with the keys it most likely meant. */
    static String unknownKey(String key) {
        List<String> close = closeMatches(key);
        return close.isEmpty()
                ? "unknown setting; no setting is close to it (the settings are listed in README.md, Configuration)"
                : "unknown setting; did you mean " + String.join(" or ", close) + "?";
    }

    /**
     * Up to three known keys close to {@code key}: same key as an environment variable, same last part, or within a
     * small edit distance (a quarter of the key's length, at least 2), closest first.
     */
    static List<String> closeMatches(String key) {
        String lower = key.strip().toLowerCase(Locale.ROOT);
        int limit = Math.max(2, lower.length() / 4);
        String lastPart = lower.substring(lower.lastIndexOf('.') + 1);
        List<Setting<?>> matches = new ArrayList<>();
        Map<Setting<?>, Integer> distance = new HashMap<>();
        for (Setting<?> s : Settings.all()) {
            int d = editDistance(lower, s.key());
            boolean sameVar = s.envVar().equals(key.strip().toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
            boolean sameLast = !lastPart.isEmpty() && s.key().endsWith("." + lastPart);
            if (d <= limit || sameVar || sameLast) {
                matches.add(s);
                distance.put(s, sameVar ? -1 : d);
            }
        }
        return matches.stream().sorted(Comparator.comparingInt(distance::get)).limit(3).map(Setting::key)
                .collect(Collectors.toList());
    }

    /** Levenshtein distance. */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }
}
