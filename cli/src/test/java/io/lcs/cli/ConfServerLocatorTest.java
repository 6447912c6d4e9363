package io.lcs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfServerLocatorTest {
    @TempDir
    Path dir;
    final ConfServerLocator locator = new ConfServerLocator();

    Path conf(String text) throws Exception {
        Path f = dir.resolve("lcs.conf");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void readsAdminKeysOfTheClusterSectionWithComments() throws Exception {
        AdminEndpoint e = locator.locate(conf("""
                # comment
                [cluster]
                name = demo
                admin_bind = 127.0.0.5   # loopback alias
                admin_port = 9200 ; inline
                admin_token_file = /etc/lcs/admin.token
                [vip web]
                admin_port = 1
                """), true);
        assertEquals("http://127.0.0.5:9200", e.baseUrl().toString());
        assertEquals(Path.of("/etc/lcs/admin.token"), e.tokenFile());
    }

    @Test
    void wildcardBindConnectsToLoopbackAndIpv6GetsBrackets() throws Exception {
        assertEquals("http://127.0.0.1:9121", locator.locate(conf("[cluster]\nadmin_bind = 0.0.0.0\n"), true)
                .baseUrl().toString());
        assertEquals("http://[::1]:9121", locator.locate(conf("[cluster]\nadmin_bind = ::\n"), true).baseUrl().toString());
        assertEquals("http://[2001:db8::1]:9121", locator.locate(conf("[cluster]\nadmin_bind = 2001:db8::1\n"), true)
                .baseUrl().toString());
    }

    @Test
    void missingDefaultConfigMeansDefaultsButAMissingExplicitOneIsAnError() {
        AdminEndpoint e = locator.locate(dir.resolve("none.conf"), false);
        assertEquals("http://127.0.0.1:9121", e.baseUrl().toString());
        assertNull(e.tokenFile());
        CliException x = assertThrows(CliException.class, () -> locator.locate(dir.resolve("none.conf"), true));
        assertEquals(Lcs.EXIT_ERROR, x.exitCode());
        assertTrue(x.getMessage().contains("none.conf does not exist"), x.getMessage());
    }

    @Test
    void badPortNamesFileAndLine() throws Exception {
        Path f = conf("[cluster]\n\nadmin_port = 99999\n");
        CliException x = assertThrows(CliException.class, () -> locator.locate(f, true));
        assertEquals(f + " line 3: admin_port must be 1..65535, got '99999'", x.getMessage());
    }
}
