package io.lcs.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.time.Instant;

/**
 * The CLI's Jackson setup: lenient on unknown fields (a newer daemon may add some), instants as
 * ISO-8601 text. TODO(lead): replace with {@code io.lcs.model.codec.LcsJson} once it is merged.
 */
final class Json {
    static final ObjectMapper JSON = configure(new ObjectMapper());
    static final ObjectMapper YAML = configure(YAMLMapper.builder().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).build());

    private Json() {
    }

    private static ObjectMapper configure(ObjectMapper m) {
        SimpleModule time = new SimpleModule("lcs-instant");
        time.addSerializer(Instant.class, new JsonSerializer<>() {
            @Override
            public void serialize(Instant value, JsonGenerator gen, SerializerProvider p) throws IOException {
                gen.writeString(value.toString());
            }
        });
        time.addDeserializer(Instant.class, new JsonDeserializer<>() {
            @Override
            public Instant deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
                return Instant.parse(p.getValueAsString());
            }
        });
        m.registerModule(time);
        m.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        m.enable(SerializationFeature.INDENT_OUTPUT);
        return m;
    }

    /** Converts a daemon reply to a model record; a reply that does not fit is a protocol error. */
    static <T> T convert(JsonNode node, Class<T> type) {
        try {
            return JSON.treeToValue(node, type);
        } catch (JsonProcessingException | IllegalArgumentException | java.time.DateTimeException e) {
            throw new CliException(Lcs.EXIT_ERROR, "unexpected reply from lcsd (" + type.getSimpleName() + "): "
                    + e.getMessage());
        }
    }

    static String pretty(JsonNode node, String format) {
        try {
            return "yaml".equals(format) ? YAML.writeValueAsString(node) : JSON.writeValueAsString(node) + "\n";
        } catch (JsonProcessingException e) {
            throw new CliException(Lcs.EXIT_ERROR, "cannot format reply: " + e.getMessage());
        }
    }
}
