package io.lcs.model.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.lcs.model.Names;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How error messages name a place in a document ({@code spec.preferredNodes[2]}, {@code metadata.labels['a b']})
 * and quote what they found there. Pure functions; every quoted input is abbreviated so hostile
 * input cannot flood a terminal or log.
 */
final class FieldPaths {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_-]{1,80}");
    /** Names longer than this are never suggested for: the edit-distance matrix is bounded by it. */
    private static final int MAX_SUGGEST_CHARS = 64;

    private FieldPaths() {
    }

    /** Appends one property name to a path: {@code spec} + {@code address} = {@code spec.address}. */
    static String child(String path, String name) {
        String segment = name == null ? "?" : PLAIN.matcher(name).matches() ? name
                : "['" + Names.abbreviate(printable(name)) + "']";
        if (path == null || path.isEmpty()) {
            return segment.startsWith("[") ? segment : segment;
        }
        return segment.startsWith("[") ? path + segment : path + "." + segment;
    }

    static String index(String path, int index) {
        return (path == null ? "" : path) + "[" + index + "]";
    }

    /** The path of an exception's references, e.g. {@code spec.preferredNodes[1]}; "" for the document. */
    static String of(JsonMappingException e) {
        String path = "";
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                path = child(path, ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path = index(path, ref.getIndex());
            }
        }
        return path;
    }

    /** The node an exception's path points at in {@code tree}, or null if the path leaves the tree. */
    static JsonNode at(JsonNode tree, JsonMappingException e) {
        JsonNode node = tree;
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (node == null) {
                return null;
            }
            node = ref.getFieldName() != null ? node.get(ref.getFieldName())
                    : ref.getIndex() >= 0 ? node.get(ref.getIndex()) : node;
        }
        return node;
    }

    /** What a value is, for "expected X, found Y" messages. */
    static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        if (node.isTextual()) {
            return "the string " + quote(node);
        }
        if (node.isNumber()) {
            return "the number " + quote(node);
        }
        if (node.isBoolean()) {
            return "the boolean " + node.asText();
        }
        if (node.isNull()) {
            return "null";
        }
        return quote(node);
    }

    /** What the parser's current token is, for "expected X, found Y" messages. */
    static String describe(JsonParser p) {
        JsonToken t = p.currentToken();
        if (t == null) {
            return "nothing";
        }
        try {
            return switch (t) {
                case START_OBJECT, END_OBJECT, FIELD_NAME -> "an object";
                case START_ARRAY, END_ARRAY -> "a list";
                case VALUE_STRING -> "the string '" + Names.abbreviate(printable(p.getText())) + "'";
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "the number " + Names.abbreviate(p.getText());
                case VALUE_TRUE, VALUE_FALSE -> "the boolean " + p.getText();
                case VALUE_NULL -> "null";
                default -> "a " + t.name().toLowerCase(Locale.ROOT);
            };
        } catch (java.io.IOException e) {
            return "an unreadable value";
        }
    }

    /** A tree value as an error message quotes it: strings in single quotes, others as JSON, abbreviated. */
    static String quote(JsonNode node) {
        if (node == null) {
            return "nothing";
        }
        if (node.isTextual()) {
            return "'" + Names.abbreviate(printable(node.textValue())) + "'";
        }
        if (node.isContainerNode()) {
            return node.isArray() ? "a list" : "an object";
        }
        return Names.abbreviate(node.toString());
    }

    /** Replaces control characters so quoted input cannot move the cursor or forge log lines. */
    static String printable(String s) {
        StringBuilder sb = null;
        int n = Math.min(s.length(), 200);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                if (sb == null) {
                    sb = new StringBuilder(s.substring(0, i));
                }
                sb.append(String.format("\\u%04x", (int) c));
            } else if (sb != null) {
                sb.append(c);
            }
        }
        String head = sb == null ? s.substring(0, n) : sb.toString();
        return n < s.length() ? head + s.substring(n, Math.min(s.length(), n + 1)) + "..." : head;
    }

    /**
     * The candidate closest to {@code name} if it is close enough to be a typo (case-insensitive
     * edit distance at most 2, or at most a third of the name), else null.
     */
    static String closest(String name, Collection<String> candidates) {
        if (name == null || name.isEmpty() || name.length() > MAX_SUGGEST_CHARS) {
            return null;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            if (candidate.length() > MAX_SUGGEST_CHARS) {
                continue;
            }
            int d = distance(lower, candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        int allowed = Math.max(2, name.length() / 3);
        return best != null && bestDistance <= allowed && bestDistance < name.length() ? best : null;
    }

    /** Levenshtein distance with transpositions counted as one edit (optimal string alignment). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    v = Math.min(v, d[i - 2][j - 2] + 1);
                }
                d[i][j] = v;
            }
        }
        return d[a.length()][b.length()];
    }

    static List<String> sorted(Collection<?> names) {
        return names.stream().map(String::valueOf).sorted().toList();
    }
}
