package io.lcs.harness.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lcs.reconcilers.process.CommandResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * VIPs on an interface without a link-layer address (issue 14, item 4): a one-node cluster, a real
 * lcsd with the real iproute2 actuator, in a network namespace this test creates, with VIPs on
 * {@code lo}: two IPv4 and one IPv6 without hooks (the batch path: on main one arp-scan for both
 * IPv4 ones failed with "Could not obtain MAC address" and they stayed pending forever), and one
 * IPv4 with a {@code pre_start} hook (the single-VIP path). All become active, each says once
 * that its probe and announcements are skipped, and {@code lcs get vips} shows why. Needs root;
 * skipped otherwise, except under {@code CI=true}.
 */
@Timeout(value = 120)
class LoopbackInterfaceVipsIT {
    private static final Map<String, String> VIPS = Map.of("lo1", "198.18.7.1/32", "lo2", "198.18.7.2/32",
            "lo6", "2001:db8:7::1/128", "hooked", "198.18.7.3/32");
    private static final Duration ACTIVE_WITHIN = Duration.ofSeconds(30);

    private String ns;
    private Path dir;
    private Process lcsd;

    @AfterEach
    void cleanUp() throws Exception {
        if (lcsd != null) {
            lcsd.destroy(); // SIGTERM: lcsd releases and removes its VIPs
            if (!lcsd.waitFor(15, TimeUnit.SECONDS)) {
                lcsd.destroyForcibly();
                lcsd.waitFor(5, TimeUnit.SECONDS);
            }
        }
        if (ns != null) {
            Netns.run(Netns.COMMAND_TIMEOUT, List.of("ip", "netns", "del", ns));
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Test
    void vipsOnLoopbackOfAOneNodeClusterBecomeActiveAndSayOnceThatTheProbeIsSkipped() throws Exception {
        String why = HarnessMain.preflight();
        if (why != null && "true".equals(System.getenv("CI"))) {
            fail("CI=true but this test cannot run: " + why);
        }
        assumeTrue(why == null, "needs root and network tools: " + why);
        ns = String.format("%s%06x-lo", Netns.PREFIX, ThreadLocalRandom.current().nextInt(1 << 24));
        Netns.must(List.of("ip", "netns", "add", ns));
        Netns.ip(ns, "link", "set", "lo", "up");
        // under /run (root's, 755), not the build directory: lcsd refuses a hook on a path others can write to,
        // and a checkout may be under /tmp
        dir = Files.createTempDirectory(Path.of("/run"), "lcs-lo-vips");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path hook = dir.resolve("pre_start");
        Files.writeString(hook, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path config = dir.resolve("lcs.conf");
        Files.createDirectories(dir.resolve("state"));
        StringBuilder conf = new StringBuilder("[cluster]\nname = lotest\nnode = a\nbind = 127.0.0.1\nport = 3322\n"
                + "secret = lo-test-secret-0123456789abcdef\nlease_ms = 2000\nrenew_ms = 500\nprobe_ms = 250\n"
                + "state_dir = " + dir.resolve("state") + "\nadmin_bind = 127.0.0.1\nadmin_port = 9121\n"
                + "\n[node a]\nrole = full-member\naddress = 127.0.0.1\n");
        for (Map.Entry<String, String> v : VIPS.entrySet()) {
            conf.append("\n[vip ").append(v.getKey()).append("]\naddress = ").append(v.getValue())
                    .append("\ninterface = lo\n");
            if (v.getKey().equals("hooked")) {
                conf.append("pre_start = ").append(hook).append('\n');
            }
        }
        Files.writeString(config, conf);
        Path log = dir.resolve("lcsd.log");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> argv = new ArrayList<>(List.of(javaBin));
        argv.addAll(Cluster.JVM_FLAGS);
        argv.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.lcs.controller.daemon.Lcsd",
                "-c", config.toString(), "-v"));
        lcsd = new ProcessBuilder(Netns.exec(ns, argv)).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();

        boolean active = Harness.await(ACTIVE_WITHIN, () -> onLo().containsAll(VIPS.values()) || !lcsd.isAlive());
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(active && lcsd.isAlive(), "VIPs on lo after " + ACTIVE_WITHIN.toSeconds() + " s: " + onLo()
                + "\n" + output);

        // the status says why there was no probe; nothing is pending, failed or in conflict
        CommandResult get = lcs(javaBin, "get", "vips", "-o", "json");
        assertTrue(get.ok(), "lcs get vips: exit " + get.exitCode() + ": " + get.stderr());
        JsonNode items = new ObjectMapper().readTree(get.stdout());
        items = items.isArray() ? items : items.path("items");
        assertEquals(VIPS.size(), items.size(), get.stdout());
        for (JsonNode vip : items) {
            String name = vip.path("metadata").path("name").asText();
            assertEquals("active", vip.path("status").path("state").asText(), name + ": " + vip);
            boolean probed = false;
            for (JsonNode c : vip.path("status").path("conditions")) {
                probed |= c.path("type").asText().equals("ProbeSkipped")
                        && c.path("reason").asText().equals("NoNeighbourDiscovery")
                        && c.path("message").asText().equals("no neighbour discovery on lo (loopback); duplicate"
                        + " probe and announcements skipped");
            }
            assertTrue(probed, name + " has no ProbeSkipped=True NoNeighbourDiscovery condition: " + vip);
        }

        // informative only: `lcs status` of this healthy cluster is the original's, no condition lines
        CommandResult status = lcs(javaBin, "status");
        assertTrue(status.ok() && status.stdout().lines().noneMatch(l -> l.startsWith("    ")), status.stdout());

        // said once per VIP at info; no probe failure, decline or conflict
        output = Files.readString(log, StandardCharsets.UTF_8);
        for (String name : VIPS.keySet()) {
            String line = "vip " + name + " on lo: no neighbour discovery on this interface (loopback); duplicate"
                    + " probe and announcements skipped";
            assertEquals(1, output.lines().filter(l -> l.contains(line)).count(), name + "\n" + output);
        }
        for (String bad : List.of("probe failed", "could not run", "declined", "CONFLICT", "announc")) {
            assertTrue(output.lines().filter(l -> l.contains(bad)).allMatch(l -> l.contains("skipped")),
                    "'" + bad + "' in the log:\n" + output);
        }
    }

    /** {@code lcs ARGS...} run inside the namespace against the node's admin API. */
    private CommandResult lcs(String javaBin, String... args) {
        List<String> argv = new ArrayList<>(List.of(javaBin, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), "io.lcs.cli.Lcs", "--server", "http://127.0.0.1:9121"));
        argv.addAll(List.of(args));
        return Netns.run(Duration.ofSeconds(20), Netns.exec(ns, argv));
    }

    /** The addresses on the namespace's {@code lo}, as CIDR text. */
    private List<String> onLo() {
        List<String> out = new ArrayList<>();
        try {
            for (JsonNode link : new ObjectMapper().readTree(Netns.ip(ns, "-j", "addr", "show", "dev", "lo"))) {
                for (JsonNode a : link.path("addr_info")) {
                    out.add(a.path("local").asText() + "/" + a.path("prefixlen").asInt());
                }
            }
        } catch (IOException | HarnessException e) {
            return out;
        }
        return out;
    }
}
