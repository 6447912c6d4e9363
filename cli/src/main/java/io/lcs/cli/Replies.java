package io.lcs.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lcs.model.codec.LcsJson;
import java.util.List;

/**
 * How the CLI reads lcsd's replies and prints them with {@code -o json|yaml}: the project's one
 * Jackson setup ({@link LcsJson}), with two differences for replies only.
 * <ul>
 *   <li>Unknown properties are ignored: a newer lcsd may add fields (docs/api.md, "Clients must
 *       ignore fields they do not know").</li>
 *   <li>A reply may be up to {@link AdminClient#MAX_REPLY_BYTES} rather than LcsJson's 1 MiB manifest
 *       limit: {@code get vips} of a few thousand VIPs with status is larger than 1 MiB. The other
 *       limits (nesting, string, name and number length) stay LcsJson's; the token limit scales
 *       with the size.</li>
 * </ul>
 * The mapper is made once, when this class is first used (not per call, and not at all by verbs
 * that fail before a reply arrives). Thread-safe.
 */
final class Replies {
    /** LcsJson's token budget per MiB, times the MiB a reply may have. */
    static final long MAX_REPLY_TOKENS = LcsJson.MAX_TOKENS * (AdminClient.MAX_REPLY_BYTES / LcsJson.MAX_DOCUMENT_BYTES);

    static final ObjectMapper LENIENT = lenient();

    private Replies() {
    }

    private static ObjectMapper lenient() {
        ObjectMapper m = LcsJson.json().copy().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        // copy() gave this mapper its own factory: changing its limits leaves LcsJson.json() untouched
        m.getFactory().setStreamReadConstraints(LcsJson.limits().rebuild()
                .maxDocumentLength(AdminClient.MAX_REPLY_BYTES)
                .maxTokenCount(MAX_REPLY_TOKENS)
                .build());
        return m;
    }

    /** Parses a reply body; an empty body is JSON null. */
    static JsonNode parse(String text) throws JsonProcessingException {
        return text.isEmpty() ? LENIENT.nullNode() : LENIENT.readTree(text);
    }

    /** Converts a daemon reply to a model record; a reply that does not fit is a protocol error. */
    static <T> T convert(JsonNode node, Class<T> type) {
        try {
            return LENIENT.treeToValue(node, type);
        } catch (JsonProcessingException | IllegalArgumentException | java.time.DateTimeException e) {
            throw new CliException(Lcs.EXIT_ERROR, "unexpected reply from lcsd (" + type.getSimpleName() + "): "
                    + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
    }

    /** {@code {"items": [...]}}, the API's list shape (built here so the verbs load no node classes). */
    static JsonNode items(List<JsonNode> items) {
        ObjectNode list = LENIENT.createObjectNode();
        list.putArray("items").addAll(items);
        return list;
    }

    /**
     * {@code -o json}: the reply pretty-printed as received (fields this client does not know
     * included); {@code -o yaml}: the same tree as YAML ({@link LcsJson#yaml()}). Ends with a newline.
     */
    static String format(JsonNode node, String format) {
        try {
            return "yaml".equals(format) ? LcsJson.yaml().writeValueAsString(node)
                    : LENIENT.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n";
        } catch (JsonProcessingException e) {
            throw new CliException(Lcs.EXIT_ERROR, "cannot format reply: " + e.getOriginalMessage());
        }
    }
}
