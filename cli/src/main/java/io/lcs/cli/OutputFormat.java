package io.lcs.cli;

import java.util.List;

/** The {@code -o FORMAT} values {@code get} and {@code status} accept, checked alike. */
final class OutputFormat {
    static final List<String> NAMES = List.of("wide", "json", "yaml");

    private OutputFormat() {
    }

    /** {@code format} itself (null: the default table), or a usage error naming the allowed values. */
    static String check(String format) {
        if (format != null && !NAMES.contains(format)) {
            throw new CliException(Lcs.EXIT_USAGE, "-o must be wide, json or yaml, got '" + format + "'");
        }
        return format;
    }

    /** True for json and yaml: print the daemon's reply as it is. */
    static boolean structured(String format) {
        return "json".equals(format) || "yaml".equals(format);
    }
}
