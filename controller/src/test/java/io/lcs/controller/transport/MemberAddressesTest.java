package io.lcs.controller.transport;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemberAddressesTest {
    private static InetAddress ip(String literal) throws UnknownHostException {
        return InetAddress.getByName(literal);
    }

    private static final List<PeerAddress> PEERS = List.of(
            new PeerAddress("b", "198.18.0.2", 3322),
            new PeerAddress("c", "c.example", 3322),
            new PeerAddress("d", "2001:db8::4", 3322),
            new PeerAddress("e", "e.example", 3322));

    @Test
    void literalsNeedNoLookupAndHostNamesWaitForOne() throws Exception {
        MemberAddresses m = MemberAddresses.literals(PEERS);
        assertTrue(m.isMember(ip("198.18.0.2")));
        assertTrue(m.isMember(ip("2001:db8::4")));
        assertFalse(m.isMember(ip("198.18.0.3")));
        assertEquals(Map.of("c", "not resolved yet", "e", "not resolved yet"), m.unresolved());
        assertEquals(Set.of(), m.of("c"));
    }

    @Test
    void resolvedNamesAreMembersAndNamesThatDoNotResolveAreReportedWithTheReason() throws Exception {
        MemberAddresses m = MemberAddresses.resolve(PEERS, host -> {
            if (host.equals("c.example")) {
                return new InetAddress[] {ip("198.18.0.3"), ip("2001:db8::3")};
            }
            throw new UnknownHostException(host + ": Name or service not known");
        });
        assertTrue(m.isMember(ip("198.18.0.3")));
        assertTrue(m.isMember(ip("2001:db8::3")));
        assertEquals(Set.of(ip("198.18.0.3"), ip("2001:db8::3")), m.of("c"));
        assertEquals(Map.of("e", "e.example: Name or service not known"), m.unresolved());
        assertFalse(m.isMember(null));
        assertEquals(0, m.membersAt(ip("198.18.0.99")));
    }

    @Test
    void severalMembersAtOneAddressAreCounted() throws Exception {
        MemberAddresses m = MemberAddresses.resolve(List.of(new PeerAddress("b", "127.0.0.1", 7001),
                new PeerAddress("c", "localhost", 7002)), host -> new InetAddress[] {ip("127.0.0.1")});
        assertEquals(2, m.membersAt(ip("127.0.0.1")));
    }

    @Test
    void aResolverThatFindsNothingLeavesThePeerUnresolved() {
        MemberAddresses m = MemberAddresses.resolve(List.of(new PeerAddress("c", "c.example", 1)),
                host -> new InetAddress[0]);
        assertEquals(Map.of("c", "no address"), m.unresolved());
    }
}
