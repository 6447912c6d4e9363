package io.lcs.harness.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lcs.controller.daemon.Lcsd;
import io.lcs.reconcilers.process.CommandResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * A cluster in network namespaces (2 full members + a witness) whose lcs.conf is written the C
 * lcs's way: every [cluster] key of the C lcs ({@code socket}, {@code pidfile},
 * {@code peer_timeout_ms}, {@code probe_count}, {@code probe_timeout_ms}, {@code hook_timeout_ms},
 * {@code syslog}, {@code vip_backend}), {@code port} inherited by the [node] sections, a
 * {@code [group]}, {@code priority}, {@code home_node}, the {@code depends-on} spelling, an interface
 * written {@code eth0@if9} as ip(8) shows a veth, comments after values. Each node's file passes
 * {@code lcsd --check-config}, the cluster forms and runs the group together, and the C lcs's CLI
 * reads it ({@code lcs -j status}, {@code lcs nrpe}). Needs root: skipped otherwise, except under
 * {@code CI=true}. About 20 s.
 */
@Timeout(value = 90)
class NetnsCLcsConfigIT {
    private static Harness harness;
    private static Path pidDir;

    static final String C_CLUSTER_KEYS = """
            socket = /run/lcs/lcsd.sock      # the C lcs's CLI socket: not created by lcs
            pidfile = %s/{node}.pid
            peer_timeout_ms = 5000           ; accepted with a warning
            probe_count = 3
            probe_timeout_ms = 300           # probe_ms is set: it wins
            hook_timeout_ms = 5000
            syslog = true
            vip_backend = netlink
            """;

    @BeforeAll
    static void startCluster() throws IOException {
        String why = HarnessMain.preflight();
        if (why != null) {
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true but the netns harness cannot run: " + why);
            }
            assumeTrue(false, "needs root and network tools: " + why);
        }
        pidDir = Files.createTempDirectory("lcs-c-pids");
        Cluster.ConfigExtras extras = new Cluster.ConfigExtras(C_CLUSTER_KEYS.formatted(pidDir),
                "\n[group pair]\ntype = keep-together     # one node runs both\nmode = strict ; C-lcs comment\n",
                Map.of("v4-1", "interface = eth0@if9   # as ip(8) shows a veth\ngroup = pair\npriority = 2\n"
                                + "home_node = n1\n",
                        "v6-1", "interface = eth0@if9\ngroup = pair\npriority = 1\ndepends-on = v4-1   # C spelling\n"));
        harness = Harness.start(new Cluster.Settings(3, 1, 2000, 500, 250, 1), System.getProperty("java.class.path"),
                extras);
    }

    @AfterAll
    static void cleanUp() throws IOException {
        if (harness != null) {
            harness.close();
        }
        if (pidDir != null) {
            try (Stream<Path> files = Files.walk(pidDir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Test
    void aCLcsStyleConfigurationChecksStartsAndIsReadByTheCLcsCli() throws Exception {
        for (Cluster.Node n : harness.cluster().nodes()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int exit = new CommandLine(new Lcsd(new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(out, true, StandardCharsets.UTF_8))).execute("--check-config", "-c", n.config.toString());
            String text = out.toString(StandardCharsets.UTF_8);
            assertEquals(0, exit, n.name + ":\n" + text);
            assertTrue(text.contains(": socket: lcs has no control socket") && text.contains(": peer_timeout_ms: ")
                    && text.contains(": probe_count: ") && text.contains(": vip_backend = netlink: ")
                    && text.contains(": interface = eth0@if9: using 'eth0'"), n.name + ":\n" + text);
        }

        assertTrue(harness.awaitSteady(Duration.ofSeconds(45), Duration.ofSeconds(1)), String.valueOf(harness.holdersNow()));
        assertTrue(Harness.await(Duration.ofSeconds(15), () -> {
            TreeSet<String> a = harness.sampler().holders("v4-1");
            return a.size() == 1 && a.equals(harness.sampler().holders("v6-1"));
        }), "the pair never ran together on one node: " + harness.holdersNow());
        String owner = harness.sampler().holders("v4-1").first();

        Cluster.Node via = harness.cluster().node("n3"); // the witness reads the cluster too
        CommandResult status = harness.cluster().cli(via, Duration.ofSeconds(20), "-j", "status");
        assertTrue(status.ok(), status.toString());
        JsonNode s = new ObjectMapper().readTree(status.stdout());
        assertTrue(s.path("cluster").path("quorum").asBoolean(), status.stdout());
        assertEquals(List.of("online", "online", "online"), s.path("nodes").findValuesAsText("state"), status.stdout());
        for (JsonNode r : s.path("resources")) {
            assertEquals("active", r.path("state").asText(), status.stdout());
            assertEquals(owner, r.path("owner").asText(), status.stdout());
            assertEquals("pair", r.path("group").asText(), status.stdout());
            assertEquals("eth0", r.path("interface").asText(), status.stdout());
        }
        assertEquals("n1", s.path("resources").get(0).path("home_node").asText(), status.stdout());

        CommandResult nrpe = harness.cluster().cli(via, Duration.ofSeconds(20), "nrpe");
        assertEquals(0, nrpe.exitCode(), nrpe.toString());
        assertTrue(nrpe.stdout().startsWith("OK - quorum=yes votes=3/3 need=2 "), nrpe.stdout());

        for (Cluster.Node n : harness.cluster().nodes()) { // the pidfile of each daemon, in the foreground
            Path pidfile = pidDir.resolve(n.name + ".pid");
            assertTrue(Files.isRegularFile(pidfile), "no " + pidfile);
            long pid = Long.parseLong(Files.readString(pidfile).strip());
            assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), pidfile + ": " + pid);
        }
    }
}
