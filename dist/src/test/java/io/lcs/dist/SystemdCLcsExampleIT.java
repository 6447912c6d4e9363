package io.lcs.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lcs.harness.netns.CLcsExample;
import io.lcs.harness.netns.Netns;
import io.lcs.harness.netns.RunRegistry;
import io.lcs.harness.netns.SystemdHost;
import io.lcs.harness.netns.Topology;
import io.lcs.model.config.NodeConfig;
import io.lcs.model.config.VipConfig;
import io.lcs.reconcilers.process.CommandResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/c-lcs/systemd-service.conf as written (only {@code node} changes per node: the
 * substitution table of {@link CLcsExample}) on three machines, each a network namespace with its
 * own systemd as PID 1 running the packaged lcsd.service ({@link SystemdNodes}), and the unit the
 * file names, {@code haproxy.service}: here a stand-in, a python HTTP server on port 8080 answering
 * with its node's name. The namespaces carry the file's node addresses. Asserts: the group's
 * service and VIP run together on exactly one full member (never on the witness, never on two
 * nodes: sampled throughout), the client gets the owner's answer on the VIP, {@code lcs status} and
 * {@code lcs -j status} show both on the owner; after a kill -9 of lcsd on the owner both run on the
 * other full member. Needs root and systemd; skipped otherwise, except under {@code CI=true}.
 */
@Timeout(value = 180)
class SystemdCLcsExampleIT {
    static final String FILE = "systemd-service.conf";
    static final String WWW = "/run/haproxy-www";
    static final int HTTP_PORT = 8080;
    static final Duration CONVERGE = Duration.ofSeconds(45);
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    private Topology topology;
    private RunRegistry registry;
    private final List<SystemdHost> hosts = new ArrayList<>();

    @AfterEach
    void tearDown() {
        SystemdNodes.tearDown(hosts, topology, registry);
    }

    @Test
    void theServiceAndItsVipRunTogetherOnOneNodeAndMoveWithAKillMinusNine() throws Exception {
        SystemdNodes.assumeMachines(true);
        assertTrue(io.lcs.harness.netns.HarnessMain.onPath("curl") && Files.isExecutable(Path.of("/usr/bin/python3")),
                "needs curl (the client) and /usr/bin/python3 (the haproxy stand-in): install curl and python3");
        long t0 = System.nanoTime();
        Path home = SystemdNodes.home();
        CLcsExample ex = CLcsExample.read(Path.of(System.getProperty("lcs.examples")).resolve("c-lcs").resolve(FILE));
        VipConfig service = ex.config().vips().stream().filter(VipConfig::isService).findFirst().orElseThrow();
        VipConfig vip = ex.vips().get(0);
        assertEquals("haproxy.service", service.systemdUnit(), "the unit the example names");
        List<NodeConfig> nodes = ex.nodes();
        String runId = Topology.newRunId();
        registry = RunRegistry.open(runId);
        topology = Topology.create(runId, nodes.size(), registry);
        for (int i = 1; i <= nodes.size(); i++) {
            NodeConfig n = nodes.get(i - 1);
            Path dir = SystemdNodes.nodeDir(tmp, i);
            String copy = ex.rewrite(Map.of("node", n.name()), Map.of());
            assertEquals(List.of(), ex.changedLinesOutsideTable(copy), n.name() + "'s copy changes only the table");
            Files.writeString(dir.resolve("lcs.conf"), copy); // state_dir: /var/lib/lcs, the node's own (SystemdNodes)
            CLcsExample.addAddress(topology.nodeNs(i), Topology.IFACE, n.address());
            SystemdHost host = SystemdNodes.boot(topology, i, home, dir, registry);
            hosts.add(host);
            host.writeFile(WWW + "/index.html", n.name() + "\n", "644");
            host.writeFile("/run/systemd/system/" + service.systemdUnit(), "[Unit]\nDescription=haproxy stand-in (test):"
                    + " an HTTP server naming its node\n[Service]\nExecStart=/usr/bin/python3 -m http.server " + HTTP_PORT
                    + " --directory " + WWW + "\n", "644");
            host.systemctl("daemon-reload");
        }
        Netns.ip(topology.clientNs(), "addr", "add", CLcsExample.clientAddress(vip.address()), "dev", Topology.IFACE);
        for (SystemdHost h : hosts) {
            h.systemctl("start", "lcsd.service");
        }

        int owner = awaitTogether(ex, service, vip, -1);
        long formedMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals("full-member", nodes.get(owner - 1).role().label(), "a witness never runs it");
        assertAnswers(vip, nodes.get(owner - 1).name());
        String name = nodes.get(owner - 1).name();
        String status = host(owner).must(Duration.ofSeconds(20), SystemdNodes.TREE + "/bin/lcs", "status");
        assertTrue(status.contains("  " + service.name() + " type=service unit=" + service.systemdUnit()
                + " state=active owner=" + name + " "), status);
        assertTrue(status.contains("  " + vip.name() + " " + vip.address() + " dev=" + vip.interfaceName()
                + " state=active owner=" + name + " "), status);
        JsonNode s = JSON.readTree(host(owner).must(Duration.ofSeconds(20), SystemdNodes.TREE + "/bin/lcs", "-j",
                "status"));
        assertTrue(s.path("cluster").path("quorum").asBoolean(), s.toString());
        for (JsonNode r : s.path("resources")) {
            assertEquals("active", r.path("state").asText(), s.toString());
            assertEquals(name, r.path("owner").asText(), s.toString());
            assertEquals(service.grouping().group(), r.path("group").asText(), s.toString());
        }

        String pid = host(owner).property("lcsd.service", "MainPID");
        long k0 = System.nanoTime();
        host(owner).must(Duration.ofSeconds(5), "kill", "-9", pid);
        int next = awaitTogether(ex, service, vip, owner);
        long failoverMs = (System.nanoTime() - k0) / 1_000_000;
        assertNotEquals(owner, next);
        assertAnswers(vip, nodes.get(next - 1).name());
        System.out.printf("[SystemdCLcsExampleIT] %s: %s and %s together on %s after %d ms (3 systemd machines"
                        + " booted); kill -9 of lcsd on %s -> both on %s after %d ms; whole case %d ms%n", FILE,
                service.systemdUnit(), vip.name(), name, formedMs, name, nodes.get(next - 1).name(), failoverMs,
                (System.nanoTime() - t0) / 1_000_000);
    }

    private SystemdHost host(int i) {
        return hosts.get(i - 1);
    }

    /** Nodes (1-based) where the unit is active. */
    private List<Integer> unitActive(String unit) {
        List<Integer> out = new ArrayList<>();
        for (int i = 1; i <= hosts.size(); i++) {
            if ("active".equals(host(i).property(unit, "ActiveState"))) {
                out.add(i);
            }
        }
        return out;
    }

    /** Nodes (1-based) whose namespace has the VIP's address. */
    private List<Integer> vipOn(VipConfig vip) {
        List<Integer> out = new ArrayList<>();
        for (int i = 1; i <= hosts.size(); i++) {
            if (CLcsExample.addresses(topology.nodeNs(i)).contains(CLcsExample.address(vip))) {
                out.add(i);
            }
        }
        return out;
    }

    /**
     * Waits until the unit and the VIP are both on exactly one node, the same, other than {@code not};
     * fails at once if the unit is ever active on two nodes.
     */
    private int awaitTogether(CLcsExample ex, VipConfig service, VipConfig vip, int not) throws InterruptedException {
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            List<Integer> unit = unitActive(service.systemdUnit());
            assertTrue(unit.size() <= 1, service.systemdUnit() + " active on two nodes at once: " + unit);
            List<Integer> addr = vipOn(vip);
            last = service.systemdUnit() + " on " + unit + ", " + vip.name() + " on " + addr;
            if (unit.size() == 1 && unit.equals(addr) && unit.get(0) != not) {
                return unit.get(0);
            }
            Thread.sleep(50);
        }
        StringBuilder journals = new StringBuilder();
        for (int i = 1; i <= hosts.size(); i++) {
            String j = host(i).journal("lcsd.service");
            journals.append("---- ").append(ex.nodes().get(i - 1).name()).append('\n')
                    .append(j.length() > 4000 ? j.substring(j.length() - 4000) : j);
        }
        throw new AssertionError("not together on one node" + (not < 0 ? "" : " other than n" + not) + " within "
                + CONVERGE.toSeconds() + " s: " + last + "\n" + journals);
    }

    /** The client's HTTP request to the VIP is answered by the unit on {@code node}. */
    private void assertAnswers(VipConfig vip, String node) throws InterruptedException {
        String url = "http://" + CLcsExample.address(vip) + ":" + HTTP_PORT + "/";
        String last = "";
        for (int attempt = 0; attempt < 40; attempt++) {
            CommandResult r = Netns.run(Duration.ofSeconds(5), Netns.enter(topology.clientNs(), List.of("curl", "-sS",
                    "--max-time", "2", url)));
            last = r.toString();
            if (r.ok() && r.stdout().strip().equals(node)) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError(url + " from the client never answered by " + node + ": " + last);
    }
}
