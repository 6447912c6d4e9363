package io.lcs.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.harness.netns.Netns;
import io.lcs.harness.netns.RunRegistry;
import io.lcs.harness.netns.SystemdHost;
import io.lcs.harness.netns.Topology;
import io.lcs.reconcilers.process.CommandResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged lcsd.service under a real systemd: three nodes, each a network namespace with its
 * own systemd as PID 1 of a PID and mount namespace ({@link SystemdHost}), running the unit file
 * from the built tree with all its hardening. The only change to the unit is a drop-in that points
 * {@code ExecStart} at the unpacked tree and its node's lcs.conf (the package would have put them
 * at /usr/bin/lcsd and /etc/lcs/lcs.conf, which the host does not have).
 *
 * <p>What it shows: {@code systemctl start} returns once lcsd is ready ({@code Type=notify}); under
 * the hardening, {@code ip}, {@code arping} and {@code ndisc6} work (an IPv4 and an IPv6 VIP come up:
 * a probe that could not run would keep them down) and a hook can restart another unit; {@code
 * systemctl reload} adds a VIP without touching the one already up; {@code systemctl stop} runs
 * pre_stop and post_stop for the VIPs the node held and ends cleanly; kill -9 of lcsd makes systemd
 * restart it. Needs root and systemd; skipped otherwise, except under {@code CI=true}, where a skip
 * would hide the test and is a failure instead.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 300)
class SystemdUnitIT {
    static final int NODES = 3;
    static final String NODE_DIR = SystemdNodes.NODE_DIR;
    static final String TREE = SystemdNodes.TREE;
    static final Duration CONVERGE = Duration.ofSeconds(30);
    static final String WEB_UNIT = "lcs-test-web.service";

    @TempDir
    static Path tmp;
    static Topology topology;
    static RunRegistry registry;
    static final List<SystemdHost> hosts = new ArrayList<>();
    static String secret;

    @BeforeAll
    static void boot() throws Exception {
        SystemdNodes.assumeMachines(false);
        Path home = SystemdNodes.home();
        String runId = Topology.newRunId();
        registry = RunRegistry.open(runId);
        topology = Topology.create(runId, NODES, registry);
        secret = "systemd-it-" + runId + "-" + Topology.newRunId() + Topology.newRunId();
        for (int i = 1; i <= NODES; i++) {
            Path dir = SystemdNodes.nodeDir(tmp, i);
            Path hooks = dir.resolve("hooks");
            // every hook appends "EVENT VIP" to a file in the state directory, the one place the unit lets it write;
            // post_start also restarts another unit through systemd, as an operator's hook would (nginx, haproxy)
            SystemdNodes.writeHook(hooks.resolve("mark"), "echo \"$LCS_EVENT $LCS_VIP\" >> /var/lib/lcs/hooks.log\n");
            SystemdNodes.writeHook(hooks.resolve("restart-web"), "echo \"$LCS_EVENT $LCS_VIP\" >> /var/lib/lcs/hooks.log\n"
                    + "systemctl restart " + WEB_UNIT + "\n");
            Files.writeString(dir.resolve("lcs.conf"), config(i, false));
            SystemdHost host = SystemdNodes.boot(topology, i, home, dir, registry);
            hosts.add(host);
            host.writeFile("/run/systemd/system/" + WEB_UNIT, "[Service]\nExecStart=/bin/sleep infinity\n", "644");
            host.systemctl("daemon-reload");
            host.systemctl("start", WEB_UNIT);
        }
    }

    /** Node {@code i}'s lcs.conf: VIP v4-1 (IPv4) and v6-1 (IPv6), and v4-2 once {@code withSecond}. */
    static String config(int i, boolean withSecond) {
        StringBuilder sb = new StringBuilder("[cluster]\nname = sdit\nnode = n" + i + "\nbind = " + Topology.nodeV4(i)
                + "\nport = 3322\nsecret = " + secret + "\nlease_ms = 2000\nrenew_ms = 500\nprobe_ms = 250\n"
                + "state_dir = /var/lib/lcs\nhook_dirs = " + NODE_DIR + "/hooks\npidfile = /run/lcs/lcsd.pid\n");
        for (int n = 1; n <= NODES; n++) {
            sb.append("\n[node n").append(n).append("]\nrole = full-member\naddress = ").append(Topology.nodeV4(n))
                    .append('\n');
        }
        String hooks = "pre_start = " + NODE_DIR + "/hooks/mark\npost_start = " + NODE_DIR + "/hooks/restart-web\n"
                + "pre_stop = " + NODE_DIR + "/hooks/mark\npost_stop = " + NODE_DIR + "/hooks/mark\n";
        sb.append("\n[vip v4-1]\naddress = ").append(Topology.vipV4(1)).append("/24\ninterface = eth0\n").append(hooks);
        sb.append("\n[vip v6-1]\naddress = ").append(Topology.vipV6(1)).append("/64\ninterface = eth0\n").append(hooks);
        if (withSecond) {
            sb.append("\n[vip v4-2]\naddress = ").append(Topology.vipV4(2)).append("/24\ninterface = eth0\n");
        }
        return sb.toString();
    }

    @AfterAll
    static void tearDown() {
        SystemdNodes.tearDown(hosts, topology, registry);
    }

    static SystemdHost host(int i) {
        return hosts.get(i - 1);
    }

    /** The nodes whose eth0 has {@code address} now. */
    static List<Integer> holders(String address) {
        List<Integer> out = new ArrayList<>();
        for (int i = 1; i <= NODES; i++) {
            String addrs = Netns.ip(topology.nodeNs(i), "-o", "addr", "show", "dev", "eth0");
            if (addrs.contains(" " + address + "/")) {
                out.add(i);
            }
        }
        return out;
    }

    static boolean await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        return SystemdNodes.await(timeout, 100, condition);
    }

    /** Each node's addresses, neighbours and running units, for a failure message. */
    static String network() {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= NODES; i++) {
            sb.append("---- n").append(i).append(": ip addr, ip neigh, running units\n")
                    .append(Netns.ip(topology.nodeNs(i), "-o", "addr", "show"))
                    .append(Netns.ip(topology.nodeNs(i), "neigh", "show"));
            CommandResult units = host(i).run(Duration.ofSeconds(10), "systemctl", "list-units", "--no-pager",
                    "--state=running", "--plain", "--no-legend");
            sb.append(units.stdout()).append(units.stderr());
        }
        return sb.toString();
    }

    static String hookLog(int i) {
        return SystemdNodes.hookLog(tmp, i);
    }

    static String journal(int i) {
        return host(i).journal("lcsd.service");
    }

    static int owner(String address) throws InterruptedException {
        List<List<Integer>> seen = new ArrayList<>();
        boolean one = await(CONVERGE, () -> {
            List<Integer> h = holders(address);
            seen.add(h);
            return h.size() == 1;
        });
        assertTrue(one, address + " is not on exactly one node: last seen on " + (seen.isEmpty() ? "[]"
                : seen.get(seen.size() - 1)) + "\n" + journal(1) + "\n" + network());
        return holders(address).get(0);
    }

    @Test
    @Order(1)
    void startReturnsOnceReadyAndVipsComeUpUnderTheHardening() throws Exception {
        for (int i = 1; i <= NODES; i++) {
            host(i).systemctl("start", "lcsd.service");
            // Type=notify: start returned only after lcsd said READY=1, so it is active now, not activating
            assertEquals("active", host(i).property("lcsd.service", "ActiveState"), journal(i));
            assertEquals("0", host(i).property("lcsd.service", "NRestarts"), journal(i));
            // pidfile (a C-lcs key) in the unit's RuntimeDirectory, writable under ProtectSystem=strict
            assertEquals(host(i).property("lcsd.service", "MainPID"),
                    host(i).must(Duration.ofSeconds(5), "cat", "/run/lcs/lcsd.pid").strip(), "pidfile holds lcsd's PID");
        }
        int v4 = owner(Topology.vipV4(1));
        int v6 = owner(Topology.vipV6(1));
        // activation needs a successful ARP probe (arping) and neighbour solicitation (ndisc6): a probe that cannot
        // run declines the VIP, so both being up shows that the unit's capabilities and address families suffice
        for (int[] vip : new int[][] {{v4, 4}, {v6, 6}}) {
            String name = "v" + vip[1] + "-1";
            assertTrue(await(CONVERGE, () -> hookLog(vip[0]).contains("post_start " + name)),
                    "post_start ran for " + name + " on n" + vip[0] + ": " + hookLog(vip[0]) + "\n" + journal(vip[0]));
        }
        // post_start restarted another unit through systemd from inside lcsd's sandbox
        String activeSince = host(v4).property(WEB_UNIT, "ActiveEnterTimestampMonotonic");
        assertTrue(Long.parseLong(activeSince) > Long.parseLong(host(v4).property("lcsd.service",
                "ActiveEnterTimestampMonotonic")), WEB_UNIT + " on n" + v4 + " was restarted after lcsd started (active since "
                + activeSince + "), by the post_start hook:\n" + journal(v4));
        // both VIPs' post_start restart it: a node that holds neither (three nodes, two VIPs) did not
        int idle = java.util.stream.IntStream.rangeClosed(1, NODES).filter(i -> i != v4 && i != v6).findFirst()
                .orElseThrow();
        String idleSince = host(idle).property(WEB_UNIT, "ActiveEnterTimestampMonotonic");
        assertTrue(Long.parseLong(idleSince) < Long.parseLong(host(idle).property("lcsd.service",
                "ActiveEnterTimestampMonotonic")), "n" + idle + ", which activated no VIP, did not restart " + WEB_UNIT);
    }

    @Test
    @Order(2)
    void reloadAddsAVipWithoutTouchingTheOneThatIsUp() throws Exception {
        int owner = owner(Topology.vipV4(1));
        String pid = host(owner).property("lcsd.service", "MainPID");
        AtomicBoolean sampling = new AtomicBoolean(true);
        AtomicInteger gaps = new AtomicInteger();
        AtomicInteger samples = new AtomicInteger();
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                if (!holders(Topology.vipV4(1)).equals(List.of(owner))) {
                    gaps.incrementAndGet();
                }
                samples.incrementAndGet();
            }
        }, "vip-sampler");
        sampler.start();
        try {
            for (int i = 1; i <= NODES; i++) {
                Files.writeString(tmp.resolve("n" + i).resolve("lcs.conf"), config(i, true));
            }
            for (int i = 1; i <= NODES; i++) {
                host(i).systemctl("reload", "lcsd.service");
            }
            owner(Topology.vipV4(2));
        } finally {
            sampling.set(false);
            sampler.join(10_000);
        }
        assertTrue(samples.get() > 5, "sampled the address during the reload: " + samples.get());
        assertEquals(0, gaps.get(), "v4-1 stayed on n" + owner + " and nowhere else in all " + samples.get()
                + " samples during the reload");
        assertEquals(pid, host(owner).property("lcsd.service", "MainPID"), "reload did not restart lcsd");
        assertEquals("active", host(owner).property("lcsd.service", "ActiveState"));
    }

    @Test
    @Order(3)
    void stopRunsTheStopHooksOfEveryVipTheNodeHeldAndEndsCleanly() throws Exception {
        int owner = owner(Topology.vipV4(1));
        List<String> held = new ArrayList<>();
        for (String[] vip : new String[][] {{"v4-1", Topology.vipV4(1)}, {"v6-1", Topology.vipV6(1)}}) {
            if (holders(vip[1]).contains(owner)) {
                held.add(vip[0]);
            }
        }
        host(owner).systemctl("stop", "lcsd.service");
        assertEquals("inactive", host(owner).property("lcsd.service", "ActiveState"), journal(owner));
        assertEquals("success", host(owner).property("lcsd.service", "Result"), journal(owner));
        String log = hookLog(owner);
        for (String vip : held) {
            assertTrue(log.contains("pre_stop " + vip), "pre_stop ran for " + vip + " before lcsd exited: " + log
                    + "\n" + journal(owner));
            assertTrue(log.contains("post_stop " + vip), "post_stop ran for " + vip + " before lcsd exited: " + log
                    + "\n" + journal(owner));
        }
        assertFalse(holders(Topology.vipV4(1)).contains(owner), "the stopped node removed the address");
        int next = owner(Topology.vipV4(1));
        assertNotEquals(owner, next, "another node took v4-1");
        host(owner).systemctl("start", "lcsd.service");
        assertEquals("active", host(owner).property("lcsd.service", "ActiveState"), journal(owner));
    }

    @Test
    @Order(4)
    void killMinusNineMakesSystemdRestartLcsd() throws Exception {
        SystemdHost h = host(NODES);
        h.systemctl("start", "lcsd.service"); // a no-op when an earlier scenario started it
        String pid = h.property("lcsd.service", "MainPID");
        assertNotEquals("0", pid);
        h.must(Duration.ofSeconds(10), "kill", "-9", pid);
        assertTrue(await(Duration.ofSeconds(30), () -> {
            String now = h.property("lcsd.service", "MainPID");
            return !now.equals(pid) && !now.equals("0") && h.property("lcsd.service", "ActiveState").equals("active");
        }), "systemd restarted lcsd after kill -9 (Restart=on-failure):\n" + journal(NODES));
        assertEquals("1", h.property("lcsd.service", "NRestarts"));
    }
}
