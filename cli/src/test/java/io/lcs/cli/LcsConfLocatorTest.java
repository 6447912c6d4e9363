package io.lcs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link LcsConfLocator}: lcs.conf read by the daemon's parser, turned into a URL to connect to. */
class LcsConfLocatorTest {
    /** A valid lcs.conf; {@code %s} is where the test's [cluster] admin lines go. */
    static final String CONF = """
            # comment
            [cluster]
            name = demo
            node = a
            secret = 0123456789abcdef
            %s
            [node a]
            role = full-member
            address = 198.18.0.1

            [node b]
            role = full-member
            address = 198.18.0.2

            [node c]
            role = quorum-only
            address = 198.18.0.3
            """;

    @TempDir
    Path dir;
    final LcsConfLocator locator = new LcsConfLocator();

    Path conf(String clusterLines) throws Exception {
        Path f = dir.resolve("lcs.conf");
        Files.writeString(f, CONF.formatted(clusterLines));
        return f;
    }

    @Test
    void readsTheAdminKeysOfClusterWithTheDaemonsCommentRules() throws Exception {
        Path f = conf("""
                admin_bind = 127.0.0.5   # loopback alias
                admin_port = 9200 ; inline
                admin_token_file = /etc/lcs/admin.token
                """);
        AdminEndpoint e = locator.locate(f, true);
        assertEquals("http://127.0.0.5:9200", e.baseUrl().toString());
        assertEquals(Path.of("/etc/lcs/admin.token"), e.tokenFile());
        assertEquals(f, e.configFile());
    }

    @Test
    void unsetAdminKeysMeanTheDaemonsDefaults() throws Exception {
        AdminEndpoint e = locator.locate(conf(""), false);
        assertEquals("http://127.0.0.1:9121", e.baseUrl().toString());
        assertEquals(Path.of("/var/lib/lcs/admin.token"), e.tokenFile(), "lcsd's token in the default state_dir");
        assertEquals(Path.of("/srv/lcs/admin.token"), locator.locate(conf("state_dir = /srv/lcs\n"), false).tokenFile(),
                "lcsd's token in the configured state_dir");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''           | http://127.0.0.1:9121",
        "0.0.0.0      | http://127.0.0.1:9121",
        ":: # all v6  | http://[::1]:9121",
        "2001:db8::1  | http://[2001:db8::1]:9121",
        "2001:DB8:0:0:0:0:0:1 | http://[2001:db8::1]:9121",
        "198.18.0.1   | http://198.18.0.1:9121"})
    void wildcardBindConnectsToLoopbackAndIpv6GetsBrackets(String bind, String url) throws Exception {
        // a bind that is not loopback needs a token file, or the daemon (and so the parser) refuses it
        Path f = conf("admin_bind = " + bind + "\nadmin_token_file = /etc/lcs/admin.token\n");
        assertEquals(url, locator.locate(f, true).baseUrl().toString());
    }

    @Test
    void missingDefaultConfigMeansDefaultsButAMissingExplicitOneIsAnError() {
        AdminEndpoint e = locator.locate(dir.resolve("none.conf"), false);
        assertEquals("http://127.0.0.1:9121", e.baseUrl().toString());
        assertEquals(Path.of("/var/lib/lcs/admin.token"), e.tokenFile());
        CliException x = assertThrows(CliException.class, () -> locator.locate(dir.resolve("none.conf"), true));
        assertEquals(Lcs.EXIT_ERROR, x.exitCode());
        assertTrue(x.getMessage().contains("none.conf does not exist"), x.getMessage());
    }

    @Test
    void everyConfigErrorIsListedAsFileLineMessage() throws Exception {
        Path f = conf("admin_port = 99999\nadmin_tokn_file = /x\n");
        for (boolean explicit : new boolean[] {true, false}) {
            CliException x = assertThrows(CliException.class, () -> locator.locate(f, explicit));
            assertEquals(Lcs.EXIT_ERROR, x.exitCode());
            String[] lines = x.getMessage().split("\n");
            assertEquals("cannot find lcsd through " + f + " (fix it, or pass --server URL):", lines[0]);
            assertEquals(3, lines.length, x.getMessage());
            assertTrue(lines[1].startsWith(f + ":6: ") && lines[1].contains("admin_port"), lines[1]);
            assertTrue(lines[2].startsWith(f + ":7: ") && lines[2].contains("admin_tokn_file"), lines[2]);
        }
    }

    @Test
    void aNonLoopbackBindWithoutTokenFileIsRefusedAsTheDaemonRefusesIt() throws Exception {
        Path f = conf("admin_bind = 198.18.0.1\n");
        CliException x = assertThrows(CliException.class, () -> locator.locate(f, false));
        assertTrue(x.getMessage().contains(f + ":6: admin_bind = 198.18.0.1 is not a loopback address"), x.getMessage());
    }

    @Test
    void anUnreadableConfigIsAnErrorEvenWhenNotExplicit() throws Exception {
        Path notAFile = Files.createDirectory(dir.resolve("lcs.conf.d"));
        CliException x = assertThrows(CliException.class, () -> locator.locate(notAFile, false));
        assertEquals(Lcs.EXIT_ERROR, x.exitCode());
        assertTrue(x.getMessage().contains(notAFile + ": cannot read"), x.getMessage());
    }
}
