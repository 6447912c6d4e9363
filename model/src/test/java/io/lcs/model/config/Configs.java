package io.lcs.model.config;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Test texts and assertions shared by the config tests. */
final class Configs {
    static final String FILE = "t.conf";

    /** A valid config: 3 voters, one VIP. Line numbers are looked up with {@link #line}, not hard-coded. */
    static final String BASE = """
            [cluster]
            name = demo
            node = a
            secret = 0123456789abcdef

            [node a]
            role = full-member
            address = 198.18.0.1

            [node b]
            role = full-member
            address = 198.18.0.2

            [node c]
            role = quorum-only
            address = 198.18.0.3

            [vip web]
            address = 198.18.0.100/24
            interface = eth0
            """;

    private Configs() {
    }

    static ClusterConfig parse(String text) {
        try {
            return ConfigParser.parse(FILE, text);
        } catch (ConfigException e) {
            throw new AssertionError("expected a valid config, got:\n" + e.getMessage() + "\n--- input:\n" + text, e);
        }
    }

    static List<ConfigError> errors(String text) {
        return assertThrows(ConfigException.class, () -> ConfigParser.parse(FILE, text),
                () -> "expected errors for:\n" + text).errors();
    }

    /** Inserts {@code lines} right after the line of {@code text} whose content is {@code anchor}. */
    static String insertAfter(String text, String anchor, String lines) {
        int n = line(text, anchor);
        List<String> all = new ArrayList<>(List.of(text.split("\n", -1)));
        all.add(n, lines.endsWith("\n") ? lines.substring(0, lines.length() - 1) : lines);
        return String.join("\n", all);
    }

    /** {@link #BASE} with {@code lines} added to [cluster]. */
    static String withCluster(String lines) {
        return insertAfter(BASE, "secret = 0123456789abcdef", lines);
    }

    static String replace(String text, String from, String to) {
        if (!text.contains(from)) {
            throw new IllegalArgumentException("'" + from + "' not in text");
        }
        return text.replace(from, to);
    }

    /** @return the 1-based line whose stripped content equals {@code fragment} (else contains it); must be unique */
    static int line(String text, String fragment) {
        String[] lines = text.split("\r\n|\r|\n", -1);
        int found = -1;
        for (int pass = 0; pass < 2 && found < 0; pass++) {
            for (int i = 0; i < lines.length; i++) {
                boolean match = pass == 0 ? lines[i].strip().equals(fragment) : lines[i].contains(fragment);
                if (match) {
                    if (found >= 0) {
                        throw new IllegalArgumentException("'" + fragment + "' is on more than one line");
                    }
                    found = i + 1;
                }
            }
        }
        if (found < 0) {
            throw new IllegalArgumentException("'" + fragment + "' is on no line");
        }
        return found;
    }

    /** Asserts an error exists at {@code FILE:line} whose message contains {@code messageFragment}. */
    static ConfigError assertError(List<ConfigError> errors, int line, String messageFragment) {
        for (ConfigError e : errors) {
            if (e.line() == line && e.file().equals(FILE) && e.message().contains(messageFragment)) {
                String expectedPrefix = line == 0 ? FILE + ": " : FILE + ":" + line + ": ";
                if (!e.toString().startsWith(expectedPrefix)) {
                    fail("bad rendering: " + e);
                }
                return e;
            }
        }
        return fail("no error at " + FILE + ":" + line + " containing '" + messageFragment + "'; got:\n" + render(errors));
    }

    /** Parses {@code text}, expects failure, asserts the error at the line containing {@code lineFragment}. */
    static ConfigError assertError(String text, String lineFragment, String messageFragment) {
        return assertError(errors(text), line(text, lineFragment), messageFragment);
    }

    static ConfigError assertWarning(ClusterConfig config, int line, String messageFragment) {
        for (ConfigError w : config.warnings()) {
            if (w.line() == line && w.message().contains(messageFragment)) {
                return w;
            }
        }
        return fail("no warning at line " + line + " containing '" + messageFragment + "'; got:\n" + render(config.warnings()));
    }

    static String render(List<ConfigError> errors) {
        return errors.stream().map(ConfigError::toString).collect(Collectors.joining("\n"));
    }
}
