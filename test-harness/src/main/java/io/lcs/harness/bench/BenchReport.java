package io.lcs.harness.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The benchmark's Markdown report: the machine, the versions, the exact commands, then one table
 * per area with lcs, keepalived, their ratio, the target and whether lcs met it. Pure: the
 * runner fills it, {@link #render()} turns it into text.
 */
public final class BenchReport {
    /**
     * A target for an lcs figure: met when the figure is at most {@code limit}. For a row of
     * min / median / p95 / max, {@code p95} says which statistic is compared (the median otherwise).
     */
    public record Target(String text, double limit, boolean p95) {
        public Target(String text, double limit) {
            this(text, limit, false);
        }

        /** The target "p95 ≤ LIMIT UNIT". */
        public static Target p95(double limit, String unit) {
            return new Target("p95 ≤ " + num(limit, "") + " " + unit, limit, true);
        }

        /** Met or not for a summary: its p95 or its median, as this target says. */
        public String met(Stats.Summary s) {
            return met(p95 ? s.p95() : s.median());
        }

        public String met(double lcs) {
            if (Double.isNaN(lcs)) {
                return "not measured";
            }
            return lcs <= limit ? "met" : "**not met**";
        }
    }

    /** One line of an area table; cells already formatted. */
    public record Row(String metric, String lcs, String keepalived, String ratio, String target, String met) {
    }

    /** One area: a title, its rows and free-text notes (method, caveats, failures). */
    public record Area(String title, List<Row> rows, List<String> notes) {
        public Area {
            rows = List.copyOf(rows);
            notes = List.copyOf(notes);
        }
    }

    private final List<String[]> machine = new ArrayList<>();
    private final List<String[]> versions = new ArrayList<>();
    private final List<String> commands = new ArrayList<>();
    private final List<Area> areas = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private String title = "lcs benchmarks";
    private String started = "";

    public BenchReport title(String t, String startedAt) {
        this.title = t;
        this.started = startedAt;
        return this;
    }

    public BenchReport machine(String key, String value) {
        machine.add(new String[] {key, value});
        return this;
    }

    public BenchReport version(String key, String value) {
        versions.add(new String[] {key, value});
        return this;
    }

    public BenchReport command(String c) {
        commands.add(c);
        return this;
    }

    public BenchReport note(String n) {
        notes.add(n);
        return this;
    }

    public BenchReport area(Area a) {
        areas.add(a);
        return this;
    }

    public List<Area> areas() {
        return List.copyOf(areas);
    }

    /** A row comparing two figures of one unit; NaN prints as "n/a" (or the reason given). */
    public static Row row(String metric, double lcs, double keepalived, String unit, Target target) {
        String ratio = Double.isNaN(lcs) || Double.isNaN(keepalived) || keepalived == 0 ? "-"
                : String.format(Locale.ROOT, "%.2f", lcs / keepalived);
        return new Row(metric, num(lcs, unit), num(keepalived, unit), ratio, target == null ? "-" : target.text(),
                target == null ? "-" : target.met(lcs));
    }

    /** A row with free-text cells (e.g. "not within 60 s"). */
    public static Row text(String metric, String lcs, String keepalived, Target target, double lcsValue) {
        return new Row(metric, lcs, keepalived, "-", target == null ? "-" : target.text(),
                target == null ? "-" : target.met(lcsValue));
    }

    /** "1234 ms", "12.3 MiB", "0.42 s/min"; NaN is "n/a". Integers when at least 100. */
    public static String num(double v, String unit) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        String n = Math.abs(v) >= 100 || v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v)
                : Math.abs(v) >= 10 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.2f", v);
        return unit == null || unit.isEmpty() ? n : n + " " + unit;
    }

    /** "min / median / p95 / max" of a summary in {@code unit}, or "n/a". */
    public static String mmpm(Stats.Summary s, String unit) {
        if (s.empty()) {
            return "n/a";
        }
        return num(s.min(), "") + " / " + num(s.median(), "") + " / " + num(s.p95(), "") + " / " + num(s.max(), "")
                + " " + unit + " (n=" + s.n() + ")";
    }

    /** The Markdown text. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("# ").append(title).append("\n\n");
        if (!started.isEmpty()) {
            sb.append("Run started ").append(started).append(".\n\n");
        }
        sb.append("Written by `lcs-harness bench` (test-harness, `io.lcs.harness.bench`); see docs/test-harness.md. ")
                .append("lcs and keepalived run in the same run on the same network namespaces, with the same client ")
                .append("namespace probing the same VIP: one after the other for failover, move, cold start and CLI, ")
                .append("at the same time (distinct VIPs) for the footprint.\n\n");
        keyValues(sb, "Machine", machine);
        keyValues(sb, "Versions", versions);
        if (!commands.isEmpty()) {
            sb.append("## Commands\n\n```sh\n");
            for (String c : commands) {
                sb.append(c).append('\n');
            }
            sb.append("```\n\n");
        }
        for (Area a : areas) {
            sb.append("## ").append(a.title()).append("\n\n");
            if (!a.rows().isEmpty()) {
                sb.append("| metric | lcs | keepalived | lcs / keepalived | target (lcs) | met |\n");
                sb.append("|---|---|---|---|---|---|\n");
                for (Row r : a.rows()) {
                    sb.append("| ").append(cell(r.metric())).append(" | ").append(cell(r.lcs())).append(" | ")
                            .append(cell(r.keepalived())).append(" | ").append(cell(r.ratio())).append(" | ")
                            .append(cell(r.target())).append(" | ").append(cell(r.met())).append(" |\n");
                }
                sb.append('\n');
            }
            for (String n : a.notes()) {
                sb.append("- ").append(n).append('\n');
            }
            if (!a.notes().isEmpty()) {
                sb.append('\n');
            }
        }
        if (!notes.isEmpty()) {
            sb.append("## Notes\n\n");
            for (String n : notes) {
                sb.append("- ").append(n).append('\n');
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static void keyValues(StringBuilder sb, String heading, List<String[]> kv) {
        if (kv.isEmpty()) {
            return;
        }
        sb.append("## ").append(heading).append("\n\n| | |\n|---|---|\n");
        for (String[] e : kv) {
            sb.append("| ").append(cell(e[0])).append(" | ").append(cell(e[1])).append(" |\n");
        }
        sb.append('\n');
    }

    /** A table cell: pipes escaped, newlines flattened. */
    static String cell(String s) {
        return s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
    }
}
