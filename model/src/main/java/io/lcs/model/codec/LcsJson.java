package io.lcs.model.codec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.MapperBuilder;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.lcs.model.api.LcsObject;
import java.time.Instant;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * The one Jackson setup of lcs: every module reads and writes objects, manifests, wire messages and
 * API bodies through {@link #json()} or {@link #yaml()}, never through a {@code new ObjectMapper()}.
 *
 * <p>Contract of both mappers (they are identical except for the format):
 * <ul>
 *   <li>unknown properties fail ({@code FAIL_ON_UNKNOWN_PROPERTIES}); {@code null} for a primitive
 *       fails, while an absent primitive record component takes its default ({@code false}, {@code 0});
 *       duplicate keys fail (in the stream and in trees); {@code 1.5} is not read as an integer;</li>
 *   <li>{@link Instant} is an ISO-8601 string ({@code 2024-05-01T12:00:00Z}), never a number;</li>
 *   <li>integers read into trees and untyped values as {@code long}, so a tree built from a record
 *       ({@code valueToTree}) equals the tree read back from its text;</li>
 *   <li>output is stable: properties in declaration order (records) or {@code @JsonPropertyOrder},
 *       map entries sorted by key, {@code null} properties omitted;</li>
 *   <li>YAML has no {@code ---} start marker for a single document and quotes only when needed;</li>
 *   <li>input is bounded ({@link #limits()}): hostile input fails fast with a
 *       {@code StreamConstraintsException} instead of exhausting memory or stack;</li>
 *   <li>{@link LcsObject} is read polymorphically by its {@code kind}, after checking
 *       {@code apiVersion} is {@value LcsObject#API_VERSION}.</li>
 * </ul>
 * Read operator YAML through {@link Manifests}, not {@code yaml()} directly: Jackson's YAML reader
 * returns an alias ({@code *name}) as the string {@code name}; {@link Manifests} refuses aliases.
 * Both mappers are configured once, at class initialisation, and are thread-safe; callers must not
 * reconfigure them (use {@code reader()/writer()} views for per-call settings).
 */
public final class LcsJson {
    /** 1 MiB: a manifest of a few hundred VIPs is tens of KiB; anything larger is a mistake or an attack. */
    public static final int MAX_DOCUMENT_BYTES = 1 << 20;
    /** 64: our objects nest at most 5 deep (VirtualIP.status.conditions[i].field); 64 leaves room for wire envelopes. */
    public static final int MAX_NESTING_DEPTH = 64;
    /** 256 KiB: the longest legitimate string is a hook output excerpt or a condition message. */
    public static final int MAX_STRING_CHARS = 256 << 10;
    /** 1024: property names are short identifiers; label keys are at most 317 characters in Kubernetes. */
    public static final int MAX_NAME_CHARS = 1024;
    /** 100: the longest legitimate number is a 64-bit counter (20 digits) or a double. */
    public static final int MAX_NUMBER_CHARS = 100;
    /** 200 000 tokens: a 1 MiB document of tiny tokens; bounds CPU spent on one document. */
    public static final long MAX_TOKENS = 200_000;

    private static final StreamReadConstraints LIMITS = StreamReadConstraints.builder()
            .maxDocumentLength(MAX_DOCUMENT_BYTES)
            .maxNestingDepth(MAX_NESTING_DEPTH)
            .maxStringLength(MAX_STRING_CHARS)
            .maxNameLength(MAX_NAME_CHARS)
            .maxNumberLength(MAX_NUMBER_CHARS)
            .maxTokenCount(MAX_TOKENS)
            .build();

    private static final ObjectMapper JSON = configure(JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(LIMITS)
                    .streamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            );

    /**
     * Holder: the YAML mapper (and Jackson YAML, SnakeYAML) is only loaded by the first {@link #yaml()}
     * call, so a daemon that only speaks JSON never loads it (docs/footprint.md).
     */
    private static final class Yaml {
        static final ObjectMapper MAPPER = configure(YAMLMapper.builder(YAMLFactory.builder()
                        .streamReadConstraints(LIMITS)
                        .streamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
                        .loaderOptions(loaderOptions())
                        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                        .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                        .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                        .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                        .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
                        .build())
                );
    }

    private LcsJson() {
    }

    /** The JSON mapper (wire, admin API, replicated store, {@code -o json}). */
    public static ObjectMapper json() {
        return JSON;
    }

    /** The YAML mapper ({@code lcs apply -f}, {@code -o yaml}); reads one document per call, see {@link Manifests}. */
    public static ObjectMapper yaml() {
        return Yaml.MAPPER;
    }

    /** The input limits both mappers enforce. */
    public static StreamReadConstraints limits() {
        return LIMITS;
    }

    private static LoaderOptions loaderOptions() {
        LoaderOptions options = new LoaderOptions();
        // SnakeYAML's own limits, in characters; our size limit is checked before parsing too.
        options.setCodePointLimit(MAX_DOCUMENT_BYTES);
        options.setNestingDepthLimit(MAX_NESTING_DEPTH);
        options.setMaxAliasesForCollections(10);
        options.setAllowDuplicateKeys(false);
        return options;
    }

    private static <M extends ObjectMapper, B extends MapperBuilder<M, B>> M configure(B builder) {
        SimpleModule module = new SimpleModule("lcs");
        module.addSerializer(Instant.class, new InstantCodec.Serializer());
        module.addDeserializer(Instant.class, new InstantCodec.Deserializer());
        module.addDeserializer(LcsObject.class, new LcsObjectDeserializer());
        PrimitiveDefaults.register(module);
        return builder.addModule(module)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
                        DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
                        DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY,
                        DeserializationFeature.FAIL_ON_TRAILING_TOKENS,
                        DeserializationFeature.USE_LONG_FOR_INTS)
                // epoch: 1.5 is a mistake, not epoch 1
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS, SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                .disable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
                .enable(MapperFeature.SORT_CREATOR_PROPERTIES_FIRST)
                .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.USE_DEFAULTS))
                .build();
    }
}
