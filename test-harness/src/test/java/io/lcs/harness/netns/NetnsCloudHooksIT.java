package io.lcs.harness.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lcs.reconcilers.process.CommandResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * A provider-moved address under lcs's lease and epoch, with real lcsd processes in network
 * namespaces (2 full members + 1 witness): a hook-only {@code [service fip]} whose {@code pre_start}
 * and {@code post_stop} are the example hook examples/cloud/hooks/aws-secondary-ip, calling a fake
 * {@code aws} (src/test/resources/cloud/fake-aws) that keeps the provider's state as EC2 does (an
 * assign with reassignment moves the address from whichever interface had it; an unassign of an
 * address an interface does not have is refused) and appends every call, serialized by flock, to
 * one log: {@code <wall ns> <node> attach|detach|detach-refused <epoch> <eni> <eni before>}. The
 * provider is reachable from every node, also from one cut off from its peers, as a cloud API is.
 *
 * <p>Faults on the owner, one after the other: normal placement, {@code lcs move}, kill -9 of lcsd,
 * SIGSTOP of lcsd, its link down (isolation), and a restart (SIGTERM, start). After each, from the
 * provider's log:
 *
 * <p><b>Invariant (never attached to two nodes).</b> Replay the log in order, keeping the node the
 * address is attached to (H) and the epoch of that attach (e_H). An attach by node N at epoch e
 * while H is another node is a <em>reassignment</em>; it is allowed only if (a) e &gt; e_H (a newer
 * lease: never a stale owner taking it back), and (b) a fault hit H before it, at time f, with the
 * attach at least {@code lease_ms} after f: H's lease, renewed at the latest at f, had certainly
 * ended (and the new owner waited out H's hooks). A planned change (a move, a restart by SIGTERM)
 * has no fault: the old owner's detach must come before the new attach. Attach epochs never go
 * down. And at the end of each step the address is attached to exactly one node, which runs, and
 * which lcs reports as the owner.
 *
 * <p>Also a VIP with {@code announce = false} ({@code v4-1}, next to the announced {@code v4-2}): its
 * address is on its owner, and no gratuitous ARP for it reached the witness (whose eth0 has
 * {@code arp_accept = 1}, so a gratuitous ARP makes a neighbour entry there; the witness never asks
 * for a VIP itself), while one for {@code v4-2} did. Needs root: skipped otherwise, except under
 * {@code CI=true}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 180)
class NetnsCloudHooksIT {
    private static final int LEASE_MS = 2000;
    private static final int HOOK_TIMEOUT_MS = 1000;
    private static final Duration FAILOVER_TIMEOUT = Duration.ofSeconds(20);
    private static Harness harness;
    private static Path dir;
    /** Faults on a node (name, wall µs), for the invariant's rule (b). */
    private static final List<String[]> FAULTS = new ArrayList<>();
    private static final List<String> FAILOVERS = new ArrayList<>();

    /** One line of the provider's log. */
    record Call(long micros, String node, String op, long epoch) {
        static Call parse(String line) {
            String[] f = line.split(" ");
            return new Call(Long.parseLong(f[0]) / 1000, f[1], f[2], Long.parseLong(f[3]));
        }
    }

    @BeforeAll
    static void startCluster() throws IOException {
        String why = HarnessMain.preflight();
        if (why != null) {
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true but the netns harness cannot run: " + why);
            }
            assumeTrue(false, "needs root and network tools: " + why);
        }
        // under /run (root's, 755): lcsd refuses hooks on a path others may write to
        dir = Files.createTempDirectory(Path.of("/run"), "lcs-cloud-hooks");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path hook = dir.resolve("aws-secondary-ip");
        Files.copy(Path.of("..", "examples", "cloud", "hooks", "aws-secondary-ip"), hook,
                StandardCopyOption.REPLACE_EXISTING);
        Path fake = dir.resolve("fake-aws");
        Files.copy(Path.of("src", "test", "resources", "cloud", "fake-aws"), fake, StandardCopyOption.REPLACE_EXISTING);
        for (Path p : List.of(hook, fake)) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        // each node's interface id from its name: one settings file serves all three
        Files.writeString(dir.resolve("fip.env"), "ENI=eni-$LCS_NODE\nPRIVATE_IP=198.18.0.77\nLCS_CLOUD_CLI=" + fake
                + "\n");
        Cluster.ConfigExtras extras = new Cluster.ConfigExtras("hook_timeout_ms = " + HOOK_TIMEOUT_MS + "\n",
                "\n[service fip]\npre_start = " + hook + "\npost_stop = " + hook + "\n",
                Map.of("v4-1", "announce = false\n"));
        harness = Harness.start(new Cluster.Settings(3, 1, LEASE_MS, 500, 250, 2), System.getProperty("java.class.path"),
                extras);
        Cluster.Node witness = harness.cluster().node("n3");
        Netns.must(Netns.exec(witness.ns, List.of("sysctl", "-qw", "net.ipv4.conf.eth0.arp_accept=1")));
    }

    @AfterAll
    static void cleanUp() throws IOException {
        if (harness != null) {
            harness.close();
            System.out.println("NetnsCloudHooksIT failover (fault -> attach on the successor): " + FAILOVERS);
        }
        if (dir != null) {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    /** After every step: the invariant over the whole log so far, and one live attached owner. */
    @AfterEach
    void neverAttachedTwice() throws IOException {
        if (harness == null) {
            return;
        }
        assertEquals(List.of(), violations(calls()), "provider log:\n" + String.join("\n", log()));
        assertTrue(Harness.await(FAILOVER_TIMEOUT, () -> {
            String at = attachedTo();
            return at != null && at.equals(statusOwner()) && harness.cluster().node(at).running();
        }), "attached to " + attachedTo() + ", lcs says owner " + statusOwner());
    }

    @Test
    @Order(1)
    void itIsAttachedOnOneNodeByItsHooks() {
        assertTrue(Harness.await(Duration.ofSeconds(60), () -> attachedTo() != null && attachedTo().equals(statusOwner())),
                "attached to " + attachedTo() + ", owner " + statusOwner() + "\n" + harness.cluster().logs(3000));
        String status = cli(harness.cluster().node("n1"), "status");
        assertTrue(status.lines().anyMatch(l -> l.contains("fip type=service unit=- hook-only")), status);
    }

    @Test
    @Order(2)
    void aVipWithAnnounceFalseIsAddedButNeverAnnounced() {
        Vip quiet = harness.cluster().vips().stream().filter(v -> v.name().equals("v4-1")).findFirst().orElseThrow();
        Vip loud = harness.cluster().vips().stream().filter(v -> v.name().equals("v4-2")).findFirst().orElseThrow();
        assertTrue(harness.awaitSteady(Duration.ofSeconds(30), Duration.ofMillis(500)), harness.holdersNow().toString());
        for (Vip v : List.of(quiet, loud)) { // activated again after the witness listens
            Cluster.Node from = harness.cluster().node(harness.holder(v));
            Cluster.Node to = other(from);
            harness.faults().move(v, to, from);
            assertTrue(Harness.await(FAILOVER_TIMEOUT, () -> to.name.equals(harness.holder(v))),
                    harness.holdersNow().toString());
        }
        String witness = harness.cluster().node("n3").ns;
        assertTrue(Harness.await(Duration.ofSeconds(5), () -> neighbour(witness, loud.address())),
                "the announced v4-2 reached the witness: " + Netns.ip(witness, "-4", "neigh", "show"));
        assertFalse(neighbour(witness, quiet.address()),
                "no announcement of v4-1: " + Netns.ip(witness, "-4", "neigh", "show"));
        String status = cli(harness.cluster().node("n1"), "status");
        assertTrue(status.lines().anyMatch(l -> l.contains("v4-1 " + quiet.cidr()) && l.contains("announce=false")),
                status);
    }

    @Test
    @Order(3)
    void aMoveDetachesBeforeTheNewOwnerAttaches() {
        Cluster.Node from = owner();
        Cluster.Node to = other(from);
        long t0 = WallMicros.now();
        cli(to, "move", "fip", "--to", to.name); // asked of the target: it names the owner's epoch (LeasesTest)
        awaitAttachedTo(to, t0, "move");
    }

    @Test
    @Order(4)
    void killingTheOwnersLcsd() {
        Cluster.Node owner = owner();
        Cluster.Node next = other(owner);
        long f = fault(owner, harness.faults().kill9(owner).startMicros());
        try {
            awaitAttachedTo(next, f, "kill -9");
        } finally {
            harness.faults().restart(owner);
        }
        assertTrue(harness.cluster().awaitJoined(harness.cluster().nodes(), Duration.ofSeconds(30)));
    }

    @Test
    @Order(5)
    void freezingTheOwnersLcsd() {
        Cluster.Node owner = owner();
        Cluster.Node next = other(owner);
        Fault fr = harness.faults().freeze(owner);
        long f = fault(owner, fr.startMicros());
        try {
            awaitAttachedTo(next, f, "SIGSTOP");
        } finally {
            harness.faults().thaw(fr, owner);
        }
        // thawed, it finds its lease gone and runs its detach, which leaves the successor's attach alone
        // (the invariant after this step: it never attaches again at its old epoch)
        assertTrue(harness.cluster().awaitJoined(harness.cluster().nodes(), Duration.ofSeconds(30)));
    }

    @Test
    @Order(6)
    void isolatingTheOwner() {
        Cluster.Node owner = owner();
        Cluster.Node next = other(owner);
        Fault down = harness.faults().linkDown(owner);
        long f = fault(owner, down.startMicros());
        try {
            awaitAttachedTo(next, f, "isolation");
            Call detach = calls().stream().filter(c -> c.node().equals(owner.name) && c.op().equals("detach")
                    && c.micros() > f).findFirst().orElse(null);
            Call attach = calls().stream().filter(c -> c.node().equals(next.name) && c.op().equals("attach")
                    && c.micros() > f).findFirst().orElseThrow();
            assertNotNull(detach, "the cut-off owner detaches when its lease ends: " + String.join("\n", log()));
            assertTrue(detach.micros() < attach.micros(), "and before the successor attaches");
        } finally {
            harness.faults().linkUp(down, owner);
        }
        assertTrue(harness.cluster().awaitJoined(harness.cluster().nodes(), Duration.ofSeconds(30)));
    }

    @Test
    @Order(7)
    void restartingTheOwnersLcsd() {
        Cluster.Node owner = owner();
        Cluster.Node next = other(owner);
        long t0 = WallMicros.now();
        harness.faults().stopAndStart(owner); // SIGTERM runs post_stop: a planned change, detach first
        awaitAttachedTo(next, t0, "restart");
        assertTrue(harness.cluster().awaitJoined(harness.cluster().nodes(), Duration.ofSeconds(30)));
    }

    // ------------------------------------------------------------------ the invariant

    /** The breaches of the class's invariant in {@code calls}, in words; empty if none. */
    static List<String> violations(List<Call> calls) {
        List<String> out = new ArrayList<>();
        String holder = null;
        long holderEpoch = 0;
        long lastAttachEpoch = 0;
        for (Call c : calls) {
            switch (c.op()) {
                case "attach" -> {
                    if (c.epoch() < lastAttachEpoch) {
                        out.add(c + ": epoch below an earlier attach's " + lastAttachEpoch);
                    }
                    if (holder != null && !holder.equals(c.node())) {
                        if (c.epoch() <= holderEpoch) {
                            out.add(c + ": takes it from " + holder + " (epoch " + holderEpoch + ") without a newer lease");
                        }
                        long f = lastFaultBefore(holder, c.micros());
                        if (f < 0) {
                            out.add(c + ": takes it from " + holder + ", which was not detached and had no fault");
                        } else if (c.micros() - f < LEASE_MS * 1000L) {
                            out.add(c + ": takes it from " + holder + " " + (c.micros() - f) / 1000
                                    + " ms after the fault, before its lease had certainly ended");
                        }
                    }
                    holder = c.node();
                    holderEpoch = c.epoch();
                    lastAttachEpoch = Math.max(lastAttachEpoch, c.epoch());
                }
                case "detach" -> {
                    if (c.node().equals(holder)) {
                        holder = null;
                    }
                }
                default -> { // detach-refused: nothing changed at the provider
                }
            }
        }
        return out;
    }

    private static long lastFaultBefore(String node, long micros) {
        long at = -1;
        for (String[] f : FAULTS) {
            long t = Long.parseLong(f[1]);
            if (f[0].equals(node) && t <= micros) {
                at = Math.max(at, t);
            }
        }
        return at;
    }

    // ------------------------------------------------------------------ helpers

    private static long fault(Cluster.Node n, long micros) {
        FAULTS.add(new String[] {n.name, Long.toString(micros)});
        return micros;
    }

    /** Waits until {@code to} attached after {@code since}, and records the time it took. */
    private static void awaitAttachedTo(Cluster.Node to, long since, String what) {
        assertTrue(Harness.await(FAILOVER_TIMEOUT, () -> to.name.equals(attachedTo()) && calls().stream()
                        .anyMatch(c -> c.node().equals(to.name) && c.op().equals("attach") && c.micros() > since)),
                what + ": attached to " + attachedTo() + "\n" + String.join("\n", log()));
        Call attach = calls().stream().filter(c -> c.node().equals(to.name) && c.op().equals("attach")
                && c.micros() > since).findFirst().orElseThrow(() -> new AssertionError(what + ": no attach by "
                + to.name + " after " + since + ":\n" + String.join("\n", log())));
        FAILOVERS.add(what + " " + (attach.micros() - since) / 1000 + " ms");
    }

    private static List<String> log() {
        try {
            Path p = dir.resolve("calls.log");
            return Files.exists(p) ? Files.readAllLines(p) : List.of();
        } catch (IOException e) {
            throw new HarnessException("cannot read the provider's log: " + e.getMessage(), e);
        }
    }

    private static List<Call> calls() {
        return log().stream().map(Call::parse).toList();
    }

    /** The node the fake provider has the address attached to (its state: eni-NODE), or null. */
    private static String attachedTo() {
        try {
            Path state = dir.resolve("state");
            String eni = Files.exists(state) ? Files.readString(state).strip() : "";
            return eni.startsWith("eni-") ? eni.substring(4) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The owner of fip as {@code lcs status} on a running full member says, or null. */
    private static String statusOwner() {
        for (Cluster.Node n : harness.cluster().fullMembers()) {
            if (n.running() && !n.frozen()) {
                CommandResult r = harness.cluster().cli(n, Duration.ofSeconds(10), "status");
                if (r.ok()) {
                    for (String l : r.stdout().lines().toList()) {
                        int i = l.indexOf(" owner=");
                        if (l.strip().startsWith("fip ") && i > 0) {
                            String owner = l.substring(i + 7).split(" ")[0];
                            return owner.equals("-") ? null : owner;
                        }
                    }
                }
            }
        }
        return null;
    }

    private static Cluster.Node owner() {
        String at = attachedTo();
        assertNotNull(at, "attached nowhere");
        return harness.cluster().node(at);
    }

    private static Cluster.Node other(Cluster.Node n) {
        return harness.cluster().fullMembers().stream().filter(x -> x != n).findFirst().orElseThrow();
    }

    /** True if {@code ns}'s neighbour table has a resolved entry for {@code address}. */
    private static boolean neighbour(String ns, String address) {
        return Netns.ip(ns, "-4", "neigh", "show").lines()
                .anyMatch(l -> l.startsWith(address + " ") && l.contains("lladdr"));
    }

    private static String cli(Cluster.Node via, String... args) {
        CommandResult r = harness.cluster().cli(via, Duration.ofSeconds(20), args);
        assertTrue(r.ok(), "lcs " + String.join(" ", args) + ": exit " + r.exitCode() + " " + r.stdout() + r.stderr());
        return r.stdout();
    }
}
