package io.lcs.dist;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lcs.harness.netns.HarnessMain;
import io.lcs.harness.netns.RunRegistry;
import io.lcs.harness.netns.SystemdHost;
import io.lcs.harness.netns.Topology;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What the ITs that run the packaged lcsd.service under real systemd share: the preconditions (a
 * skip, or a failure under {@code CI=true}), the built tree, and booting one node: its directories
 * (lcs.conf, hooks, a state directory), its systemd, the unit file and a drop-in pointing
 * {@code ExecStart} at the tree and the node's lcs.conf.
 */
final class SystemdNodes {
    static final String NODE_DIR = "/run/lcs-node";
    static final String TREE = "/run/lcs-tree";

    private SystemdNodes() {
    }

    /** Skips (or fails under CI=true) unless root with ip, systemd, util-linux and, if asked, dbus-daemon. */
    static void assumeMachines(boolean dbus) {
        String why = !"root".equals(System.getProperty("user.name")) ? "needs root (network, PID and mount namespaces)"
                : !HarnessMain.onPath("ip") ? "ip not found: install iproute2"
                : !Files.isExecutable(Path.of("/lib/systemd/systemd")) ? "/lib/systemd/systemd not found: install systemd"
                : dbus && !HarnessMain.onPath("dbus-daemon") ? "dbus-daemon not found: install dbus"
                : !HarnessMain.onPath("unshare") || !HarnessMain.onPath("nsenter") ? "unshare/nsenter not found: install util-linux"
                : null;
        if (why != null) {
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true but this test cannot run: " + why + " (a skip here would hide the test)");
            }
            assumeTrue(false, why);
        }
    }

    /** The unpacked tree of this build ({@code lcs.home}). */
    static Path home() {
        Path home = Path.of(System.getProperty("lcs.home")).toAbsolutePath();
        assertTrue(Files.isExecutable(home.resolve("bin/lcsd")), "no built tree at " + home);
        return home;
    }

    /** Creates {@code tmp/nI} with {@code hooks} (both 755) and {@code state} (700); returns {@code tmp/nI}. */
    static Path nodeDir(Path tmp, int i) throws IOException {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path dir = Files.createDirectories(tmp.resolve("n" + i));
        Path hooks = Files.createDirectories(dir.resolve("hooks"));
        Path state = Files.createDirectories(dir.resolve("state"));
        for (Path p : List.of(dir, hooks)) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx------"));
        return dir;
    }

    /**
     * Boots node {@code i}'s systemd with {@code dir} at {@link #NODE_DIR}, its state at /var/lib/lcs
     * and the tree at {@link #TREE}, and installs lcsd.service (not started).
     */
    static SystemdHost boot(Topology topology, int i, Path home, Path dir, RunRegistry registry) throws IOException {
        Map<Path, String> binds = SystemdHost.binds();
        binds.put(home, TREE);
        binds.put(dir, NODE_DIR);
        binds.put(dir.resolve("state"), "/var/lib/lcs");
        SystemdHost host = SystemdHost.boot(topology.nodeNs(i), topology.nodeNs(i), binds, dir.resolve("console.log"),
                registry);
        host.writeFile("/run/systemd/system/lcsd.service", Files.readString(home.resolve("systemd/lcsd.service")), "644");
        host.writeFile("/run/systemd/system/lcsd.service.d/test-paths.conf", "[Service]\nExecStart=\nExecStart="
                + TREE + "/bin/lcsd -c " + NODE_DIR + "/lcs.conf -v\n", "644");
        return host;
    }

    /** Ends every machine, then the network namespaces, then the run's registry (each may be absent). */
    static void tearDown(List<SystemdHost> hosts, Topology topology, RunRegistry registry) {
        for (SystemdHost h : hosts) {
            h.close();
        }
        if (topology != null) {
            topology.close();
        }
        if (registry != null) {
            registry.finished();
        }
    }

    /** Polls {@code condition} every {@code pollMillis} until it holds or {@code timeout} passes; its last answer. */
    static boolean await(Duration timeout, long pollMillis, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(pollMillis);
        }
        return condition.getAsBoolean();
    }

    /** What node {@code i}'s hooks appended to /var/lib/lcs/hooks.log (its state directory), or "". */
    static String hookLog(Path tmp, int i) {
        try {
            Path f = tmp.resolve("n" + i).resolve("state").resolve("hooks.log");
            return Files.exists(f) ? Files.readString(f) : "";
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A hook: {@code #!/bin/sh} and {@code body}, executable. */
    static void writeHook(Path p, String body) throws IOException {
        Files.writeString(p, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
