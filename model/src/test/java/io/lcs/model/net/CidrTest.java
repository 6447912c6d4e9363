package io.lcs.model.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CidrTest {
    @Test
    void anIpv6ZoneIdIsRefusedAsSuchNotAsNoAddress() {
        String m = assertThrows(Cidr.InvalidCidrException.class, () -> Cidr.parseAddress("fe80::1%eth0")).getMessage();
        assertEquals("'fe80::1%eth0' has an IPv6 zone ID ('%eth0'): zone IDs are not supported; write the address"
                + " without it (the interface is given separately)", m);
        String cidr = assertThrows(Cidr.InvalidCidrException.class, () -> Cidr.parse("fe80::1%eth0/64")).getMessage();
        assertTrue(cidr.startsWith("'fe80::1%eth0/64' is not a valid CIDR: ") && cidr.contains("zone IDs are not supported"),
                cidr);
        assertEquals("fe80::1/64", Cidr.parse("fe80::1/64").toString(), "without the zone it is fine");
    }

    @Test
    void aPercentSignInSomethingThatIsNoIpv6AddressIsStillJustNotAnAddress() {
        String m = assertThrows(Cidr.InvalidCidrException.class, () -> Cidr.parseAddress("198.18.0.1%eth0")).getMessage();
        assertEquals("'198.18.0.1%eth0' is not an IPv4 or IPv6 address", m);
    }
}
