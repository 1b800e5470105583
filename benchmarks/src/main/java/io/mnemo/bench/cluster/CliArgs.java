package io.mnemo.bench.cluster;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** {@code --name value} and {@code --flag} arguments; unknown names are refused with the known ones. */
final class CliArgs {
    private final Map<String, String> values = new HashMap<>();

    CliArgs(String[] argv, Set<String> withValue, Set<String> flags) {
        int i = 0;
        while (i < argv.length) {
            String a = argv[i];
            if (flags.contains(a)) {
                values.put(a, "true");
                i++;
            } else if (withValue.contains(a) && i + 1 < argv.length) {
                values.put(a, argv[i + 1]);
                i += 2;
            } else {
                throw new IllegalArgumentException("unknown or incomplete argument '" + a + "'; known: " + withValue
                        + " (each with a value), " + flags);
            }
        }
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String get(String name, String otherwise) {
        return values.getOrDefault(name, otherwise);
    }

    int getInt(String name, int otherwise) {
        return has(name) ? Integer.parseInt(values.get(name)) : otherwise;
    }
}
