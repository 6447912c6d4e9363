package io.lcs.model.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lcs.model.api.Kinds;
import io.lcs.model.api.LcsObject;
import java.io.IOException;

/**
 * Reads an {@link LcsObject} by its {@code kind}: checks {@code apiVersion} is
 * {@value LcsObject#API_VERSION} and {@code kind} is one of {@link Kinds#names()}, then reads the
 * record of that kind. Failures are {@link MismatchedInputException}s whose path names the field
 * ({@code apiVersion} or {@code kind}) and whose message says what is wrong and what is expected.
 * Registered for {@code LcsObject.class} only, so the records themselves read normally.
 */
final class LcsObjectDeserializer extends StdDeserializer<LcsObject> {
    LcsObjectDeserializer() {
        super(LcsObject.class);
    }

    @Override
    public LcsObject deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw MismatchedInputException.from(p, LcsObject.class,
                    "expected an object with apiVersion, kind, metadata and spec, found " + FieldPaths.describe(p));
        }
        JsonNode tree = ctxt.readTree(p);
        if (!(tree instanceof ObjectNode node)) {
            throw MismatchedInputException.from(p, LcsObject.class, "expected an object");
        }
        JsonNode apiVersion = node.get("apiVersion");
        if (apiVersion == null || apiVersion.isNull()) {
            throw fieldError(p, node, "apiVersion", "is required (" + LcsObject.API_VERSION + ")");
        }
        if (!apiVersion.isTextual() || !LcsObject.API_VERSION.equals(apiVersion.textValue())) {
            throw fieldError(p, node, "apiVersion", FieldPaths.quote(apiVersion)
                    + " is not supported; use " + LcsObject.API_VERSION);
        }
        JsonNode kind = node.get("kind");
        if (kind == null || kind.isNull()) {
            throw fieldError(p, node, "kind", "is required (one of " + String.join(", ", Kinds.names()) + ")");
        }
        Class<? extends LcsObject> type = kind.isTextual() ? Kinds.classOf(kind.textValue()) : null;
        if (type == null) {
            String suggestion = kind.isTextual() ? FieldPaths.closest(kind.textValue(), Kinds.names()) : null;
            throw fieldError(p, node, "kind", "unknown kind " + FieldPaths.quote(kind)
                    + (suggestion != null ? " (did you mean '" + suggestion + "'?)" : "")
                    + "; known kinds: " + String.join(", ", Kinds.names()));
        }
        return ctxt.readTreeAsValue(node, type);
    }

    private static MismatchedInputException fieldError(JsonParser p, JsonNode node, String field, String message) {
        MismatchedInputException e = MismatchedInputException.from(p, LcsObject.class, message);
        e.prependPath(node, field);
        return e;
    }
}
