package io.lcs.harness.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchPartsTest {
    @Test
    void isolationDropsPeersBothWaysAndVrrpMulticastButNotTheClient() {
        String nft = Bench.isolationChains("198.18.0.2, 198.18.0.3");
        assertTrue(nft.contains("hook input") && nft.contains("ip saddr { 198.18.0.2, 198.18.0.3 } drop"), nft);
        assertTrue(nft.contains("hook output") && nft.contains("ip daddr { 198.18.0.2, 198.18.0.3, 224.0.0.18 } drop"), nft);
        assertTrue(!nft.contains("198.18.0.250"), "the client must still reach the owner: " + nft);
    }

    @Test
    void keepalivedPrioritiesAre150_100_50ForThreeNodes() {
        assertEquals(List.of(150, 100, 50), Bench.priorities(3));
        assertEquals(5, Bench.priorities(5).size());
    }

    @Test
    void aptRemovalSimulationGivesThePackageNames() {
        String out = """
                NOTE: This is only a simulation!
                Remv ipvsadm [1:1.31-1+b1]
                Remv keepalived [1:2.2.7-1+b2]
                Remv libnl-3-200:amd64 [3.7.0-0.2+b1]
                Inst something-else (1.0 Debian:12)
                """;
        assertEquals(List.of("ipvsadm", "keepalived", "libnl-3-200"), KeepalivedInstall.parseRemovals(out));
    }
}
