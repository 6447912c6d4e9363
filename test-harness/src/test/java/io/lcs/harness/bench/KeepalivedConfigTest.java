package io.lcs.harness.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class KeepalivedConfigTest {
    private static final List<String> NAMES = List.of("n1", "n2", "n3");
    private static final List<String> ADDRS = List.of("198.18.0.1", "198.18.0.2", "198.18.0.3");

    @Test
    void threeNodesGetPriorities150_100_50AndOnlyTheHighestIsMaster() {
        List<KeepalivedConfig> c = KeepalivedConfig.cluster(NAMES, ADDRS, List.of(150, 100, 50), "eth0", 51,
                List.of("198.18.0.201/24"), false);
        assertEquals(3, c.size());
        String n1 = c.get(0).render();
        assertTrue(n1.contains("state MASTER\n"), n1);
        assertTrue(n1.contains("priority 150\n"), n1);
        assertTrue(n1.contains("advert_int 1\n"), n1);
        assertTrue(n1.contains("virtual_router_id 51\n"), n1);
        assertTrue(n1.contains("198.18.0.201/24 dev eth0\n"), n1);
        assertFalse(n1.contains("unicast"), "multicast by default: " + n1);
        assertTrue(c.get(1).render().contains("state BACKUP\n"));
        assertTrue(c.get(2).render().contains("priority 50\n"));
    }

    @Test
    void unicastListsTheOtherNodesAsPeersAndItselfAsSource() {
        String n2 = KeepalivedConfig.cluster(NAMES, ADDRS, List.of(150, 100, 50), "eth0", 51,
                List.of("198.18.0.201/24"), true).get(1).render();
        assertTrue(n2.contains("unicast_src_ip 198.18.0.2\n"), n2);
        assertTrue(n2.contains("        198.18.0.1\n        198.18.0.3\n"), n2);
        assertFalse(n2.contains("        198.18.0.2\n"), n2);
    }

    @Test
    void everyVipIsOneVirtualIpaddressLine() {
        List<String> vips = new java.util.ArrayList<>();
        for (int k = 0; k < 1000; k++) {
            vips.add("198.18." + (32 + k / 256) + "." + (k % 256) + "/32");
        }
        String conf = KeepalivedConfig.cluster(NAMES, ADDRS, List.of(150, 100, 50), "eth0", 51, vips, false).get(0).render();
        assertEquals(1000, conf.lines().filter(l -> l.endsWith("/32 dev eth0")).count());
    }

    @Test
    void badInputIsRejectedNamingWhat() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KeepalivedConfig.cluster(NAMES, ADDRS,
                List.of(150, 150, 50), "eth0", 51, List.of("198.18.0.201/24"), false)).getMessage().contains("highest"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KeepalivedConfig.cluster(NAMES, ADDRS,
                List.of(255, 100, 50), "eth0", 51, List.of("198.18.0.201/24"), false)).getMessage().contains("priority"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KeepalivedConfig.cluster(NAMES, ADDRS,
                List.of(150, 100, 50), "eth0", 51, List.of(), false)).getMessage().contains("virtual_ipaddress"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KeepalivedConfig.cluster(NAMES, ADDRS,
                List.of(150, 100, 50), "eth0", 0, List.of("198.18.0.201/24"), false)).getMessage()
                .contains("virtual_router_id"));
        assertThrows(IllegalArgumentException.class, () -> KeepalivedConfig.cluster(NAMES, ADDRS,
                List.of(150, 100, 50), "eth0", 51, List.of("198.18.0.201/24; evil"), false));
        assertThrows(IllegalArgumentException.class, () -> KeepalivedConfig.cluster(List.of("n1"), List.of("198.18.0.1"),
                List.of(150), "eth0", 51, List.of("198.18.0.201/24"), false));
    }
}
