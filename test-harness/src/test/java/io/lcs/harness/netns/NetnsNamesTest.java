package io.lcs.harness.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** Guards that need no root: the harness acts only on its own namespaces, and bad input is refused. */
class NetnsNamesTest {
    @ParameterizedTest
    @ValueSource(strings = {"", "default", "lcsh-", "lcsh-12345-n1", "lcsh-ABCDEF-n1", "lcsh-abcdef-", "lcsh-abcdef-n1;rm",
            "other-abcdef-n1", "lcsh-abcdef-n1 x"})
    void onlyHarnessNamespaceNamesAreAccepted(String name) {
        HarnessException e = assertThrows(HarnessException.class, () -> Netns.checkName(name));
        assertTrue(e.getMessage().contains("not a harness namespace"), e.getMessage());
    }

    @Test
    void theRestartWaitIsReadFromLcsdsStartLine() {
        // the line lcsd logs at start (Lcsd.runDaemon); a bench trial must not start before the wait ends
        java.util.regex.Matcher m = Cluster.VOTING_WAIT.matcher("[   11035.7] 2026-12-06T05:11:13.182Z INFO lcsd: lcsd"
                + " 0.1.0-SNAPSHOT started: node n3 of cluster lcsh, 3 nodes, quorum 2, 1 VIPs, lease 2000 ms; waiting"
                + " 2000 ms before voting");
        assertTrue(m.find());
        assertEquals("2000", m.group(1));
        assertFalse(Cluster.VOTING_WAIT.matcher("INFO core: quorum gained: 2 votes seen, 2 needed").find());
    }

    @Test
    void harnessNamesPassAndArgvNeverUsesAShell() {
        assertEquals("lcsh-0a1b2c-n7", Netns.checkName("lcsh-0a1b2c-n7"));
        assertEquals(List.of("ip", "netns", "exec", "lcsh-0a1b2c-cl", "arping", "-b"),
                Netns.exec("lcsh-0a1b2c-cl", List.of("arping", "-b")));
        assertEquals(List.of("nsenter", "--net=/run/netns/lcsh-0a1b2c-cl", "ndisc6"),
                Netns.enter("lcsh-0a1b2c-cl", List.of("ndisc6")));
    }

    @Test
    void addressesComeOnlyFromTheTestRanges() {
        for (int i = 1; i <= Topology.MAX_NODES; i++) {
            assertTrue(Topology.nodeV4(i).startsWith("198.18.0.") && Topology.nodeV6(i).startsWith("2001:db8::"));
        }
        assertEquals("198.18.0.201/24", Vip.v4(1).cidr());
        assertEquals("2001:db8::201/64", Vip.v6(1).cidr());
        assertTrue(Topology.CLIENT_V4.startsWith("198.18.") && Topology.CLIENT_V6.startsWith("2001:db8:"));
    }

    @Test
    void clusterSettingsOutOfRangeAreRefusedWithTheReason() {
        assertTrue(assertThrows(HarnessException.class, () -> Cluster.Settings.of(8, 1)).getMessage().contains("nodes = 8"));
        assertTrue(assertThrows(HarnessException.class, () -> Cluster.Settings.of(3, 3)).getMessage()
                .contains("witnesses = 3"));
        assertTrue(assertThrows(HarnessException.class, () -> new Cluster.Settings(3, 1, 1000, 300, 250, 1))
                .getMessage().contains("lease"));
    }

    @Test
    void durationsParseWithUnitsAndAreBounded() {
        HarnessMain.DurationConverter c = new HarnessMain.DurationConverter();
        assertEquals(Duration.ofMinutes(5), c.convert("5m"));
        assertEquals(Duration.ofSeconds(300), c.convert("300"));
        assertEquals(Duration.ofHours(1), c.convert("1h"));
        assertThrows(CommandLine.TypeConversionException.class, () -> c.convert("25h"));
        assertThrows(CommandLine.TypeConversionException.class, () -> c.convert("five"));
    }

    @Test
    void unknownScenarioIsAUsageError() {
        int code = new CommandLine(new HarnessMain()).execute("scenarios", "--only", "kill,teleport");
        assertEquals(2, code);
    }
}
