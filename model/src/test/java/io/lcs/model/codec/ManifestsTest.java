package io.lcs.model.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.model.api.LcsObject;
import io.lcs.model.api.Move;
import io.lcs.model.api.ObjectMeta;
import io.lcs.model.api.Origin;
import io.lcs.model.api.VirtualIP;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestsTest {
    private static List<String> errorsOf(String source, String text) {
        ManifestException e = assertThrows(ManifestException.class, () -> Manifests.read(source, text));
        return e.errors().stream().map(ManifestError::toString).toList();
    }

    private static String vipDoc(String name, String address) {
        return """
                apiVersion: lcs/v1
                kind: VirtualIP
                metadata:
                  name: %s
                spec:
                  address: %s
                  interface: eth0
                """.formatted(name, address);
    }

    @Test
    void allKindsRoundTripThroughMultiDocumentYaml() {
        String text = Manifests.write(Fixtures.allKinds(), Manifests.Format.YAML);
        assertEquals(4, text.split("(?m)^---$").length - 1, text);
        assertEquals(Fixtures.allKinds(), Manifests.read("all.yaml", text));
    }

    @Test
    void allKindsRoundTripThroughJsonArray() {
        String text = Manifests.write(Fixtures.allKinds(), Manifests.Format.JSON);
        assertTrue(text.startsWith("["), text);
        assertEquals(Fixtures.allKinds(), Manifests.read("all.json", text));
    }

    @Test
    void everyKindRoundTripsAsASingleDocument() {
        for (LcsObject o : Fixtures.allKinds()) {
            String yaml = Manifests.write(o, Manifests.Format.YAML);
            assertEquals(List.of(o), Manifests.read("one.yaml", yaml), yaml);
            String json = Manifests.write(o, Manifests.Format.JSON);
            assertTrue(json.startsWith("{"), json);
            assertEquals(List.of(o), Manifests.read("one.json", json), json);
        }
    }

    @Test
    void writingTheSameObjectsTwiceGivesTheSameText() {
        assertEquals(Manifests.write(Fixtures.allKinds(), Manifests.Format.YAML),
                Manifests.write(Fixtures.allKinds(), Manifests.Format.YAML));
        assertEquals(Manifests.write(Fixtures.allKinds(), Manifests.Format.JSON),
                Manifests.write(Fixtures.allKinds(), Manifests.Format.JSON));
    }

    @Test
    void emptyDocumentsAreSkippedAndNotCounted() {
        String text = "# leading comment\n---\n" + vipDoc("a", "198.18.0.1/24") + "---\n# nothing\n---\n"
                + vipDoc("b", "198.18.0.2/33");
        assertEquals(List.of("f.yaml:18: document 2 (VirtualIP b): spec.address: '198.18.0.2/33' is not a valid CIDR: "
                + "prefix length 33 is greater than 32"), errorsOf("f.yaml", text));
    }

    @Test
    void emptyManifestReadsAsNoObjects() {
        assertEquals(List.of(), Manifests.read("e.yaml", ""));
        assertEquals(List.of(), Manifests.read("e.yaml", "# only a comment\n---\n"));
        assertEquals(List.of(), Manifests.read("e.json", "[]"));
    }

    @Test
    void invalidCidrIsReportedWithDocumentKindAndName() {
        String text = vipDoc("vip1", "198.18.0.1/24") + "---\n" + vipDoc("vip2", "198.18.0.1/33");
        assertEquals(List.of("vips.yaml:14: document 2 (VirtualIP vip2): spec.address: '198.18.0.1/33' is not a valid "
                + "CIDR: prefix length 33 is greater than 32"), errorsOf("vips.yaml", text));
    }

    @Test
    void errorsOfEveryDocumentAreReportedNotOnlyTheFirst() {
        String text = vipDoc("vip1", "198.18.0.300/24") + "---\n" + vipDoc("ok", "198.18.0.1/24") + "---\n"
                + vipDoc("bad name", "198.18.0.1/24");
        List<String> errors = errorsOf("vips.yaml", text);
        assertEquals(2, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith("vips.yaml:6: document 1 (VirtualIP vip1): spec.address: '198.18.0.300/24'"),
                errors.get(0));
        assertEquals("vips.yaml:20: document 3 (VirtualIP bad name): metadata.name: name 'bad name' may only contain "
                + "letters, digits, '_', '.' and '-'", errors.get(1));
    }

    @Test
    void yamlSyntaxErrorHasLineAndColumnAndOtherDocumentsAreStillChecked() {
        String text = vipDoc("vip1", "198.18.0.1/24")       // lines 1-7
                + "---\n"                                     // line 8
                + "apiVersion: lcs/v1\n"                      // line 9
                + "kind: VirtualIP\n"                         // line 10
                + "metadata:\n"                               // line 11
                + "  name: [unclosed\n"                       // line 12
                + "---\n"
                + vipDoc("vip3", "198.18.0.3/40");
        List<String> errors = errorsOf("vips.yaml", text);
        assertEquals(2, errors.size(), errors.toString());
        assertTrue(errors.get(0).matches("vips\\.yaml:1[23]:\\d+: document 2: YAML syntax error: .*"), errors.get(0));
        assertTrue(errors.get(1).startsWith("vips.yaml:19: document 3 (VirtualIP vip3): spec.address: "), errors.get(1));
    }

    @Test
    void badIndentationIsASyntaxErrorWithPosition() {
        String text = "apiVersion: lcs/v1\nkind: VirtualIP\nmetadata:\n  name: a\n    bad: indent\n";
        List<String> errors = errorsOf("i.yaml", text);
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).matches("i\\.yaml:5:\\d+: document 1: YAML syntax error: .+"), errors.get(0));
    }

    @Test
    void unknownFieldSuggestsTheClosestKnownField() {
        String text = """
                apiVersion: lcs/v1
                kind: VirtualIP
                metadata:
                  name: web
                spec:
                  adress: 198.18.0.1/24
                  interface: eth0
                """;
        assertEquals(List.of(
                "vips.yaml:6: document 1 (VirtualIP web): spec.adress: unknown field (did you mean 'address'?)",
                "vips.yaml:5: document 1 (VirtualIP web): spec.address: is required (e.g. 198.18.0.201/24)"),
                errorsOf("vips.yaml", text));
    }

    @Test
    void everyUnknownFieldIsReportedWithItsPath() {
        String text = """
                apiVersion: lcs/v1
                kind: VirtualIP
                metdata:
                  name: web
                spec:
                  address: 198.18.0.1/24
                  interface: eth0
                  hooks:
                    preStrat: /bin/true
                    zzz: {deep: [1, 2]}
                """;
        List<String> errors = errorsOf("v.yaml", text);
        assertEquals(List.of(
                "v.yaml:3: document 1 (VirtualIP): metdata: unknown field (did you mean 'metadata'?)",
                "v.yaml:9: document 1 (VirtualIP): spec.hooks.preStrat: unknown field (did you mean 'preStart'?)",
                "v.yaml:10: document 1 (VirtualIP): spec.hooks.zzz: unknown field (known fields: postStart, postStop, "
                        + "preStart, preStop)",
                "v.yaml:1: document 1 (VirtualIP): metadata: is required (at least metadata.name)"), errors);
    }

    @Test
    void typeErrorsNameTheFieldAndWhatWasExpected() {
        String text = """
                apiVersion: lcs/v1
                kind: VirtualIP
                metadata:
                  name: web
                spec:
                  address: 198.18.0.1/24
                  interface: eth0
                  preferredNodes: a
                """;
        assertEquals(List.of("t.yaml:8: document 1 (VirtualIP web): spec.preferredNodes: expected a list, "
                + "found the string 'a'"), errorsOf("t.yaml", text));
        String ack = """
                {"apiVersion":"lcs/v1","kind":"ConflictAck","metadata":{"name":"x"},"spec":{"vip":"web","epoch":"soon"}}""";
        assertEquals(List.of("t.json:1: document 1 (ConflictAck x): spec.epoch: 'soon' is not a whole number"),
                errorsOf("t.json", ack));
        String time = """
                {"apiVersion":"lcs/v1","kind":"Move","metadata":{"name":"x","creationTimestamp":"noon"},"spec":{"vip":"web"}}""";
        assertEquals(List.of("t.json:1: document 1 (Move x): metadata.creationTimestamp: 'noon' is not an ISO-8601 "
                + "time such as 2024-05-01T12:00:00Z"), errorsOf("t.json", time));
    }

    @Test
    void apiVersionAndKindErrors() {
        assertEquals(List.of("k.yaml:1: document 1 (VirtualIP a): apiVersion: is required (lcs/v1)"),
                errorsOf("k.yaml", "kind: VirtualIP\nmetadata: {name: a}\n"));
        assertEquals(List.of("k.yaml:1: document 1 (VirtualIP a): apiVersion: 'v1' is not supported; use lcs/v1"),
                errorsOf("k.yaml", "apiVersion: v1\nkind: VirtualIP\nmetadata: {name: a}\n"));
        assertEquals(List.of("k.yaml:2: document 1 (Pod a): kind: unknown kind 'Pod'; known kinds: VirtualIP, Service, "
                + "HealthCheck, Move, ConflictAck, NodeIntent, ResourceIntent"), errorsOf("k.yaml", "apiVersion: lcs/v1\nkind: Pod\nmetadata: {name: a}\n"));
        assertEquals(List.of("k.yaml:1: document 1: kind: is required (one of VirtualIP, Service, HealthCheck, Move, ConflictAck, NodeIntent, ResourceIntent)"),
                errorsOf("k.yaml", "apiVersion: lcs/v1\nmetadata: {name: a}\n"));
    }

    @Test
    void aDocumentThatIsNotAnObjectIsAnError() {
        assertEquals(List.of("s.yaml: document 1: expected an object with apiVersion, kind, metadata and spec, "
                + "found a list (separate objects with --- lines)"), errorsOf("s.yaml", "- a\n- b\n"));
        assertEquals(List.of("s.yaml: document 1: expected an object with apiVersion, kind, metadata and spec, "
                + "found 'hello'"), errorsOf("s.yaml", "hello\n"));
        assertEquals(List.of("s.json: document 2: expected an object with apiVersion, kind, metadata and spec, "
                + "found 42"), errorsOf("s.json", "[" + Manifests.write(Fixtures.move(), Manifests.Format.JSON) + ", 42]"));
    }

    @Test
    void jsonSyntaxErrorHasLineAndColumnAndEarlierDocumentsAreChecked() {
        String text = "[\n" + "{\"apiVersion\":\"lcs/v1\",\"kind\":\"Move\",\"metadata\":{\"name\":\"m\"},\"spec\":{}},\n"
                + "{\"apiVersion\": \"lcs/v1\",, }\n]";
        List<String> errors = errorsOf("m.json", text);
        assertEquals(2, errors.size(), errors.toString());
        assertEquals("m.json:2: document 1 (Move m): spec.vip: is required", errors.get(0));
        assertTrue(errors.get(1).matches("m\\.json:3:\\d+: document 2: JSON syntax error: .+"), errors.get(1));
    }

    @Test
    void trailingContentAfterJsonObjectIsAnError() {
        String one = Manifests.write(Fixtures.move(), Manifests.Format.JSON);
        List<String> errors = errorsOf("t.json", one + one);
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).contains("document 1: unexpected content after the JSON value"), errors.get(0));
    }

    @Test
    void sameObjectTwiceInOneManifestIsAnError() {
        String text = vipDoc("a", "198.18.0.1/24") + "---\n" + vipDoc("a", "198.18.0.2/24");
        assertEquals(List.of("d.yaml:12: document 2 (VirtualIP a): metadata.name: the same VirtualIP is already in "
                + "document 1; an object may appear once per manifest"), errorsOf("d.yaml", text));
    }

    @Test
    void duplicateKeyInOneDocumentIsAnError() {
        String text = vipDoc("a", "198.18.0.1/24") + "kind: Move\n";
        List<String> errors = errorsOf("k.yaml", text);
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).contains("document 1") && errors.get(0).contains("kind"), errors.get(0));
    }

    @Test
    void statusIsIgnoredInUserInputSoGetOutputCanBeAppliedAgain() {
        String text = Manifests.write(Fixtures.serverVip(), Manifests.Format.YAML);
        assertEquals(null, ((VirtualIP) Manifests.read("s.yaml", text).get(0)).status());
        assertEquals(List.of(Fixtures.serverVip()), Manifests.read("s.yaml", text, Origin.SERVER));
    }

    @Test
    void serverMaintainedMetadataInUserInputIsIgnored() {
        String text = """
                apiVersion: lcs/v1
                kind: Move
                metadata:
                  name: m
                  version: 99
                  generation: 4
                  creationTimestamp: 2024-05-01T12:00:00Z
                  labels: {who: ops}
                spec:
                  vip: web
                """;
        Move read = assertInstanceOf(Move.class, Manifests.read("m.yaml", text).get(0));
        assertEquals(new ObjectMeta("m", null, null, null, java.util.Map.of("who", "ops")), read.metadata());
        Move server = assertInstanceOf(Move.class, Manifests.read("m.yaml", text, Origin.SERVER).get(0));
        assertEquals(99L, server.metadata().version());
    }

    @Test
    void documentMarkersWithContentAndDocumentEndMarkersAreHonoured() {
        String text = "%YAML 1.1\n--- " + "{apiVersion: lcs/v1, kind: Move, metadata: {name: m}, spec: {vip: w}}\n"
                + "...\n" + vipDoc("v", "198.18.0.1/24") + "...\n";
        List<LcsObject> objects = Manifests.read("m.yaml", text);
        assertEquals(2, objects.size());
        assertEquals("w", ((Move) objects.get(0)).spec().vip());
        assertEquals("v", objects.get(1).metadata().name());
    }

    @Test
    void tooLargeManifestIsRefusedBeforeParsing() {
        String text = "#".repeat(LcsJson.MAX_DOCUMENT_BYTES + 1);
        ManifestException e = assertThrows(ManifestException.class, () -> Manifests.read("big.yaml", text));
        assertEquals("big.yaml: manifest is 1048577 characters long; the limit is 1048576", e.getMessage());
        assertEquals(0, e.errors().get(0).document());
    }

    @Test
    void errorMessageRendering() {
        assertEquals("vips.yaml:7:3: document 2: YAML syntax error: x",
                new ManifestError("vips.yaml", 2, null, null, "YAML syntax error: x", 7, 3).toString());
        assertEquals("vips.yaml: document 2 (VirtualIP vip2): spec.address: bad",
                new ManifestError("vips.yaml", 2, "VirtualIP vip2", "spec.address", "bad", 0, 0).toString());
        assertEquals("vips.yaml:7: document 1: m", new ManifestError("vips.yaml", 1, null, "", "m", 7, 0).toString());
    }

    @Test
    void formatIsDetectedFromTheFirstCharacter() {
        assertEquals(Manifests.Format.JSON, Manifests.detect("  \n {\"a\":1}"));
        assertEquals(Manifests.Format.JSON, Manifests.detect("[]"));
        assertEquals(Manifests.Format.YAML, Manifests.detect("apiVersion: lcs/v1"));
        assertEquals(Manifests.Format.YAML, Manifests.detect(""));
    }

    @Test
    void vipsWithoutOptionalFieldsReadAsNull() {
        VirtualIP v = assertInstanceOf(VirtualIP.class, Manifests.read("v.yaml", vipDoc("a", "198.18.0.1/24")).get(0));
        assertNull(v.spec().preferredNodes());
        assertNull(v.spec().hooks());
        assertNull(v.status());
    }

    @Test
    void unknownFieldsInsideListElementsHaveIndexedPaths() {
        String text = Manifests.write(Fixtures.serverVip(), Manifests.Format.JSON)
                .replace("\"reason\"", "\"raeson\"");
        ManifestException e = assertThrows(ManifestException.class, () -> Manifests.read("s.json", text, Origin.SERVER));
        assertEquals(List.of("s.json:29: document 1 (VirtualIP web): status.conditions[0].raeson: unknown field "
                + "(did you mean 'reason'?)"), e.errors().stream().map(ManifestError::toString).toList());
    }

    @Test
    void yamlAliasesAreRefusedBecauseTheyCannotBeExpanded() {
        String text = """
                apiVersion: lcs/v1
                kind: VirtualIP
                metadata: &m
                  name: web
                spec:
                  address: 198.18.0.1/24
                  interface: eth0
                  preferredNodes: [a, *m]
                """;
        assertEquals(List.of("a.yaml:8:23: document 1: YAML aliases are not supported (found *m); write the value out"),
                errorsOf("a.yaml", text));
    }

    @Test
    void aProblemOfAFieldIsReportedAtTheLineOfThatFieldOrOfItsParentWhenItIsMissing() {
        String text = vipDoc("ok", "198.18.0.1/24") + "---\n" + """
                apiVersion: lcs/v1
                kind: VirtualIP
                metadata:
                  name: web
                spec:
                  interface: eth0
                  preferredNodes:
                    - a
                    - "b c"
                  address: 198.18.0.1/40
                """;
        List<String> errors = errorsOf("vips.yaml", text);
        assertEquals(2, errors.size(), errors.toString());
        assertEquals("vips.yaml:18: document 2 (VirtualIP web): spec.address: '198.18.0.1/40' is not a valid CIDR:"
                + " prefix length 40 is greater than 32", errors.get(0));
        assertTrue(errors.get(1).startsWith("vips.yaml:17: document 2 (VirtualIP web): spec.preferredNodes[1]: "),
                errors.get(1));
        String json = "[\n" + "{\"apiVersion\":\"lcs/v1\",\"kind\":\"VirtualIP\",\"metadata\":{\"name\":\"a\"},\n"
                + " \"spec\":{\"interface\":\"eth0\",\n  \"address\":\"198.18.0.1/24\"}},\n"
                + "{\"apiVersion\":\"lcs/v1\",\"kind\":\"VirtualIP\",\"metadata\":{\"name\":\"b\"},\n"
                + " \"spec\":{\"interface\":\"eth0\"}}]\n";
        assertEquals(List.of("vips.json:6: document 2 (VirtualIP b): spec.address: is required (e.g. 198.18.0.201/24)"),
                errorsOf("vips.json", json), "a missing field: the line of its parent");
    }
}
