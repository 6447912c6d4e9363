package io.lcs.model.config;

import static io.lcs.model.config.Configs.BASE;
import static io.lcs.model.config.Configs.parse;
import static io.lcs.model.config.Configs.replace;
import static io.lcs.model.config.Configs.withCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The methods of the validated config: self, quorum arithmetic, membership hash. */
class ClusterConfigTest {

    @Test
    void selfAndNodeLookup() {
        ClusterConfig c = parse(BASE);
        assertEquals("a", c.self().name());
        assertEquals(Role.QUORUM_ONLY, c.node("c").orElseThrow().role());
        assertEquals(Optional.empty(), c.node("zz"));
        assertEquals("198.18.0.2:3322", c.node("b").orElseThrow().endpoint());
        assertEquals("web", c.vip("web").orElseThrow().name());
    }

    @Test
    void quorumIsMoreThanHalfOfAllVotesWitnessesIncluded() {
        ClusterConfig three = parse(BASE);
        assertEquals(3, three.totalVotes());
        assertEquals(2, three.quorumSize());
        String four = BASE + "[node d]\nrole = quorum-only\naddress = 198.18.0.4\n";
        assertEquals(3, parse(four).quorumSize());
        String five = four + "[node e]\nrole = full-member\naddress = 198.18.0.5\n";
        assertEquals(3, parse(five).quorumSize());
        assertEquals(5, parse(five).totalVotes());
    }

    @Test
    void roleLabels() {
        assertEquals("full-member", Role.FULL_MEMBER.label());
        assertEquals("quorum-only", Role.QUORUM_ONLY.label());
        assertEquals(Role.QUORUM_ONLY, Role.fromLabel("quorum-only"));
    }

    @Test
    void membershipHashIgnoresOwnNodeBindVipsHooksAndMetrics() {
        ClusterConfig onA = parse(withCluster("bind = 198.18.0.1"));
        String onBText = replace(replace(withCluster("bind = 198.18.0.2\nmetrics = true\nstate_dir = /srv/x"),
                "node = a", "node = b"), "interface = eth0", "interface = eth1\npre_start = /bin/true");
        ClusterConfig onB = parse(onBText + "[vip extra]\naddress = 198.18.0.101/24\ninterface = eth0\n");
        assertEquals(onA.membershipHash(), onB.membershipHash());
        assertEquals(onA.membershipHashHex(), onB.membershipHashHex());
    }

    @Test
    void membershipHashIgnoresNodeOrderInTheFile() {
        String reordered = BASE.replace("[node a]\nrole = full-member\naddress = 198.18.0.1\n\n", "")
                + "[node a]\nrole = full-member\naddress = 198.18.0.1\n";
        assertEquals(parse(BASE).membershipHash(), parse(reordered).membershipHash());
    }

    @Test
    void membershipHashCoversNameLeaseAndEveryNodeField() {
        long base = parse(BASE).membershipHash();
        assertNotEquals(base, parse(replace(BASE, "name = demo", "name = other")).membershipHash());
        assertNotEquals(base, parse(withCluster("lease_ms = 3000")).membershipHash());
        assertNotEquals(base, parse(replace(BASE, "address = 198.18.0.3", "address = 198.18.0.4")).membershipHash());
        assertNotEquals(base, parse(replace(BASE, "role = quorum-only", "role = full-member")).membershipHash());
        assertNotEquals(base, parse(replace(BASE, "address = 198.18.0.3", "address = 198.18.0.3\nport = 4000"))
                .membershipHash());
        assertNotEquals(base, parse(BASE + "[node d]\nrole = quorum-only\naddress = 198.18.0.4\n").membershipHash());
    }

    @Test
    void membershipHashHexIsTheLongInHex() {
        ClusterConfig c = parse(BASE);
        assertEquals(16, c.membershipHashHex().length());
        assertEquals(String.format("%016x", c.membershipHash()), c.membershipHashHex());
        assertEquals(c.membershipHash(), parse(BASE).membershipHash(), "stable");
    }

    @Test
    void configIsImmutable() {
        ClusterConfig c = parse(BASE);
        assertThrows(UnsupportedOperationException.class, () -> c.nodes().clear());
        assertThrows(UnsupportedOperationException.class, () -> c.vips().clear());
        assertThrows(UnsupportedOperationException.class, () -> c.warnings().clear());
    }
}
