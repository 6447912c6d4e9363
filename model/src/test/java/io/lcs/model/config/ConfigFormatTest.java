package io.lcs.model.config;

import static io.lcs.model.config.Configs.BASE;
import static io.lcs.model.config.Configs.FILE;
import static io.lcs.model.config.Configs.assertError;
import static io.lcs.model.config.Configs.errors;
import static io.lcs.model.config.Configs.line;
import static io.lcs.model.config.Configs.parse;
import static io.lcs.model.config.Configs.replace;
import static io.lcs.model.config.Configs.withCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The INI syntax: sections, keys, comments, line ends, and the errors for malformed lines. */
class ConfigFormatTest {

    @Test
    void baseConfigParses() {
        ClusterConfig c = parse(BASE);
        assertEquals("demo", c.name());
        assertEquals("a", c.nodeName());
        assertEquals(3, c.nodes().size());
        assertEquals(1, c.vips().size());
        assertEquals(FILE, c.file());
    }

    @Test
    void commentsWithHashOrSemicolonOnWholeLinesAreIgnored() {
        String text = "# top\n; also top\n   # indented\n" + replace(BASE, "[node b]", "; comment\n[node b]\n# inside");
        assertEquals(3, parse(text).nodes().size());
    }

    @Test
    void inlineCommentStartsOnlyAtWhitespaceFollowedByHashOrSemicolon() {
        assertEquals("ab#c;d-0123456789abcdef", parse(replace(BASE, "secret = 0123456789abcdef", "secret = ab#c;d-0123456789abcdef")).secret());
        assertEquals("abcdefgh12345678", parse(replace(BASE, "secret = 0123456789abcdef",
                "secret = abcdefgh12345678 # the secret")).secret());
        assertEquals("abcdefgh12345678", parse(replace(BASE, "secret = 0123456789abcdef",
                "secret = abcdefgh12345678\t; tab before")).secret());
        ClusterConfig c = parse(replace(BASE, "interface = eth0", "interface = eth0 # uplink"));
        assertEquals("eth0", c.vips().get(0).interfaceName());
        ClusterConfig header = parse(replace(BASE, "[node b]", "[node b]   ; second node"));
        assertTrue(header.node("b").isPresent());
    }

    @Test
    void valueThatIsOnlyACommentIsReportedAsEmptyWithTheReason() {
        String text = replace(BASE, "secret = 0123456789abcdef", "secret = #abc");
        assertError(text, "secret = #abc", "starts a comment");
    }

    @Test
    void crlfLineEndsAndUtf8ByteOrderMarkAreAccepted() {
        String text = "\uFEFF" + BASE.replace("\n", "\r\n");
        ClusterConfig c = parse(text);
        assertEquals("demo", c.name());
        assertEquals("eth0", c.vips().get(0).interfaceName());
    }

    @Test
    void blankLinesAndSurroundingWhitespaceAreAccepted() {
        String text = "\n\n  [cluster]  \n\t name\t=\tdemo  \n node=a\nsecret=0123456789abcdef\n\n\n"
                + BASE.substring(BASE.indexOf("[node a]")).replace("role = full-member", "   role   =   full-member   ");
        ClusterConfig c = parse(text);
        assertEquals("demo", c.name());
        assertEquals(Role.FULL_MEMBER, c.self().role());
    }

    @Test
    void crlfLineNumbersMatchTheFile() {
        String text = BASE.replace("\n", "\r\n").replace("interface = eth0", "interface = eth0:1");
        assertError(errors(text), line(BASE, "interface = eth0"), "not a valid Linux interface name");
    }

    @Test
    void sectionNameMustFollowTheNamesRule() {
        String text = replace(BASE, "[node c]", "[node c/x]");
        assertError(text, "[node c/x]", "may only contain letters, digits");
    }

    @Test
    void sectionNameMustBeOneWord() {
        String text = replace(BASE, "[vip web]", "[vip web server]");
        assertError(text, "[vip web server]", "single word");
    }

    @Test
    void nodeAndVipSectionsNeedANameAndClusterTakesNone() {
        assertError(replace(BASE, "[vip web]", "[vip]"), "[vip]", "needs a name");
        assertError(replace(BASE, "[cluster]", "[cluster demo]"), "[cluster demo]", "takes no name");
    }

    @Test
    void unknownSectionKindSuggestsTheClosest() {
        String text = replace(BASE, "[node c]", "[nodes c]");
        assertError(text, "[nodes c]", "did you mean [node NAME]");
    }

    @Test
    void sectionHeaderMustEndWithBracket() {
        String text = replace(BASE, "[node b]", "[node b");
        assertError(text, "[node b", "must end with ']'");
    }

    @Test
    void duplicateSectionSaysWhereTheFirstWas() {
        String text = BASE + "\n[node b]\nrole = full-member\naddress = 198.18.0.9\n";
        int first = line(BASE, "[node b]");
        int second = line(text, "address = 198.18.0.9") - 2;
        assertError(errors(text), second, "duplicate section [node b] (first defined on line " + first + ")");
    }

    @Test
    void duplicateKeySaysWhereTheFirstWas() {
        String text = withCluster("name = other");
        assertError(text, "name = other", "duplicate key 'name' in [cluster] (first set on line " + line(text, "name = demo") + ")");
    }

    @Test
    void keyOutsideAnySectionIsAnError() {
        String text = "name = early\n" + BASE;
        assertError(errors(text), 1, "'name' is outside any section");
    }

    @Test
    void lineWithoutEqualsIsAnError() {
        String text = withCluster("metrics true");
        assertError(text, "metrics true", "expected 'key = value'");
    }

    @Test
    void unknownKeySuggestsTheClosestKnownKey() {
        assertError(withCluster("lease = 3000"), "lease = 3000", "unknown key 'lease' in [cluster] (did you mean 'lease_ms'?)");
        assertError(withCluster("metric_port = 9000"), "metric_port = 9000", "did you mean 'metrics_port'?");
        assertError(replace(BASE, "address = 198.18.0.2", "adress = 198.18.0.2"), "adress = 198.18.0.2",
                "unknown key 'adress' in [node b] (did you mean 'address'?)");
        assertError(withCluster("Name = x"), "Name = x", "did you mean 'name'?");
    }

    @Test
    void keyOfAnotherSectionSaysWhereItBelongs() {
        assertError(withCluster("interface = lo"), "interface = lo", "'interface' belongs in a [vip NAME] section");
    }

    @Test
    void unknownKeyWithoutCloseMatchListsKnownKeys() {
        ConfigError e = assertError(replace(BASE, "interface = eth0", "interface = eth0\nzzzzzzzz = 1"),
                "zzzzzzzz = 1", "known keys: address, interface");
        assertFalse(e.message().contains("did you mean"));
    }

    @Test
    void controlCharacterIsAnError() {
        String text = replace(BASE, "name = demo", "name = de\u0001mo");
        assertError(text, "name = de", "control character U+0001");
    }

    @Test
    void overlongLineIsRefusedWithoutEchoingIt() {
        String text = withCluster("x = " + "y".repeat(ConfigParser.MAX_LINE_CHARS));
        ConfigError e = assertError(text, "x = yyy", "more than the limit of " + ConfigParser.MAX_LINE_CHARS);
        assertTrue(e.message().length() < 200);
    }

    @Test
    void missingClusterSectionIsAFileLevelError() {
        String text = BASE.substring(BASE.indexOf("[node a]"));
        List<ConfigError> errors = errors(text);
        ConfigError e = assertError(errors, 0, "missing [cluster] section");
        assertEquals(FILE + ": missing [cluster] section (it needs at least 'name' and 'node')", e.toString());
    }

    @Test
    void emptyInputIsRefused() {
        assertError(errors(""), 0, "missing [cluster] section");
    }

    @Test
    void everyErrorIsReportedAtOnceInLineOrder() {
        String text = """
                [cluster]
                name = bad name
                node = a
                port = 0
                lease = 5
                [node a]
                role = boss
                address = 198.18.0.1
                [vip v]
                address = 198.18.0.300/24
                interface = eth0
                pre_start = relative/hook
                """;
        List<ConfigError> errors = errors(text);
        assertError(errors, 2, "may only contain");
        assertError(errors, 4, "out of range 1..65535");
        assertError(errors, 5, "did you mean 'lease_ms'");
        assertError(errors, 7, "not a role");
        assertError(errors, 10, "octet '300'");
        assertError(errors, 12, "absolute path");
        assertEquals(6, errors.size(), Configs.render(errors));
        for (int i = 1; i < errors.size(); i++) {
            assertTrue(errors.get(i - 1).line() <= errors.get(i).line(), "sorted by line");
        }
        ConfigException ex = assertThrows(ConfigException.class, () -> ConfigParser.parse(FILE, text));
        String[] lines = ex.getMessage().split("\n");
        assertEquals(6, lines.length);
        assertEquals("t.conf:2: cluster name 'bad name' may only contain letters, digits, '_', '.' and '-'", lines[0]);
    }

    @Test
    void errorFloodIsCappedWithACount() {
        StringBuilder text = new StringBuilder(BASE);
        for (int i = 0; i < 300; i++) {
            text.append("garbage line ").append(i).append('\n');
        }
        List<ConfigError> errors = errors(text.toString());
        assertEquals(ConfigParser.MAX_ERRORS + 1, errors.size());
        assertTrue(errors.get(errors.size() - 1).message().contains("200 more errors not shown"));
    }

    @Test
    void configErrorRendersFileLineMessage() {
        assertEquals("a.conf:7: boom", new ConfigError("a.conf", 7, "boom").toString());
        assertEquals("a.conf: boom", new ConfigError("a.conf", 0, "boom").toString());
        assertThrows(IllegalArgumentException.class, () -> new ConfigError("a.conf", -1, "boom"));
    }

    @Test
    void invalidUtf8IsRefusedWithItsLine() {
        byte[] head = "[cluster]\nname = demo\n".getBytes(StandardCharsets.UTF_8);
        byte[] bytes = new byte[head.length + 3];
        System.arraycopy(head, 0, bytes, 0, head.length);
        bytes[head.length] = 'x';
        bytes[head.length + 1] = (byte) 0xC3;
        bytes[head.length + 2] = (byte) 0x28;
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.parse(FILE, bytes));
        assertEquals(3, e.errors().get(0).line());
        assertTrue(e.getMessage().contains("not valid UTF-8"));
    }

    @Test
    void contentLargerThanTheLimitIsRefusedBeforeDecoding() {
        byte[] bytes = new byte[ConfigParser.MAX_FILE_BYTES + 1];
        java.util.Arrays.fill(bytes, (byte) '#');
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.parse(FILE, bytes));
        assertEquals(FILE + ": file is larger than the limit of " + ConfigParser.MAX_FILE_BYTES
                + " bytes; is it the right file?", e.getMessage());
        assertEquals(FILE, ConfigParser.parse(FILE, BASE.getBytes(StandardCharsets.UTF_8)).file(), "bytes as text");
    }

    @Test
    void suggestionIgnoresFarAwayWords() {
        assertNull(ConfigParser.suggestion("completely_different", List.of("name", "node")));
        assertEquals("node", ConfigParser.suggestion("nod", List.of("name", "node")));
        assertEquals(3, ConfigParser.editDistance("kitten", "sitting"));
    }

    @Test
    void keysUnderABadHeaderAreNotReportedAgain() {
        String text = BASE + "[vip bad name]\naddress = nonsense\ninterface = eth0:1\n";
        List<ConfigError> errors = errors(text);
        assertEquals(1, errors.size(), Configs.render(errors));
        assertError(errors, line(text, "[vip bad name]"), "single word");
    }

    @Test
    void loneCarriageReturnsAlsoEndLines() {
        String text = BASE.replace("\n", "\r").replace("interface = eth0", "interface = eth0:1");
        assertError(errors(text), line(BASE, "interface = eth0"), "not a valid Linux interface name");
    }
}
