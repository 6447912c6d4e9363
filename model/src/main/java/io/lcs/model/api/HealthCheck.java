package io.lcs.model.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.lcs.model.config.CheckConfig;
import io.lcs.model.config.CheckFields;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A health check applied through the API: the {@code [check NAME]} section of lcs.conf as a
 * manifest, with the same fields in the manifest's camelCase ({@code expectStatus},
 * {@code intervalMs}, {@code timeoutMs}, {@code holdMs}) and the same defaults and limits
 * ({@link CheckFields}). A {@code VirtualIP} lists the checks it needs in {@code spec.checks}; every
 * full-member runs the checks some VIP lists, so the cluster knows where each VIP may go.
 *
 * <pre>
 * apiVersion: lcs/v1
 * kind: HealthCheck
 * metadata: {name: web}
 * spec: {type: http, url: "http://127.0.0.1:8080/healthz", intervalMs: 1000, fall: 3, rise: 2}
 * </pre>
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"apiVersion", "kind", "metadata", "spec"})
public record HealthCheck(String apiVersion, String kind, ObjectMeta metadata, Spec spec) implements LcsObject {
    public static final String KIND = "HealthCheck";

    /**
     * The fields of a {@code [check]} section; null means its default there.
     *
     * @param command {@code exec}: the program and its arguments, split on whitespace (no shell)
     * @param address {@code tcp}: {@code HOST:PORT} ({@code [IPv6]:PORT})
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Spec(String type, String url, Integer expectStatus, String command, String address,
                       @JsonProperty("interface") String interfaceName, Integer intervalMs, Integer timeoutMs,
                       Integer fall, Integer rise, Integer holdMs) {
        /**
         * The same fields under their lcs.conf keys, for {@link CheckFields#parse}: one parser, one set of
         * rules and messages for both sources.
         */
        public Map<String, String> asConfigKeys() {
            Map<String, String> out = new LinkedHashMap<>();
            put(out, "type", type);
            put(out, "url", url);
            put(out, "expect_status", expectStatus);
            put(out, "command", command);
            put(out, "address", address);
            put(out, "interface", interfaceName);
            put(out, "interval_ms", intervalMs);
            put(out, "timeout_ms", timeoutMs);
            put(out, "fall", fall);
            put(out, "rise", rise);
            put(out, "hold_ms", holdMs);
            return out;
        }

        private static void put(Map<String, String> out, String key, Object value) {
            if (value != null) {
                out.put(key, value.toString());
            }
        }
    }

    /** The manifest field of an lcs.conf {@code [check]} key, for error messages. */
    public static String manifestField(String configKey) {
        return "spec." + switch (configKey) {
            case "expect_status" -> "expectStatus";
            case "interval_ms" -> "intervalMs";
            case "timeout_ms" -> "timeoutMs";
            case "hold_ms" -> "holdMs";
            default -> configKey;
        };
    }

    public static HealthCheck of(String name, Spec spec) {
        return new HealthCheck(API_VERSION, KIND, ObjectMeta.named(name), spec);
    }

    /** Parsed by the lcs.conf rules; {@link CheckFields.Parsed#check()} is null when it has problems. */
    public CheckFields.Parsed parse() {
        return CheckFields.parse(metadata().name(), spec() == null ? Map.of() : spec().asConfigKeys(), 0);
    }

    /** The check it describes, or null if it does not pass {@link #parse()}. */
    public CheckConfig toCheckConfig() {
        return parse().check();
    }
}
