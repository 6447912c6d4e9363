package io.lcs.model.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.lcs.model.api.LcsObject;
import io.lcs.model.api.NodeIntent;
import io.lcs.model.api.VirtualIP;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class LcsJsonTest {
    static java.util.List<LcsObject> objects() {
        java.util.List<LcsObject> all = new java.util.ArrayList<>(Fixtures.allKinds());
        all.add(Fixtures.serverVip());
        return all;
    }

    @ParameterizedTest
    @MethodSource("objects")
    void everyKindRoundTripsThroughJsonAsLcsObject(LcsObject object) throws Exception {
        String text = LcsJson.json().writeValueAsString(object);
        assertEquals(object, LcsJson.json().readValue(text, LcsObject.class), text);
    }

    @ParameterizedTest
    @MethodSource("objects")
    void everyKindRoundTripsThroughYamlAsLcsObject(LcsObject object) throws Exception {
        String text = LcsJson.yaml().writeValueAsString(object);
        assertFalse(text.startsWith("---"), text);
        assertEquals(object, LcsJson.yaml().readValue(text, LcsObject.class), text);
    }

    @Test
    void yamlOutputIsStableAndReadable() throws Exception {
        String text = LcsJson.yaml().writeValueAsString(Fixtures.vip());
        assertEquals("""
                apiVersion: lcs/v1
                kind: VirtualIP
                metadata:
                  name: web
                  labels:
                    app: shop
                    tier: frontend
                spec:
                  address: 198.18.0.201/24
                  interface: eth0
                  preferredNodes:
                    - a
                    - b
                  hooks:
                    preStart: /usr/local/libexec/lcs/pre
                    preStop: /opt/stop
                """, text);
    }

    @Test
    void instantsAreIsoStringsNeverNumbers() throws Exception {
        String json = LcsJson.json().writeValueAsString(Fixtures.serverVip());
        assertTrue(json.contains("\"creationTimestamp\":\"2024-05-01T12:00:00.123Z\""), json);
        assertEquals(Instant.parse("2024-05-01T10:00:00Z"),
                LcsJson.json().readValue("\"2024-05-01T12:00:00+02:00\"", Instant.class));
        assertThrows(MismatchedInputException.class, () -> LcsJson.json().readValue("1714557600", Instant.class));
        var e = assertThrows(MismatchedInputException.class, () -> LcsJson.json().readValue("\"yesterday\"", Instant.class));
        assertTrue(e.getMessage().contains("not an ISO-8601 time"), e.getMessage());
    }

    @Test
    void missingApiVersionIsAnError() {
        var e = assertThrows(MismatchedInputException.class, () -> LcsJson.json().readValue(
                "{\"kind\":\"Move\",\"metadata\":{\"name\":\"m\"}}", LcsObject.class));
        assertEquals("is required (lcs/v1)", e.getOriginalMessage());
        assertEquals("apiVersion", e.getPath().get(0).getFieldName());
    }

    @Test
    void foreignApiVersionIsAnError() {
        var e = assertThrows(MismatchedInputException.class, () -> LcsJson.json().readValue(
                "{\"apiVersion\":\"v1\",\"kind\":\"Move\"}", LcsObject.class));
        assertEquals("'v1' is not supported; use lcs/v1", e.getOriginalMessage());
    }

    @Test
    void unknownKindIsAnErrorListingTheKnownKinds() {
        var e = assertThrows(MismatchedInputException.class, () -> LcsJson.json().readValue(
                "{\"apiVersion\":\"lcs/v1\",\"kind\":\"Pod\"}", LcsObject.class));
        assertEquals("unknown kind 'Pod'; known kinds: VirtualIP, Service, HealthCheck, Move, ConflictAck, NodeIntent, ResourceIntent",
                e.getOriginalMessage());
        var typo = assertThrows(MismatchedInputException.class, () -> LcsJson.json().readValue(
                "{\"apiVersion\":\"lcs/v1\",\"kind\":\"VirtualIp\"}", LcsObject.class));
        assertTrue(typo.getOriginalMessage().contains("did you mean 'VirtualIP'?"), typo.getOriginalMessage());
    }

    @Test
    void kindDispatchesToTheRecord() throws Exception {
        LcsObject o = LcsJson.json().readValue("""
                {"apiVersion":"lcs/v1","kind":"NodeIntent","metadata":{"name":"a"},"spec":{"cordoned":true}}""",
                LcsObject.class);
        NodeIntent intent = assertInstanceOf(NodeIntent.class, o);
        assertTrue(intent.spec().cordoned());
        assertFalse(intent.spec().drain());
    }

    @Test
    void unknownPropertiesFail() {
        assertThrows(UnrecognizedPropertyException.class, () -> LcsJson.json().readValue("""
                {"apiVersion":"lcs/v1","kind":"VirtualIP","metadata":{"name":"a"},"spec":{"adress":"x"}}""",
                LcsObject.class));
    }

    @Test
    void nullForPrimitiveFails() {
        assertThrows(MismatchedInputException.class, () -> LcsJson.json().readValue("""
                {"apiVersion":"lcs/v1","kind":"NodeIntent","metadata":{"name":"a"},"spec":{"cordoned":null}}""",
                LcsObject.class));
    }

    @Test
    void duplicateKeysFailInJsonAndYaml() {
        assertThrows(JsonProcessingException.class, () -> LcsJson.json().readTree("{\"a\":1,\"a\":2}"));
        assertThrows(JsonProcessingException.class, () -> LcsJson.yaml().readTree("a: 1\na: 2\n"));
    }

    @Test
    void nestingDeeperThanTheLimitFails() {
        String deep = "[".repeat(LcsJson.MAX_NESTING_DEPTH + 1) + "]".repeat(LcsJson.MAX_NESTING_DEPTH + 1);
        assertThrows(StreamConstraintsException.class, () -> LcsJson.json().readTree(deep));
        String ok = "[".repeat(LcsJson.MAX_NESTING_DEPTH) + "]".repeat(LcsJson.MAX_NESTING_DEPTH);
        assertDoesNotThrow(() -> LcsJson.json().readTree(ok));
        String yamlDeep = "[".repeat(LcsJson.MAX_NESTING_DEPTH + 1) + "]".repeat(LcsJson.MAX_NESTING_DEPTH + 1);
        assertThrows(JsonProcessingException.class, () -> LcsJson.yaml().readTree(yamlDeep));
    }

    @Test
    void stringsLongerThanTheLimitFail() {
        String huge = "\"" + "x".repeat(LcsJson.MAX_STRING_CHARS + 1) + "\"";
        assertThrows(StreamConstraintsException.class, () -> LcsJson.json().readTree(huge));
        // SnakeYAML does not count string length; its code point limit bounds the whole document instead
        String hugeYaml = "a: " + "x".repeat(LcsJson.MAX_DOCUMENT_BYTES + 1) + "\n";
        assertThrows(JsonProcessingException.class, () -> LcsJson.yaml().readTree(hugeYaml));
    }

    @Test
    void fractionalEpochIsRefusedNotTruncated() {
        assertThrows(MismatchedInputException.class, () -> LcsJson.json().readValue("""
                {"apiVersion":"lcs/v1","kind":"ConflictAck","metadata":{"name":"a"},"spec":{"vip":"v","epoch":1.5}}""",
                LcsObject.class));
    }

    @Test
    void interfaceIsTheJsonNameOfInterfaceName() throws Exception {
        JsonNode tree = LcsJson.json().valueToTree(Fixtures.vip());
        assertEquals("eth0", tree.path("spec").path("interface").asText());
        assertFalse(tree.path("spec").has("interfaceName"));
        VirtualIP back = LcsJson.json().treeToValue(tree, VirtualIP.class);
        assertEquals(Fixtures.vip(), back);
    }

    private static void assertDoesNotThrow(org.junit.jupiter.api.function.Executable e) {
        org.junit.jupiter.api.Assertions.assertDoesNotThrow(e);
    }
}
