package io.lcs.model.codec;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.lcs.model.Names;
import java.io.IOException;

/**
 * A YAML parser that refuses aliases. Jackson's YAML reader does not expand {@code *name}: it
 * returns the anchor's name as a string, so {@code preferredNodes: [a, *m]} would silently read as
 * {@code [a, m]}. Refusing is the honest choice (and also rules out alias bombs). Anchors alone
 * ({@code &m}) are harmless and ignored.
 */
final class NoAliases extends JsonParserDelegate {
    /** Thrown at the alias, with its location. */
    static final class AliasException extends JsonParseException {
        AliasException(YAMLParser p, String message) {
            super(p, message, p.currentTokenLocation());
        }
    }

    private final YAMLParser yaml;

    NoAliases(YAMLParser yaml) {
        super(yaml);
        this.yaml = yaml;
    }

    @Override
    public JsonToken nextToken() throws IOException {
        JsonToken t = super.nextToken();
        if (yaml.isCurrentAlias()) {
            throw new AliasException(yaml, "YAML aliases are not supported (found *"
                    + Names.abbreviate(FieldPaths.printable(yaml.getText())) + "); write the value out");
        }
        return t;
    }

    @Override
    public JsonToken nextValue() throws IOException {
        JsonToken t = nextToken();
        return t == JsonToken.FIELD_NAME ? nextToken() : t;
    }
}
