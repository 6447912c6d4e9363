package io.lcs.controller.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Shared with test-harness through the controller's test jar. A strict parser of the Prometheus text exposition format 0.0.4, for tests: it rejects what
 * Prometheus would reject and a little more (a second HELP or TYPE for one name, TYPE after the
 * family's samples, a family split in two, a duplicate series, a duplicate or reserved label name,
 * bad escapes, malformed values), naming the line. It is deliberately independent of the Prometheus
 * client's own writer, so a test does not check the writer with itself.
 */
public final class PrometheusTextParser {

    static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern FLOAT = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");
    private static final Pattern TIMESTAMP = Pattern.compile("-?\\d+");

    /** One sample line. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    /** One metric family: its TYPE (untyped if none), HELP (null if none) and samples in order. */
    public static final class Family {
        final String name;
        String type = "untyped";
        String help;
        boolean typed;
        final List<Sample> samples = new ArrayList<>();

        Family(String name) {
            this.name = name;
        }

        public String name() {
            return name;
        }

        public String type() {
            return type;
        }

        public String help() {
            return help;
        }

        public List<Sample> samples() {
            return Collections.unmodifiableList(samples);
        }
    }

    /** A parsed exposition: families by name, in order of appearance. */
    public record Exposition(Map<String, Family> families) {
        public Family family(String name) {
            Family f = families.get(name);
            if (f == null) {
                throw new AssertionError("no metric family " + name + " in exposition; families: " + families.keySet());
            }
            return f;
        }

        /** Every sample name (family names plus _sum, _count, _bucket...). */
        public Set<String> sampleNames() {
            Set<String> names = new HashSet<>();
            for (Family f : families.values()) {
                for (Sample s : f.samples) {
                    names.add(s.name());
                }
            }
            return names;
        }
    }

    /** Thrown for any malformed input, with the 1-based line number. */
    public static final class ParseException extends RuntimeException {
        ParseException(int line, String message) {
            super("line " + line + ": " + message);
        }
    }

    private PrometheusTextParser() {
    }

    public static Exposition parse(String text) {
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new ParseException(text.split("\n", -1).length, "exposition must end with a newline");
        }
        Map<String, Family> families = new LinkedHashMap<>();
        Set<String> closed = new HashSet<>();
        Set<String> seenSeries = new HashSet<>();
        Family current = null;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length - 1; i++) {
            int lineNo = i + 1;
            String line = lines[i];
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("#")) {
                String[] parts = line.split("[ \t]+", 4);
                if (parts.length >= 3 && (parts[1].equals("HELP") || parts[1].equals("TYPE"))) {
                    String name = parts[2];
                    requireMetricName(lineNo, name);
                    Family f = families.computeIfAbsent(name, Family::new);
                    if (!f.samples.isEmpty() || closed.contains(name)) {
                        throw new ParseException(lineNo, parts[1] + " for " + name + " after its samples");
                    }
                    if (current != null && current != f) {
                        closed.add(current.name);
                    }
                    current = f;
                    String rest = parts.length == 4 ? parts[3] : "";
                    if (parts[1].equals("HELP")) {
                        if (f.help != null) {
                            throw new ParseException(lineNo, "second HELP for " + name);
                        }
                        f.help = unescape(lineNo, rest, false);
                    } else {
                        if (f.typed) {
                            throw new ParseException(lineNo, "second TYPE for " + name);
                        }
                        if (!TYPES.contains(rest)) {
                            throw new ParseException(lineNo, "unknown TYPE '" + rest + "' for " + name);
                        }
                        f.type = rest;
                        f.typed = true;
                    }
                }
                continue; // any other comment is ignored, as by Prometheus
            }
            Sample sample = parseSample(lineNo, line);
            Family f = familyOf(lineNo, sample.name(), families);
            if (f == null) {
                f = families.computeIfAbsent(sample.name(), Family::new);
            }
            if (current != f) {
                if (current != null) {
                    closed.add(current.name);
                }
                if (closed.contains(f.name)) {
                    throw new ParseException(lineNo, "samples of " + f.name + " are not contiguous");
                }
                current = f;
            }
            if (!seenSeries.add(sample.name() + sample.labels())) {
                throw new ParseException(lineNo, "duplicate series " + sample.name() + sample.labels());
            }
            f.samples.add(sample);
        }
        return new Exposition(families);
    }

    /** The family a sample name belongs to given the TYPE lines so far, or null if none declared it. */
    private static Family familyOf(int lineNo, String sampleName, Map<String, Family> families) {
        Family exact = families.get(sampleName);
        if (exact != null && (exact.type.equals("counter") || exact.type.equals("gauge") || exact.type.equals("untyped"))) {
            return exact;
        }
        for (String suffix : List.of("_sum", "_count", "_bucket")) {
            if (sampleName.endsWith(suffix)) {
                Family f = families.get(sampleName.substring(0, sampleName.length() - suffix.length()));
                if (f != null && (f.type.equals("histogram") || (f.type.equals("summary") && !suffix.equals("_bucket")))) {
                    return f;
                }
            }
        }
        if (exact != null && exact.type.equals("summary")) {
            return exact; // quantile samples
        }
        if (exact != null) {
            throw new ParseException(lineNo, "histogram " + sampleName + " has a bare sample");
        }
        return null;
    }

    private static Sample parseSample(int lineNo, String line) {
        int pos = 0;
        int n = line.length();
        while (pos < n && isNameChar(line.charAt(pos), pos == 0)) {
            pos++;
        }
        String name = line.substring(0, pos);
        requireMetricName(lineNo, name);
        Map<String, String> labels = new LinkedHashMap<>();
        if (pos < n && line.charAt(pos) == '{') {
            pos++;
            while (true) {
                pos = skipSpaces(line, pos);
                if (pos < n && line.charAt(pos) == '}') {
                    pos++;
                    break;
                }
                int start = pos;
                while (pos < n && line.charAt(pos) != '=' && line.charAt(pos) != ' ') {
                    pos++;
                }
                String labelName = line.substring(start, pos);
                if (!LABEL_NAME.matcher(labelName).matches() || labelName.startsWith("__")) {
                    throw new ParseException(lineNo, "bad label name '" + labelName + "'");
                }
                pos = skipSpaces(line, pos);
                if (pos >= n || line.charAt(pos) != '=') {
                    throw new ParseException(lineNo, "expected '=' after label " + labelName);
                }
                pos = skipSpaces(line, pos + 1);
                if (pos >= n || line.charAt(pos) != '"') {
                    throw new ParseException(lineNo, "expected '\"' to open the value of label " + labelName);
                }
                pos++;
                StringBuilder value = new StringBuilder();
                boolean closedQuote = false;
                while (pos < n) {
                    char c = line.charAt(pos++);
                    if (c == '"') {
                        closedQuote = true;
                        break;
                    }
                    if (c == '\\') {
                        if (pos >= n) {
                            break;
                        }
                        char e = line.charAt(pos++);
                        switch (e) {
                            case '\\' -> value.append('\\');
                            case '"' -> value.append('"');
                            case 'n' -> value.append('\n');
                            default -> throw new ParseException(lineNo, "bad escape \\" + e + " in label " + labelName);
                        }
                    } else {
                        value.append(c);
                    }
                }
                if (!closedQuote) {
                    throw new ParseException(lineNo, "unterminated value of label " + labelName);
                }
                if (labels.put(labelName, value.toString()) != null) {
                    throw new ParseException(lineNo, "duplicate label " + labelName);
                }
                pos = skipSpaces(line, pos);
                if (pos < n && line.charAt(pos) == ',') {
                    pos++;
                } else if (pos < n && line.charAt(pos) == '}') {
                    pos++;
                    break;
                } else {
                    throw new ParseException(lineNo, "expected ',' or '}' after label " + labelName);
                }
            }
        }
        if (pos >= n || (line.charAt(pos) != ' ' && line.charAt(pos) != '\t')) {
            throw new ParseException(lineNo, "expected whitespace before the value of " + name);
        }
        String[] rest = line.substring(pos).trim().split("[ \t]+");
        if (rest.length < 1 || rest.length > 2 || rest[0].isEmpty()) {
            throw new ParseException(lineNo, "expected 'value [timestamp]' for " + name + ", got '" + line.substring(pos) + "'");
        }
        double value = parseValue(lineNo, rest[0]);
        if (rest.length == 2 && !TIMESTAMP.matcher(rest[1]).matches()) {
            throw new ParseException(lineNo, "bad timestamp '" + rest[1] + "'");
        }
        return new Sample(name, Collections.unmodifiableMap(labels), value);
    }

    public static double parseValue(int lineNo, String text) {
        switch (text) {
            case "NaN":
                return Double.NaN;
            case "+Inf":
            case "Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            default:
                if (!FLOAT.matcher(text).matches()) {
                    throw new ParseException(lineNo, "bad value '" + text + "'");
                }
                return Double.parseDouble(text);
        }
    }

    private static String unescape(int lineNo, String text, boolean quotes) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (++i >= text.length()) {
                throw new ParseException(lineNo, "dangling backslash in HELP");
            }
            char e = text.charAt(i);
            if (e == '\\') {
                out.append('\\');
            } else if (e == 'n') {
                out.append('\n');
            } else if (quotes && e == '"') {
                out.append('"');
            } else {
                throw new ParseException(lineNo, "bad escape \\" + e + " in HELP");
            }
        }
        return out.toString();
    }

    private static void requireMetricName(int lineNo, String name) {
        if (!METRIC_NAME.matcher(name).matches()) {
            throw new ParseException(lineNo, "bad metric name '" + name + "'");
        }
    }

    private static boolean isNameChar(char c, boolean first) {
        return c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (!first && c >= '0' && c <= '9');
    }

    private static int skipSpaces(String line, int pos) {
        while (pos < line.length() && (line.charAt(pos) == ' ' || line.charAt(pos) == '\t')) {
            pos++;
        }
        return pos;
    }
}
