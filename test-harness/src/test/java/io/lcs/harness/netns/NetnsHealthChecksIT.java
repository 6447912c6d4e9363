package io.lcs.harness.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lcs.reconcilers.process.CommandResult;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Health checks end to end (issue 15): a 3-node cluster (2 full members, 1 witness) in network
 * namespaces, a real HTTP service on port 8080 of each full member (its own process, killed and
 * started by PID), every VIP listing {@code [check web]} (http://127.0.0.1:8080/, every 500 ms,
 * timeout 400 ms, fall 2, rise 2, hold 4 s: on the shared 2-core test machine a fresh JVM's
 * server answered slower than 150 ms often enough to fail a tighter check), and a client in its own namespace fetching http://VIP:8080/ every
 * 50 ms to see which node serves it. In order: the service dies on the owner, the client is served
 * by the other node within fall × interval + hand-over; it comes back, nothing moves back; every
 * service dies, the VIP stays and status says why; the owner's service flaps, the VIP moves at
 * most once per hold period. Needs root: skipped otherwise, except under {@code CI=true}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 240)
class NetnsHealthChecksIT {
    static final int INTERVAL_MS = 500;
    static final int FALL = 2;
    static final int HOLD_MS = 4000;
    /**
     * After the check fails: the owner's next placement (at once), the removal of the address, the
     * release, the other node's round, its 250 ms duplicate probe, the gratuitous ARP, the client's
     * next fetch. Measured at about 1 s on an idle machine; 3 s leaves room for a loaded one.
     */
    static final long HAND_OVER_MS = 3000;
    static final String EXTRA_SECTIONS = "\n[check web]\ntype = http\nurl = http://127.0.0.1:8080/\ninterval_ms = "
            + INTERVAL_MS + "\ntimeout_ms = 400\nfall = " + FALL + "\nrise = 2\nhold_ms = " + HOLD_MS + "\n";

    private static Harness harness;
    private static String classpath;
    private static final Map<String, Process> services = new HashMap<>();
    private static Process poller;
    private static List<HttpServiceProcess.Answer> answers;
    private static String owner;
    private static String other;

    @BeforeAll
    static void startCluster() throws IOException {
        String why = HarnessMain.preflight();
        if (why != null) {
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true but the netns harness cannot run: " + why);
            }
            assumeTrue(false, "needs root and network tools: " + why);
        }
        classpath = System.getProperty("java.class.path");
        harness = Harness.start(Cluster.Settings.of(3, 1), classpath,
                new Cluster.ConfigExtras("checks = web\n", EXTRA_SECTIONS));
        for (Cluster.Node n : harness.cluster().fullMembers()) {
            startService(n);
        }
        Vip v4 = harness.cluster().vips().get(0);
        poller = new ProcessBuilder(HttpServiceProcess.argv(harness.topology().clientNs(), classpath, "poll",
                "http://" + v4.address() + ":8080/", "50", "230")).redirectErrorStream(true).start();
        harness.registerProcess(poller, "http-poll");
        answers = HttpServiceProcess.collect(poller);
    }

    @AfterAll
    static void cleanUp() {
        if (poller != null) {
            poller.destroyForcibly();
        }
        services.values().forEach(Process::destroyForcibly);
        if (harness != null) {
            harness.close();
        }
    }

    static void startService(Cluster.Node n) throws IOException {
        Process p = new ProcessBuilder(HttpServiceProcess.argv(n.ns, classpath, "serve", "8080", n.name))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        harness.registerProcess(p, "http-" + n.name);
        services.put(n.name, p);
    }

    static void killService(String node) throws InterruptedException {
        Process p = services.remove(node);
        p.destroyForcibly(); // by its PID: SIGKILL
        p.waitFor();
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + timeout.toSeconds() + " s waiting until " + what + "\n"
                        + harness.cluster().logs(3000));
            }
            Harness.sleep(50);
        }
    }

    /** One {@code lcs status} through n1; a CLI start takes seconds on the loaded test machine. */
    static String status() {
        CommandResult r = harness.cluster().cli(harness.cluster().node(1), Duration.ofSeconds(60), "status");
        return r.stdout() + r.stderr();
    }

    /** What node {@code name}'s lcsd logged about its check last ("passing" or "failing"), from its log file. */
    static String lastCheckState(String name) {
        try {
            String log = java.nio.file.Files.readString(harness.cluster().node(name).log);
            int passing = log.lastIndexOf("check web now passing");
            int failing = log.lastIndexOf("check web now failing");
            return passing < 0 && failing < 0 ? "unknown" : passing > failing ? "passing" : "failing";
        } catch (IOException e) {
            return "unreadable: " + e.getMessage();
        }
    }

    static boolean logged(String name, String text, int after) {
        try {
            String log = java.nio.file.Files.readString(harness.cluster().node(name).log);
            return log.indexOf(text, after) >= 0;
        } catch (IOException e) {
            return false;
        }
    }

    static int logLength(String name) throws IOException {
        return java.nio.file.Files.readString(harness.cluster().node(name).log).length();
    }

    /** Both full members' checks pass, as each logged it; then once as n1's status shows it. */
    static boolean bothPass() {
        return lastCheckState("n1").equals("passing") && lastCheckState("n2").equals("passing");
    }

    static String lastAnswer() {
        return answers.isEmpty() ? null : answers.get(answers.size() - 1).text();
    }

    static Vip v4() {
        return harness.cluster().vips().get(0);
    }

    @Test
    @Order(1)
    void serviceKilledOnTheOwnerClientIsServedByTheOtherNodeWithinFallTimesIntervalPlusHandOver() throws Exception {
        assertTrue(harness.awaitSteady(Duration.ofSeconds(90), Duration.ofSeconds(1)), "cluster steady");
        await("both nodes pass their check", Duration.ofSeconds(90), NetnsHealthChecksIT::bothPass);
        await("n1's status shows both checks passing", Duration.ofSeconds(90), () -> {
            String s = status();
            return s.contains(" n1 role=full-member online=yes checks=web:ok") && s.contains(" n2 role=full-member online=yes checks=web:ok");
        });
        // the placement may still be moving the VIP once both checks pass (no node holds it for that moment)
        java.util.concurrent.atomic.AtomicReference<String> holder = new java.util.concurrent.atomic.AtomicReference<>();
        await("a node holds " + v4(), Duration.ofSeconds(20), () -> {
            holder.set(harness.holder(v4()));
            return holder.get() != null;
        });
        owner = holder.get();
        assertNotNull(owner);
        other = owner.equals("n1") ? "n2" : "n1";
        await("the client is served by the owner " + owner, Duration.ofSeconds(20), () -> owner.equals(lastAnswer()));
        long killedAt = System.currentTimeMillis();
        killService(owner);
        await("the client is served by " + other, Duration.ofSeconds(20), () -> other.equals(lastAnswer()));
        long servedAt = answers.stream().filter(a -> a.epochMillis() >= killedAt && other.equals(a.text()))
                .findFirst().orElseThrow().epochMillis();
        long outage = servedAt - killedAt;
        System.out.println("health: service killed on " + owner + ", client served by " + other + " after "
                + outage + " ms (fall x interval = " + FALL * INTERVAL_MS + " ms)");
        assertTrue(outage <= FALL * INTERVAL_MS + HAND_OVER_MS, "served by " + other + " after " + outage + " ms");
        assertEquals(other, harness.holder(v4()));
        assertTrue(harness.cluster().logs(100_000).contains("handing over to " + other),
                "the old owner said why it handed over");
    }

    @Test
    @Order(2)
    void restartedServiceOnTheOldOwnerMovesNothingBack() throws Exception {
        startService(harness.cluster().node(owner));
        long until = System.nanoTime() + Duration.ofMillis(HOLD_MS + 3000).toNanos();
        while (System.nanoTime() < until) { // bounded by the hold plus the rise
            assertEquals(other, harness.holder(v4()), "the VIP stays where it went: no second outage");
            Harness.sleep(100);
        }
        await("the old owner passes again", Duration.ofSeconds(40), NetnsHealthChecksIT::bothPass);
        assertEquals(other, harness.holder(v4()));
    }

    @Test
    @Order(3)
    void everyServiceDeadTheVipStaysAndStatusSaysWhy() throws Exception {
        int mark = logLength(other);
        int ownerMark = logLength(owner);
        killService(owner);
        // the holder's service dies only once the other node's failure is known: otherwise the holder may
        // see its own failure first and hand over to a node whose check has not failed yet (its report is
        // fall x interval behind), and that node is the one that keeps it
        await(owner + " sees its check fail", Duration.ofSeconds(30),
                () -> logged(owner, "check web now failing", ownerMark));
        Harness.sleep(INTERVAL_MS); // and its peers have its report (the next heartbeat)
        killService(other);
        await(other + " says it keeps the VIP", Duration.ofSeconds(30),
                () -> logged(other, "kept on this node although its checks fail here", mark));
        String s = status();
        assertTrue(s.contains("Healthy=False reason=NoHealthyNode") && s.contains("kept on " + other), s);
        assertEquals(other, harness.holder(v4()), "kept where it was");
        CommandResult d = harness.cluster().cli(harness.cluster().node(1), Duration.ofSeconds(60), "describe", "vip",
                v4().name());
        assertTrue(d.stdout().contains(other + ": not eligible: check web failing"), d.stdout());
        Harness.sleep(2 * FALL * INTERVAL_MS);
        assertEquals(other, harness.holder(v4()), "still kept");
    }

    @Test
    @Order(4)
    void flappingServiceOnTheOwnerMovesTheVipAtMostOncePerHoldPeriod() throws Exception {
        startService(harness.cluster().node(owner));
        startService(harness.cluster().node(other));
        await("both pass again", Duration.ofSeconds(60), NetnsHealthChecksIT::bothPass);
        await("one node holds " + v4().name(), Duration.ofSeconds(30), () -> harness.holder(v4()) != null);
        String before = harness.holder(v4());
        List<Long> moves = new ArrayList<>();
        String holder = before;
        long start = System.nanoTime();
        long end = start + Duration.ofMillis(3L * HOLD_MS).toNanos();
        Cluster.Node flapping = harness.cluster().node(before);
        boolean up = true;
        long nextFlip = System.nanoTime();
        while (System.nanoTime() < end) { // bounded: 3 hold periods
            if (System.nanoTime() >= nextFlip) {
                if (up) {
                    killService(flapping.name);
                } else {
                    startService(flapping);
                }
                up = !up;
                // down longer than fall x interval so that the check fails; up while the JVM starts
                nextFlip = System.nanoTime() + Duration.ofMillis(1500).toNanos();
            }
            String h = harness.holder(v4());
            if (h != null && !h.equals(holder)) {
                moves.add((System.nanoTime() - start) / 1_000_000L);
                holder = h;
            }
            Harness.sleep(50);
        }
        System.out.println("health: " + before + "'s service flapped for " + 3 * HOLD_MS + " ms; moves at " + moves
                + " ms");
        assertTrue(!moves.isEmpty(), "the flapping owner's check failed at least once: the VIP moved");
        for (int i = 1; i < moves.size(); i++) {
            assertTrue(moves.get(i) - moves.get(i - 1) >= HOLD_MS - 500, "moves " + moves + " closer than the hold");
        }
        assertTrue(moves.size() <= 3, "at most one move per hold period: " + moves);
        if (!up) {
            startService(flapping);
        }
    }

    /** The nodes whose eth0 has {@code address} now. */
    static List<String> holdersOf(String address) {
        List<String> out = new ArrayList<>();
        for (Cluster.Node n : harness.cluster().fullMembers()) {
            String addrs = Netns.ip(n.ns, "-o", "addr", "show", "dev", "eth0");
            if (addrs.contains(" " + address + "/")) {
                out.add(n.name);
            }
        }
        return out;
    }

    @Test
    @Order(5)
    void aHealthCheckAppliedThroughTheApiMovesItsVipLikeAConfiguredOne() throws Exception {
        await("both pass again", Duration.ofSeconds(60), NetnsHealthChecksIT::bothPass);
        String address = Topology.vipV4(9);
        java.nio.file.Path manifest = java.nio.file.Files.createTempFile("lcs-api-check", ".yaml");
        try {
            java.nio.file.Files.writeString(manifest, """
                    apiVersion: lcs/v1
                    kind: HealthCheck
                    metadata: {name: api-web}
                    spec: {type: http, url: "http://127.0.0.1:8080/", intervalMs: %d, timeoutMs: 400, fall: %d, rise: 2, holdMs: %d}
                    ---
                    apiVersion: lcs/v1
                    kind: VirtualIP
                    metadata: {name: api-v4}
                    spec: {address: %s/24, interface: eth0, checks: [api-web]}
                    """.formatted(INTERVAL_MS, FALL, HOLD_MS, address));
            Cluster.Node via = harness.cluster().node(1);
            CommandResult applied = harness.cluster().cli(via, Duration.ofSeconds(60), "apply", "-f", manifest.toString());
            assertEquals(0, applied.exitCode(), applied.stdout() + applied.stderr());
            await("one node holds api-v4", Duration.ofSeconds(30), () -> holdersOf(address).size() == 1);
            String holder = holdersOf(address).get(0);
            String next = harness.cluster().fullMembers().stream().map(n -> n.name).filter(n -> !n.equals(holder))
                    .findFirst().orElseThrow();

            CommandResult checks = harness.cluster().cli(via, Duration.ofSeconds(60), "get", "checks");
            assertTrue(checks.stdout().contains("api-web"), "lcs get checks lists the applied check: " + checks.stdout());
            CommandResult refused = harness.cluster().cli(via, Duration.ofSeconds(60), "delete", "check", "api-web");
            assertTrue(refused.exitCode() != 0 && refused.stderr().contains("VirtualIP api-v4 lists it"),
                    "a check a VIP lists stays: " + refused.stdout() + refused.stderr());

            long killed = System.nanoTime();
            killService(holder);
            await("api-v4 moves to " + next, Duration.ofMillis(FALL * INTERVAL_MS + HAND_OVER_MS + 10_000),
                    () -> holdersOf(address).equals(List.of(next)));
            System.out.println("health: the API check's VIP moved " + (System.nanoTime() - killed) / 1_000_000L
                    + " ms after its service died on " + holder);
            startService(harness.cluster().node(holder));

            CommandResult vipGone = harness.cluster().cli(via, Duration.ofSeconds(60), "delete", "vip", "api-v4");
            assertEquals(0, vipGone.exitCode(), vipGone.stdout() + vipGone.stderr());
            CommandResult checkGone = harness.cluster().cli(via, Duration.ofSeconds(60), "delete", "check", "api-web");
            assertEquals(0, checkGone.exitCode(), checkGone.stdout() + checkGone.stderr());
            await("api-v4 is gone everywhere", Duration.ofSeconds(30), () -> holdersOf(address).isEmpty());
        } finally {
            java.nio.file.Files.deleteIfExists(manifest);
        }
    }
}
