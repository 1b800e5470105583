package io.mnemo.node.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Renders {@link Settings} as the README's configuration table (markdown), and writes it between the README's
 * markers {@value #BEGIN} and {@value #END}. A test checks the README's table is exactly this one.
 *
 * <p>From the repository root, after compiling the node:
 * <pre>
 *   ./mvnw -o -q -pl node compile &amp;&amp; java -cp node/target/classes io.mnemo.node.config.SettingsTable --write README.md
 * </pre>
 * Without arguments it prints the table.
 */
public final class SettingsTable {
    public static final String BEGIN = "<!-- settings:begin -->";
    public static final String END = "<!-- settings:end -->";
    /** How to regenerate the README table; error messages quote it. */
    public static final String REGENERATE_COMMAND = "./mvnw -o -q -pl node compile && "
            + "java -cp node/target/classes io.mnemo.node.config.SettingsTable --write README.md";

    private SettingsTable() {
    }

    /** The table: a header row, a separator row and one row per setting, each line ending in a newline. */
    public static String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("| Key | Environment variable | Type | Default | Allowed | Description |\n");
        sb.append("|---|---|---|---|---|---|\n");
        for (Setting<?> s : Settings.all()) {
            sb.append("| `").append(s.key()).append("` | `").append(s.envVar()).append("` | ")
                    .append(cell(s.typeName())).append(" | ").append(cell(defaultText(s))).append(" | ")
                    .append(cell(s.allowed())).append(" | ").append(cell(s.description())).append(" |\n");
        }
        return sb.toString();
    }

    private static <T> String defaultText(Setting<T> s) {
        if (s.isRequired()) {
            return "(required)";
        }
        String text = s.format(s.defaultValue().orElseThrow());
        return text.isEmpty() ? "(empty)" : "`" + text + "`";
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }

    /** The text between the markers of {@code readme}, if it has both in order. */
    public static Optional<String> tableIn(String readme) {
        int begin = readme.indexOf(BEGIN);
        int end = readme.indexOf(END);
        if (begin < 0 || end < begin) {
            return Optional.empty();
        }
        return Optional.of(readme.substring(begin + BEGIN.length(), end));
    }

    /** What belongs between the markers: a newline, then the table. */
    public static String expectedBetweenMarkers() {
        return "\n" + markdown();
    }

    /**
     * {@code readme} with the current table between its markers.
     *
     * @throws IllegalArgumentException if the markers are missing or out of order
     */
    public static String withTable(String readme) {
        int begin = readme.indexOf(BEGIN);
        int end = readme.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("the README has no " + BEGIN + " ... " + END
                    + " section: add the two marker lines where the configuration table goes");
        }
        return readme.substring(0, begin + BEGIN.length()) + expectedBetweenMarkers() + readme.substring(end);
    }

    /**
     * Prints the table, or with {@code --write FILE} replaces the table between the markers of FILE.
     */
    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.out.print(markdown());
        } else if (args.length == 2 && args[0].equals("--write")) {
            Path readme = Path.of(args[1]);
            String text = Files.readString(readme, StandardCharsets.UTF_8);
            String updated = withTable(text);
            if (!updated.equals(text)) {
                Files.writeString(readme, updated, StandardCharsets.UTF_8);
            }
            System.out.println(readme + ": configuration table " + (updated.equals(text) ? "already current" : "updated")
                    + " (" + Settings.all().size() + " settings)");
        } else {
            System.err.println("usage: SettingsTable [--write README.md]");
            System.exit(2);
        }
    }
}
