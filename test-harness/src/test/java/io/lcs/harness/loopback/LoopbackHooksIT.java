package io.lcs.harness.loopback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lcs.harness.loopback.LoopbackCluster.Node;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hooks get {@code hook_timeout_ms}, not what is left of the lease (issue 14.8), with real lcsd
 * processes (three full members a, b, c; lease 2 s; hook_timeout_ms 5 s; the simulated actuator
 * journaling every address change): a {@code pre_start} sleeping 3 s (longer than the lease)
 * completes and the VIP becomes active; a {@code pre_stop} hanging during a move is killed at
 * {@code hook_timeout_ms} while the owner keeps the lease and the address, and then the target
 * takes the VIP at the next epoch: no third node ever held it, and the journals never show two
 * holders.
 *
 * <p>The hook files live under {@code /run} (root's, 755: lcsd refuses a hook on a path others can
 * write to, and a checkout may be under /tmp), in a directory this test makes and removes.
 */
class LoopbackHooksIT {
    private static final String VIP = "web";
    private static final String ADDRESS = "198.18.0.201/24";
    private static final int HOOK_TIMEOUT_MILLIS = 5_000;
    private static final int PRE_START_MILLIS = 3_000;
    private static final Duration FORM = Duration.ofSeconds(60); // start-up on a loaded machine, not a target
    private static final Pattern PRE_START_OK = Pattern.compile("vip web: pre_start ok in (\\d+) ms");
    private static final Pattern PRE_STOP_TIMED_OUT = Pattern.compile("vip web: pre_stop timed out after (\\d+) ms");

    @TempDir
    Path tmp;
    Path hookDir;
    Path hang;
    LoopbackCluster cluster;

    @BeforeEach
    void start() throws Exception {
        hookDir = Files.createTempDirectory(Path.of("/run"), "lcs-loopback-hooks");
        Files.setPosixFilePermissions(hookDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        hang = hookDir.resolve("hang");
        Path preStart = script("pre_start", "sleep " + PRE_START_MILLIS / 1000 + "\n");
        // hangs only once the test asks for it (the test's own stop does not wait for it)
        Path preStop = script("pre_stop", "if [ -e " + hang + " ]; then sleep 60; fi\n");
        cluster = new LoopbackCluster(tmp, List.of("a", "b", "c"),
                "[vip " + VIP + "]\naddress = " + ADDRESS + "\ninterface = eth0\npreferred_nodes = a\n"
                        + "pre_start = " + preStart + "\npre_stop = " + preStop + "\n",
                "hook_timeout_ms = " + HOOK_TIMEOUT_MILLIS + "\n");
        cluster.startAll();
    }

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (hookDir != null) {
            for (String f : List.of("pre_start", "pre_stop", "hang")) {
                Files.deleteIfExists(hookDir.resolve(f));
            }
            Files.deleteIfExists(hookDir);
        }
    }

    private Path script(String name, String body) throws IOException {
        Path p = hookDir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    @Test
    void preStartLongerThanTheLeaseCompletesAndAHangingPreStopDuringAMoveKeepsTheLeaseUntilItsTimeout()
            throws Exception {
        // preferred_nodes = a, but a node still in its restart wait is no candidate: whoever starts first
        // may take the VIP (and keeps it: sticky), so the roles follow the owner
        Node[] owner = new Node[1];
        assertTrue(LoopbackCluster.await(FORM, () -> {
            for (Node n : cluster.nodes()) {
                if (activeOn(n) && PRE_START_OK.matcher(cluster.logOf(n)).find()) {
                    owner[0] = n;
                    return true;
                }
            }
            return false;
        }), "no node activated " + VIP + "\n" + cluster.logs());
        Node a = owner[0];
        List<Node> others = cluster.nodes().stream().filter(n -> n != a).toList();
        Node b = others.get(0);
        Node c = others.get(1);
        Matcher started = PRE_START_OK.matcher(cluster.logOf(a));
        assertTrue(started.find(), a.name + "'s log says pre_start ended well\n" + cluster.logOf(a));
        long preStartMillis = Long.parseLong(started.group(1));
        assertTrue(preStartMillis >= PRE_START_MILLIS && preStartMillis < HOOK_TIMEOUT_MILLIS,
                "pre_start ran " + preStartMillis + " ms: longer than the 2 s lease, within hook_timeout_ms");
        long epochBefore = cluster.epoch(a, VIP);

        Files.writeString(hang, "");
        long requestedAtMillis = System.currentTimeMillis();
        long requestedAt = System.nanoTime();
        Map.Entry<Integer, JsonNode> r = cluster.post(a, "/api/v1/vips/" + VIP + "/move", "application/json",
                "{\"to\":\"" + b.name + "\"}");
        assertEquals(200, r.getKey(), "move: " + r.getValue() + "\n" + cluster.logs());
        assertTrue(LoopbackCluster.await(Duration.ofSeconds(20), () -> activeOn(b)),
                "the move never completed\n" + cluster.logs());
        double moveSeconds = (System.nanoTime() - requestedAt) / 1e9;

        Matcher killed = PRE_STOP_TIMED_OUT.matcher(cluster.logOf(a));
        assertTrue(killed.find(), "a's pre_stop was killed at hook_timeout_ms\n" + cluster.logOf(a) + "\njournal of a: "
                + cluster.journal(a));
        assertTrue(Long.parseLong(killed.group(1)) >= HOOK_TIMEOUT_MILLIS, killed.group());
        assertEquals(epochBefore + 1, cluster.epoch(b, VIP), "b took the VIP at the next epoch: nobody in between");

        Map<String, List<JsonNode>> journals = new LinkedHashMap<>();
        for (Node n : cluster.nodes()) {
            journals.put(n.name, cluster.journal(n));
        }
        assertEquals(List.of(), AddressTimeline.overlaps(journals, ADDRESS), "never two holders");
        assertTrue(AddressTimeline.intervals(c.name, journals.get(c.name), ADDRESS).isEmpty(),
                "the third node never held the address: " + journals.get(c.name));
        // a kept the address (its lifetime refreshed) while pre_stop ran, until it removed it
        List<AddressTimeline.Interval> onA = AddressTimeline.intervals(a.name, journals.get(a.name), ADDRESS);
        AddressTimeline.Interval last = onA.get(onA.size() - 1);
        assertTrue(last.startMillis() < requestedAtMillis && last.endMillis() - requestedAtMillis
                >= HOOK_TIMEOUT_MILLIS, "a held the address without a gap until pre_stop was killed: " + onA);
        System.out.printf(Locale.ROOT, "pre_start %d ms; move with a hanging pre_stop: %.2f s (pre_stop killed at"
                + " %s ms)%n", preStartMillis, moveSeconds, killed.group(1));
    }

    private boolean activeOn(Node n) {
        JsonNode s = cluster.status(n);
        if (s != null) {
            for (JsonNode v : s.path("vips")) {
                if (v.path("name").asText().equals(VIP)) {
                    return n.name.equals(v.path("owner").asText()) && "active".equals(v.path("state").asText());
                }
            }
        }
        return false;
    }
}
