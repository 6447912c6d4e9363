package io.lcs.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Text shapes shared by the verbs: kubectl-style ages and aligned tables. */
final class Formats {
    private Formats() {
    }

    /** kubectl-style: {@code 45s}, {@code 5m}, {@code 3h}, {@code 2d}; {@code <unknown>} when null. */
    static String age(Instant since, Instant now) {
        if (since == null) {
            return "<unknown>";
        }
        long s = Math.max(0, Duration.between(since, now).getSeconds());
        if (s < 120) {
            return s + "s";
        }
        if (s < 120 * 60) {
            return s / 60 + "m";
        }
        if (s < 48 * 3600) {
            return s / 3600 + "h";
        }
        return s / 86400 + "d";
    }

    static String seconds(Double s) {
        return s == null ? "-" : String.format(Locale.ROOT, "%.1fs", s);
    }

    static String orDash(Object o) {
        return o == null || o.toString().isEmpty() ? "-" : o.toString();
    }

    /**
     * {@code text} on one line, for tables and one-line-per-item output: a hook's multi-line output
     * or a peer's message must not break the columns. Trailing blanks are dropped, each line break
     * becomes a visible {@code \n}, a tab a space, any other control character {@code ?}. The full
     * text stays in {@code -o json|yaml}.
     */
    static String oneLine(String text) {
        if (text == null) {
            return null;
        }
        String t = text.stripTrailing();
        StringBuilder sb = null;
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            String repl = c == '\r' && i + 1 < t.length() && t.charAt(i + 1) == '\n' ? ""
                    : c == '\n' || c == '\r' ? "\\n" : c == '\t' ? " " : Character.isISOControl(c) ? "?" : null;
            if (repl != null && sb == null) {
                sb = new StringBuilder(t.length() + 8).append(t, 0, i);
            }
            if (sb != null) {
                if (repl != null) {
                    sb.append(repl);
                } else {
                    sb.append(c);
                }
            }
        }
        return sb == null ? t : sb.toString();
    }

    static String yesNo(boolean b) {
        return b ? "yes" : "no";
    }

    /**
     * Columns padded to the widest cell plus three spaces, as kubectl prints them. After the first
     * {@link #render()}, {@link #row(String...)} formats single rows with the same widths (watch mode).
     */
    static final class Table {
        private final String[] header;
        private final List<String[]> rows = new ArrayList<>();
        private int[] widths;

        Table(String... header) {
            this.header = header;
        }

        Table add(String... cells) {
            rows.add(oneLine(cells));
            return this;
        }

        /** Every cell on one line ({@link Formats#oneLine}); a null cell is {@code -}. */
        private static String[] oneLine(String[] cells) {
            String[] out = new String[cells.length];
            for (int i = 0; i < cells.length; i++) {
                out[i] = cells[i] == null ? "-" : Formats.oneLine(cells[i]);
            }
            return out;
        }

        String render() {
            widths = new int[header.length];
            measure(header);
            rows.forEach(this::measure);
            StringBuilder sb = new StringBuilder();
            sb.append(line(header));
            rows.forEach(r -> sb.append(line(r)));
            return sb.toString();
        }

        String row(String... cells) {
            if (widths == null) {
                widths = new int[header.length];
                measure(header);
            }
            return line(oneLine(cells));
        }

        private void measure(String[] cells) {
            for (int i = 0; i < cells.length && i < widths.length; i++) {
                widths[i] = Math.max(widths[i], cells[i].length());
            }
        }

        private String line(String[] cells) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < cells.length; i++) {
                sb.append(cells[i]);
                if (i < cells.length - 1) {
                    sb.append(" ".repeat(Math.max(0, widths[i] - cells[i].length()) + 3));
                }
            }
            return sb.append('\n').toString();
        }
    }
}
