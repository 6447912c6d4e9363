package io.lcs.model.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * The line of each field of a document, so that a problem found in the tree (an unknown field, a
 * bad CIDR) can be reported at its line, as a syntax error is: {@code vips.yaml:12: document 2
 * (VirtualIP web): spec.address: ...}. Paths are spelled as {@link FieldPaths} spells them. Built
 * by streaming the document's tokens once more (only for a document that has a problem); bounded
 * like the tree it describes (the parser's limits apply).
 */
final class FieldLines {
    /** Lines are not known (the problem is reported without one). */
    static final FieldLines NONE = new FieldLines(Map.of(), 0);

    private final Map<String, Integer> lines;
    private final int documentLine;

    private FieldLines(Map<String, Integer> lines, int documentLine) {
        this.lines = lines;
        this.documentLine = documentLine;
    }

    /**
     * Reads the value at the parser's next token (the document, or one element of a JSON array).
     *
     * @param lineOffset added to the parser's 1-based lines (the document's first line in its source, minus 1)
     */
    static FieldLines read(JsonParser p, int lineOffset) throws IOException {
        record Frame(String path, boolean array, int[] index) {
        }
        Map<String, Integer> out = new HashMap<>();
        Deque<Frame> stack = new ArrayDeque<>();
        int documentLine = 0;
        String pendingPath = "";
        JsonToken t = p.currentToken() != null ? p.currentToken() : p.nextToken();
        while (t != null) {
            int line = p.currentTokenLocation().getLineNr() + lineOffset;
            if (t == JsonToken.FIELD_NAME) {
                pendingPath = FieldPaths.child(stack.isEmpty() ? "" : stack.peek().path(), p.currentName());
                out.putIfAbsent(pendingPath, line);
            } else {
                if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    stack.pop();
                    if (stack.isEmpty()) {
                        break;
                    }
                } else {
                    Frame parent = stack.peek();
                    String path = pendingPath;
                    if (parent != null && parent.array()) {
                        path = FieldPaths.index(parent.path(), ++parent.index()[0]);
                        out.putIfAbsent(path, line);
                    }
                    if (documentLine == 0) {
                        documentLine = line;
                    }
                    if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                        stack.push(new Frame(path, t == JsonToken.START_ARRAY, new int[] {-1}));
                    } else if (stack.isEmpty()) {
                        break; // a scalar document
                    }
                }
            }
            t = p.nextToken();
        }
        return new FieldLines(out, documentLine);
    }

    /**
     * The line of {@code fieldPath}, else of its nearest ancestor present in the document (a
     * missing field is reported where its parent is), else of the document; 0 when unknown.
     */
    int lineOf(String fieldPath) {
        String path = fieldPath == null ? "" : fieldPath;
        while (!path.isEmpty()) {
            Integer line = lines.get(path);
            if (line != null) {
                return line;
            }
            int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
            path = cut <= 0 ? "" : path.substring(0, cut);
        }
        return documentLine;
    }
}
