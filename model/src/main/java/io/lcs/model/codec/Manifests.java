package io.lcs.model.codec;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.lcs.model.Names;
import io.lcs.model.api.FieldProblem;
import io.lcs.model.api.Kinds;
import io.lcs.model.api.LcsObject;
import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.ObjectValidator;
import io.lcs.model.api.Origin;
import io.lcs.model.api.ServerFields;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads and writes manifests: the files {@code lcs apply -f} takes and {@code lcs get -o} prints.
 *
 * <p><b>Formats.</b> A manifest is JSON if its first non-blank character is {@code {} or {@code [},
 * otherwise YAML.
 * <ul>
 *   <li>YAML: one or more documents separated by {@code ---} lines, like {@code kubectl apply -f};
 *       empty documents (only blanks, comments, directives) are skipped and not counted; each other
 *       document must be one object. Each document is parsed on its own, so a syntax error in one
 *       document does not hide the errors of the others. Aliases ({@code *name}) are refused: the
 *       YAML reader cannot expand them and would otherwise read the alias name as a string.</li>
 *   <li>JSON: a single object, or an array of objects. ({@code {"kind":"List","items":[...]}} is
 *       not accepted: it is reported as an unknown kind.) A JSON syntax error stops reading at that
 *       point; documents before it are still checked.</li>
 * </ul>
 *
 * <p><b>Errors.</b> {@link #read} reports every problem of every document at once, as a
 * {@link ManifestException} of {@link ManifestError}s (capped at {@value #MAX_ERRORS}): syntax
 * errors with line and column, unknown fields with a did-you-mean, type errors, the semantic rules of
 * {@link ObjectValidator}, and an object named twice in one manifest. It returns objects only if there
 * is no problem at all, and never throws anything else for any text (bounded by {@link LcsJson#limits()};
 * the whole text is limited to {@value LcsJson#MAX_DOCUMENT_BYTES} characters).
 *
 * <p><b>Origin.</b> With {@link Origin#USER} (the default) {@code status} is an error and
 * server-maintained metadata is dropped ({@link ServerFields#strip}); with {@link Origin#SERVER}
 * objects are returned as written.
 *
 * <p>Writing: YAML is one document per object separated by {@code ---} lines (no marker for a
 * single object); JSON is always a pretty-printed array, even of one object (use
 * {@link #write(LcsObject, Format)} for a bare object). Output ends with a newline and is stable:
 * the same objects always give the same text.
 */
public final class Manifests {
    /** 100: more errors than a screen holds are noise; fix the first ones and run again. */
    public static final int MAX_ERRORS = 100;

    private static final ObjectReader OBJECT_READER = LcsJson.json().readerFor(LcsObject.class);
    // writer(), not writerFor(LcsObject.class): the declared interface has no properties, the runtime record does
    private static final ObjectWriter JSON_WRITER = LcsJson.json().writer().withDefaultPrettyPrinter();
    private static final ObjectWriter YAML_WRITER = LcsJson.yaml().writer();
    /** Reads one value where more may follow (JSON array elements); the mapper itself refuses trailing tokens. */
    private static final ObjectReader JSON_ELEMENT_READER = LcsJson.json().reader()
            .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Pattern JACKSON_LIMIT_SUFFIX = Pattern.compile(",? ?\\(?from `StreamReadConstraints[^`]*`\\)?\\)?");

    /** The two manifest formats. */
    public enum Format { YAML, JSON }

    private Manifests() {
    }

    /** Reads operator input: {@code read(source, text, Origin.USER)}. */
    public static List<LcsObject> read(String source, String text) {
        return read(source, text, Origin.USER);
    }

    /**
     * Reads every object of a manifest, in document order.
     *
     * @param source how errors name the input, e.g. the file name or {@code -} for stdin
     * @return the objects; empty if the manifest has no documents (callers decide if that is an error)
     * @throws ManifestException listing every problem found, if there is any
     */
    public static List<LcsObject> read(String source, String text, Origin origin) {
        Reading reading = new Reading(source == null ? "<input>" : source, origin);
        if (text == null) {
            text = "";
        }
        if (text.length() > LcsJson.MAX_DOCUMENT_BYTES) {
            reading.error(0, null, null, "manifest is " + text.length() + " characters long; the limit is "
                    + LcsJson.MAX_DOCUMENT_BYTES, 0, 0);
            throw new ManifestException(reading.errors);
        }
        if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
            text = text.substring(1);
        }
        if (detect(text) == Format.JSON) {
            readJson(text, reading);
        } else {
            readYaml(text, reading);
        }
        if (!reading.errors.isEmpty()) {
            throw new ManifestException(reading.errors);
        }
        return List.copyOf(reading.objects);
    }

    /** JSON if the first non-blank character is <code>{</code> or {@code [}, else YAML. */
    public static Format detect(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '{' || c == '[') {
                return Format.JSON;
            }
            if (!Character.isWhitespace(c) && c != '\uFEFF') {
                return Format.YAML;
            }
        }
        return Format.YAML;
    }

    /** Writes objects as a manifest {@link #read} reads back to equal objects (see the class doc for the shape). */
    public static String write(List<? extends LcsObject> objects, Format format) {
        try {
            if (format == Format.JSON) {
                return JSON_WRITER.writeValueAsString(new ArrayList<LcsObject>(objects)) + "\n";
            }
            StringBuilder sb = new StringBuilder();
            for (LcsObject object : objects) {
                if (sb.length() > 0) {
                    sb.append("---\n");
                }
                sb.append(YAML_WRITER.writeValueAsString(object));
            }
            return sb.toString();
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write objects as " + format, e);
        }
    }

    /** Writes one object: a bare JSON object, or a single YAML document without {@code ---}. */
    public static String write(LcsObject object, Format format) {
        try {
            return format == Format.JSON ? JSON_WRITER.writeValueAsString(object) + "\n"
                    : YAML_WRITER.writeValueAsString(object);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write " + object.key() + " as " + format, e);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // YAML

    private static void readYaml(String text, Reading reading) {
        int document = 0;
        for (Chunk chunk : splitYamlDocuments(text)) {
            if (reading.full()) {
                return;
            }
            document++;
            JsonNode tree;
            try {
                try (JsonParser p = new NoAliases((YAMLParser) LcsJson.yaml().createParser(chunk.text))) {
                    tree = LcsJson.yaml().readTree(p);
                }
            } catch (IOException e) {
                reading.syntaxError(document, e, chunk.firstLine, "YAML");
                continue;
            } catch (org.yaml.snakeyaml.error.YAMLException e) {
                // SnakeYAML errors Jackson did not wrap: still a syntax error of this document
                reading.error(document, null, null, "YAML syntax error: " + oneLine(e.getMessage()), chunk.firstLine, 0);
                continue;
            }
            Chunk c = chunk;
            reading.document(document, tree, "separate objects with --- lines", () -> {
                try (JsonParser p = new NoAliases((YAMLParser) LcsJson.yaml().createParser(c.text))) {
                    return FieldLines.read(p, c.firstLine - 1);
                }
            });
        }
    }

    private record Chunk(int firstLine, String text) {
    }

    /**
     * Splits at document markers: a line starting with {@code ---} (followed by nothing or blank)
     * begins a document, a line starting with {@code ...} ends one. YAML forbids both inside scalars,
     * so this split agrees with the YAML parser; it lets each document be parsed, and fail, alone.
     * Documents with only comments are dropped; directive lines ({@code %YAML}) stay with the
     * document they precede.
     */
    static List<Chunk> splitYamlDocuments(String text) {
        List<Chunk> chunks = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int currentStart = 1;
        boolean hasContent = false;
        boolean hasDirective = false;
        int lineNumber = 0;
        int pos = 0;
        while (pos <= text.length()) {
            int nl = text.indexOf('\n', pos);
            int endOfLine = nl < 0 ? text.length() : nl;
            String line = text.substring(pos, endOfLine);
            lineNumber++;
            boolean start = isMarker(line, "---");
            boolean end = isMarker(line, "...");
            if (start && (hasContent || !hasDirective)) {
                if (hasContent) {
                    chunks.add(new Chunk(currentStart, current.toString()));
                }
                // an empty document (comments only) is dropped; directives stay with the document they precede
                current.setLength(0);
                currentStart = lineNumber;
                hasContent = false;
            }
            hasDirective = start ? false : hasDirective || line.startsWith("%");
            current.append(line).append('\n');
            if (start) {
                hasContent = isContent(line.substring(3));
            } else if (!end && isContent(line)) {
                hasContent = true;
            }
            if (end) {
                if (hasContent) {
                    chunks.add(new Chunk(currentStart, current.toString()));
                }
                current.setLength(0);
                currentStart = lineNumber + 1;
                hasContent = false;
                hasDirective = false;
            }
            if (nl < 0) {
                break;
            }
            pos = nl + 1;
        }
        if (hasContent) {
            chunks.add(new Chunk(currentStart, current.toString()));
        }
        return chunks;
    }

    private static boolean isMarker(String line, String marker) {
        return line.startsWith(marker) && (line.length() == 3 || Character.isWhitespace(line.charAt(3)));
    }

    private static boolean isContent(String line) {
        String s = line.strip();
        return !s.isEmpty() && !s.startsWith("#") && !(line.startsWith("%"));
    }

    // ---------------------------------------------------------------------------------------------
    // JSON

    private static void readJson(String text, Reading reading) {
        int document = 1;
        try (JsonParser p = LcsJson.json().createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == JsonToken.START_ARRAY) {
                document = 0;
                while (!reading.full()) {
                    JsonToken t = p.nextToken();
                    if (t == JsonToken.END_ARRAY) {
                        break;
                    }
                    if (t == null) {
                        // the parser reports a truncated array itself; this is belt and braces
                        reading.error(Math.max(1, document), null, null, "JSON syntax error: the array is not closed", 0, 0);
                        return;
                    }
                    document++;
                    int element = document;
                    reading.document(document, JSON_ELEMENT_READER.readTree(p), null, () -> jsonLines(text, element));
                }
            } else {
                reading.document(document, JSON_ELEMENT_READER.readTree(p), null, () -> jsonLines(text, 0));
            }
            if (!reading.full() && p.nextToken() != null) {
                JsonLocation at = p.currentTokenLocation();
                reading.error(Math.max(1, document), null, null,
                        "unexpected content after the JSON value; put several objects in a JSON array",
                        at.getLineNr(), at.getColumnNr());
            }
        } catch (JsonProcessingException e) {
            reading.syntaxError(Math.max(1, document), e, 1, "JSON");
        } catch (IOException e) {
            // a String source cannot fail to read; report rather than hide it
            reading.error(Math.max(1, document), null, null, "cannot read JSON: " + oneLine(e.getMessage()), 0, 0);
        }
    }

    /** The field lines of the JSON text's value ({@code element} 0), or of its array's element (1-based). */
    private static FieldLines jsonLines(String text, int element) throws IOException {
        try (JsonParser p = LcsJson.json().createParser(text)) {
            p.nextToken();
            for (int i = 1; i <= element; i++) {
                p.nextToken();
                if (i < element) {
                    p.skipChildren();
                }
            }
            return FieldLines.read(p, 0);
        }
    }

    /** Where the fields of one document are; read only when the document has a problem. */
    @FunctionalInterface
    private interface LineSource {
        FieldLines read() throws IOException;
    }

    // ---------------------------------------------------------------------------------------------
    // one reading: collects objects and errors

    private static final class Reading {
        final String source;
        final Origin origin;
        final List<LcsObject> objects = new ArrayList<>();
        final List<ManifestError> errors = new ArrayList<>();
        final Map<ObjectKey, Integer> documentOf = new HashMap<>();

        Reading(String source, Origin origin) {
            this.source = source;
            this.origin = origin;
        }

        boolean full() {
            return errors.size() >= MAX_ERRORS;
        }

        void error(int document, String description, String fieldPath, String message, int line, int column) {
            if (errors.size() < MAX_ERRORS - 1) {
                errors.add(new ManifestError(source, document, description, fieldPath, message, line, column));
            } else if (errors.size() == MAX_ERRORS - 1) {
                errors.add(new ManifestError(source, document, null, null,
                        "too many errors; stopped after " + (MAX_ERRORS - 1), 0, 0));
            }
        }

        void syntaxError(int document, IOException ioException, int firstLine, String format) {
            if (!(ioException instanceof JsonProcessingException e)) {
                // a String source cannot fail to read; report rather than hide it
                error(document, null, null, "cannot read " + format + ": " + oneLine(ioException.getMessage()), 0, 0);
                return;
            }
            int line = 0;
            int column = 0;
            String message;
            if (e.getCause() instanceof org.yaml.snakeyaml.error.MarkedYAMLException y) {
                message = format + " syntax error: " + oneLine(y.getProblem())
                        + (y.getContext() != null ? " (" + oneLine(y.getContext()) + ")" : "");
                if (y.getProblemMark() != null) {
                    line = y.getProblemMark().getLine() + 1;
                    column = y.getProblemMark().getColumn() + 1;
                }
            } else if (e instanceof NoAliases.AliasException) {
                message = e.getOriginalMessage();
            } else if (e instanceof StreamConstraintsException) {
                message = format + " input exceeds a limit: "
                        + oneLine(JACKSON_LIMIT_SUFFIX.matcher(e.getOriginalMessage()).replaceAll(""));
            } else if (e instanceof JsonMappingException m) {
                // readTree's own checks, e.g. a duplicate key in a tree
                message = oneLine(m.getOriginalMessage());
            } else {
                message = format + " syntax error: " + oneLine(e.getOriginalMessage());
            }
            if (line == 0 && e.getLocation() != null && e.getLocation().getLineNr() > 0) {
                line = e.getLocation().getLineNr();
                column = Math.max(0, e.getLocation().getColumnNr());
            }
            error(document, null, null, message, line > 0 ? line + firstLine - 1 : 0, line > 0 ? column : 0);
        }

        /**
         * Converts and validates one document's tree, recording the object or its problems, each at
         * the line of its field ({@code lineSource}, read only if there is a problem).
         */
        void document(int document, JsonNode tree, String listHint, LineSource lineSource) {
            FieldLines[] lines = {null};
            // A problem of the whole document keeps line 0: a position without a field means a syntax
            // error (the API answers MALFORMED for those), and the document number says where it is.
            java.util.function.ToIntFunction<String> lineOf = path -> {
                if (path == null || path.isEmpty()) {
                    return 0;
                }
                if (lines[0] == null) {
                    try {
                        lines[0] = lineSource.read();
                    } catch (IOException | RuntimeException e) {
                        lines[0] = FieldLines.NONE; // the tree was read, so this is not expected; report without lines
                    }
                }
                return lines[0].lineOf(path);
            };
            String description = describe(tree);
            if (tree == null || tree.isMissingNode() || !tree.isObject()) {
                String found = tree == null || tree.isMissingNode() || tree.isNull() ? "nothing"
                        : tree.isArray() ? "a list" + (listHint != null ? " (" + listHint + ")" : "")
                        : FieldPaths.quote(tree);
                error(document, null, null, "expected an object with apiVersion, kind, metadata and spec, found " + found,
                        0, 0);
                return;
            }
            List<FieldProblem> problems = new ArrayList<>();
            LcsObject object = convert(tree, problems);
            if (object != null) {
                problems.addAll(ObjectValidator.validate(object, origin));
            }
            for (FieldProblem problem : problems) {
                error(document, description, problem.fieldPath(), problem.message(),
                        lineOf.applyAsInt(problem.fieldPath()), 0);
            }
            if (object == null || !problems.isEmpty() || object.metadata() == null || object.metadata().name() == null) {
                return;
            }
            Integer first = documentOf.putIfAbsent(object.key(), document);
            if (first != null) {
                error(document, description, "metadata.name", "the same " + object.kind() + " is already in document "
                        + first + "; an object may appear once per manifest", lineOf.applyAsInt("metadata.name"), 0);
                return;
            }
            objects.add(origin == Origin.USER ? ServerFields.strip(object) : object);
        }
    }

    /**
     * Reads a tree as an {@link LcsObject}, adding every unknown field and then the first type error
     * (Jackson stops there) to {@code problems}.
     */
    static LcsObject convert(JsonNode tree, List<FieldProblem> problems) {
        JsonNode readable = tree;
        Class<? extends LcsObject> type = Kinds.classOf(tree.path("kind").textValue());
        if (type != null && LcsObject.API_VERSION.equals(tree.path("apiVersion").textValue())) {
            readable = UnknownFields.prune(tree, LcsJson.json().constructType(type), "", problems, 0);
        }
        try {
            return OBJECT_READER.readValue(readable);
        } catch (JsonMappingException e) {
            problems.add(new FieldProblem(FieldPaths.of(e), messageOf(e, readable)));
        } catch (IOException e) {
            problems.add(new FieldProblem("", oneLine(e.getMessage())));
        }
        return null;
    }

    /** "Kind name" from a raw tree, for error messages; null when the kind is not even a string. */
    private static String describe(JsonNode tree) {
        if (tree == null || !tree.isObject() || !tree.path("kind").isTextual()) {
            return null;
        }
        String kind = Names.abbreviate(FieldPaths.printable(tree.path("kind").textValue()));
        JsonNode name = tree.path("metadata").path("name");
        return name.isTextual() || name.isNumber() ? kind + " " + Names.abbreviate(FieldPaths.printable(name.asText())) : kind;
    }

    private static String messageOf(JsonMappingException e, JsonNode tree) {
        if (e instanceof UnrecognizedPropertyException u) {
            return unknownField(u.getPropertyName(), u.getKnownPropertyIds());
        }
        if (e instanceof InvalidFormatException f) {
            Object value = f.getValue();
            String quoted = value instanceof String s ? "'" + Names.abbreviate(FieldPaths.printable(s)) + "'"
                    : Names.abbreviate(String.valueOf(value));
            return quoted + " is not " + expected(f.getTargetType());
        }
        if (e instanceof MismatchedInputException m) {
            if (m.getTargetType() == LcsObject.class) {
                return oneLine(m.getOriginalMessage());
            }
            String found = FieldPaths.describe(FieldPaths.at(tree, e));
            return "expected " + expected(m.getTargetType()) + ", found " + found;
        }
        return oneLine(e.getOriginalMessage());
    }

    static String unknownField(String name, Collection<Object> known) {
        List<String> names = known == null ? List.of() : FieldPaths.sorted(known);
        String suggestion = FieldPaths.closest(name, names);
        if (suggestion != null) {
            return "unknown field (did you mean '" + suggestion + "'?)";
        }
        return names.isEmpty() ? "unknown field" : "unknown field (known fields: " + String.join(", ", names) + ")";
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "a different value";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == Long.class || type == long.class || type == Integer.class || type == int.class) {
            return "a whole number";
        }
        if (type == Double.class || type == double.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == Instant.class) {
            return "an ISO-8601 time such as 2024-05-01T12:00:00Z";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list";
        }
        return "an object (field: value mapping)";
    }

    private static String oneLine(String message) {
        if (message == null) {
            return "(no detail)";
        }
        String s = message.strip();
        int nl = s.indexOf('\n');
        String line = FieldPaths.printable(nl < 0 ? s : s.substring(0, nl));
        // 200: a parser message plus the quoted token that caused it, still one terminal line or two
        return line.length() <= 200 ? line : line.substring(0, 197) + "...";
    }
}
