package io.lcs.reconcilers.net;

import static io.lcs.reconcilers.net.NetnsTestSupport.CI;
import static io.lcs.reconcilers.net.NetnsTestSupport.RUNNER;
import static io.lcs.reconcilers.net.NetnsTestSupport.root;
import static io.lcs.reconcilers.net.NetnsTestSupport.run;

import io.lcs.model.net.Cidr;
import io.lcs.reconcilers.process.CommandResult;
import io.lcs.reconcilers.process.ProcessCommandRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The batch path of {@link IpRouteActuator} with 1,000 addresses on one veth, in two network
 * namespaces this test creates ({@code lcs-b-<random>-a} with {@code v0}, {@code -b} with its peer
 * {@code v1}, the "other host") and always deletes: add, refresh, list, probe, announce and remove,
 * asserting the kernel's state after each, and printing how long each took (not asserted: the
 * machine is shared). Needs root and arp-scan; skipped otherwise, except with CI=true.
 */
class IpRouteActuatorBatchIT {
    private static final int COUNT = 1000;
    private String nsA;
    private String nsB;
    private IpRouteActuator actuator;



    @BeforeEach
    void createNamespaces() throws Exception {
        assumeTrue(root() || CI, "IpRouteActuatorBatchIT needs root to create network namespaces: skipping "
                + "(run as root, as CI does)");
        boolean arpScan = Files.isExecutable(Path.of("/usr/sbin/arp-scan")) || Files.isExecutable(Path.of("/usr/bin/arp-scan"));
        if (CI && !arpScan) {
            fail("arp-scan is missing: install the Debian package arp-scan (CI=true runs every test)");
        }
        assumeTrue(arpScan, "arp-scan is not installed (Debian package arp-scan): skipping");
        String id = Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24));
        nsA = "lcs-b-" + id + "-a";
        nsB = "lcs-b-" + id + "-b";
        run("ip", "netns", "add", nsA);
        run("ip", "netns", "add", nsB);
        run("ip", "-n", nsA, "link", "add", "v0", "type", "veth", "peer", "name", "v1", "netns", nsB);
        run("ip", "-n", nsA, "link", "set", "v0", "up");
        run("ip", "-n", nsB, "link", "set", "v1", "up");
        run("ip", "-n", nsA, "addr", "add", "198.18.0.1/16", "dev", "v0");
        run("ip", "-n", nsB, "addr", "add", "198.18.0.2/16", "dev", "v1");
        actuator = new IpRouteActuator(RUNNER, nsA, Duration.ofSeconds(2));
    }

    @AfterEach
    void deleteNamespaces() throws Exception {
        for (String ns : new String[] {nsA, nsB}) {
            if (ns != null) {
                RUNNER.run(List.of("ip", "netns", "del", ns), Duration.ofSeconds(10));
            }
        }
    }

    private static List<Cidr> vips() {
        List<Cidr> out = new ArrayList<>(COUNT);
        for (int i = 0; i < COUNT; i++) {
            out.add(Cidr.parse("198.18." + (1 + i / 250) + "." + (1 + i % 250) + "/16"));
        }
        return out;
    }

    private Map<Cidr, InterfaceAddress> onLink() throws Exception {
        Map<Cidr, InterfaceAddress> out = new HashMap<>();
        for (InterfaceAddress a : actuator.addresses("v0")) {
            out.put(a.cidr(), a);
        }
        return out;
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    @Test
    void aThousandAddressesAreProbedAddedAnnouncedRefreshedAndRemovedInBatches() throws Exception {
        List<Cidr> vips = vips();
        // the other host holds two of them: the probe must say so, and only for those
        run("ip", "-n", nsB, "addr", "add", "198.18.2.7/16", "dev", "v1");
        run("ip", "-n", nsB, "addr", "add", "198.18.4.250/16", "dev", "v1");

        long t0 = System.nanoTime();
        Map<Cidr, ProbeResult> probes = actuator.probeDuplicates(vips, "v0", Duration.ofMillis(250));
        long probeMillis = millisSince(t0);
        List<Cidr> taken = vips.stream().filter(c -> probes.get(c) instanceof ProbeResult.Answered).toList();
        assertEquals(List.of(Cidr.parse("198.18.2.7/16"), Cidr.parse("198.18.4.250/16")), taken);
        run("ip", "-n", nsB, "addr", "del", "198.18.2.7/16", "dev", "v1");
        run("ip", "-n", nsB, "addr", "del", "198.18.4.250/16", "dev", "v1");

        List<AddressChange> adds = new ArrayList<>();
        vips.forEach(c -> adds.add(new AddressChange.Add(c, "v0", Duration.ofSeconds(30))));
        long t1 = System.nanoTime();
        List<AddressChange.Outcome> added = actuator.apply(adds);
        long addMillis = millisSince(t1);
        assertTrue(added.stream().allMatch(AddressChange.Outcome::ok), () -> added.stream()
                .filter(o -> !o.ok()).findFirst().orElseThrow().error().getMessage());
        Map<Cidr, InterfaceAddress> present = onLink();
        for (Cidr c : vips) {
            InterfaceAddress a = present.get(c);
            assertTrue(a != null && a.validLifetime().seconds() <= 30 && a.validLifetime().seconds() >= 28, c + ": " + a);
        }

        // a neighbour with a stale entry learns the new MAC from the announcement
        run("ip", "-n", nsB, "neigh", "replace", "198.18.4.232", "lladdr", "02:00:00:00:00:99", "dev", "v1", "nud", "stale");
        long t2 = System.nanoTime();
        actuator.announceAll(vips, "v0");
        long announceMillis = millisSince(t2);
        CommandResult neigh = RUNNER.run(List.of("ip", "-n", nsB, "neigh", "show", "198.18.4.232", "dev", "v1"),
                Duration.ofSeconds(5));
        String mac = actuator.link("v0").macAddress();
        assertTrue(neigh.stdout().contains(mac), "neighbour entry after the announcement: " + neigh.stdout());

        // renewal: one listing and one ip -batch for all; an address removed behind our back is not re-added
        run("ip", "-n", nsA, "addr", "del", "198.18.3.3/16", "dev", "v0");
        List<AddressChange> refreshes = new ArrayList<>();
        vips.forEach(c -> refreshes.add(new AddressChange.Refresh(c, "v0", Duration.ofSeconds(5))));
        long[] refreshMillis = new long[5];
        List<AddressChange.Outcome> refreshed = null;
        for (int i = 0; i < refreshMillis.length; i++) {
            long t = System.nanoTime();
            refreshed = actuator.apply(refreshes);
            refreshMillis[i] = millisSince(t);
        }
        Cidr gone = Cidr.parse("198.18.3.3/16");
        for (AddressChange.Outcome o : refreshed) {
            if (o.change().cidr().equals(gone)) {
                assertInstanceOf(AddressNotFoundException.class, o.error());
            } else {
                assertTrue(o.ok(), o.change() + ": " + o.error());
            }
        }
        present = onLink();
        assertTrue(!present.containsKey(gone), "a refresh never re-adds a removed address");
        for (Cidr c : vips) {
            if (!c.equals(gone)) {
                long left = present.get(c).validLifetime().seconds();
                assertTrue(left <= 5 && left >= 4, c + " lifetime after refresh: " + left);
            }
        }
        long t3 = System.nanoTime();
        actuator.addresses("v0");
        long listMillis = millisSince(t3);

        List<AddressChange> removes = new ArrayList<>();
        vips.forEach(c -> removes.add(new AddressChange.Remove(c, "v0")));
        long t4 = System.nanoTime();
        List<AddressChange.Outcome> removed = actuator.apply(removes);
        long removeMillis = millisSince(t4);
        assertTrue(removed.stream().allMatch(AddressChange.Outcome::ok), "removing (one was already gone: success)");
        present = onLink();
        List<Cidr> ipv4Left = present.keySet().stream().filter(c -> !c.isIpv6()).toList();
        assertEquals(List.of(Cidr.parse("198.18.0.1/16")), ipv4Left, "only the node's own address is left");

        System.out.printf("IpRouteActuatorBatchIT, %d addresses on one veth: probe (arp-scan, 250 ms window) %d ms, "
                        + "add %d ms, announce (2 rounds 1 s apart) %d ms, refresh passes %s ms, listing %d ms, remove %d ms%n",
                COUNT, probeMillis, addMillis, announceMillis, java.util.Arrays.toString(refreshMillis), listMillis,
                removeMillis);
    }
}
