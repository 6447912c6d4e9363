package io.lcs.harness.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lcs.reconcilers.process.CommandResult;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, item 1, end to end: a real lcsd in its own network namespace (its admin API on that
 * namespace's 127.0.0.1), and the real {@code lcs} CLI run in the namespace as an unprivileged user
 * ({@code setpriv --reuid=65534 --regid=65534 --clear-groups}) and as root. The user may read
 * ({@code lcs status}) but every change is refused, whether through the CLI or a raw HTTP request;
 * root's changes go through. Needs root: skipped otherwise, except under {@code CI=true}, where a
 * skip would hide the test and is a failure instead.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 180)
class NetnsAdminAuthorityIT {
    static final String NOBODY = "65534";
    static final int ADMIN_PORT = 9121;
    static final Duration CLI_TIMEOUT = Duration.ofSeconds(30);
    static final String VIP = """
            apiVersion: lcs/v1
            kind: VirtualIP
            metadata:
              name: web
            spec:
              address: 198.18.0.10/24
              interface: eth0
            """;

    @TempDir
    static Path tmp;
    static String ns;
    static Path work;
    static Path config;
    static Path state;
    static Path manifest;
    /** A copy of this JVM's class path that the unprivileged user can read (~/.m2 may be root's only). */
    static String userClasspath;
    static Process lcsd;
    static Path log;

    @BeforeAll
    static void startLcsd() throws Exception {
        String why = !"root".equals(System.getProperty("user.name")) ? "needs root (network namespace, setpriv)"
                : !HarnessMain.onPath("ip") ? "ip not found: install iproute2"
                : !HarnessMain.onPath("setpriv") ? "setpriv not found: install util-linux" : null;
        if (why != null) {
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true but this test cannot run: " + why + " (a skip here would hide the test)");
            }
            assumeTrue(false, why);
        }
        // every directory on the way to what the user runs and reads must be traversable by it
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        work = tmp;
        state = work.resolve("state");
        config = work.resolve("lcs.conf");
        manifest = work.resolve("web.yaml");
        log = work.resolve("lcsd.log");
        Files.writeString(manifest, VIP);
        Files.writeString(config, "[cluster]\nname = authtest\nnode = a\nbind = 127.0.0.1\nport = 3322\n"
                + "secret = 0123456789abcdef0123456789abcdef\nstate_dir = " + state + "\nadmin_bind = 127.0.0.1\n"
                + "admin_port = " + ADMIN_PORT + "\n\n[node a]\nrole = full-member\naddress = 127.0.0.1\n");
        for (Path p : List.of(manifest, config)) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        }
        userClasspath = copyClasspath(work.resolve("cp"));

        ns = Netns.PREFIX + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt(1 << 24), 6) + "-auth";
        Netns.add(ns);
        Netns.ip(ns, "link", "set", "lo", "up");
        List<String> argv = new ArrayList<>(List.of(javaBin(), "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), "io.lcs.controller.daemon.Lcsd", "-c", config.toString(),
                "-v"));
        ProcessBuilder pb = new ProcessBuilder(Netns.exec(ns, argv)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        // addresses simulated: this test is about who may change the cluster, not about interfaces
        pb.environment().put("LCS_FAKE_ACTUATOR_JOURNAL", work.resolve("actuator.jsonl").toString());
        lcsd = pb.start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        CommandResult r = null;
        while (System.nanoTime() < end && lcsd.isAlive()) {
            r = asRoot("status");
            if (r.ok() && r.stdout().contains("quorum: yes")) {
                return;
            }
            Thread.sleep(200);
        }
        fail("lcsd never answered with quorum: " + r + "\n" + logText());
    }

    @AfterAll
    static void stopLcsd() throws Exception {
        if (lcsd != null) {
            lcsd.destroy();
            if (!lcsd.waitFor(15, TimeUnit.SECONDS)) {
                lcsd.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        if (ns != null) {
            Netns.delete(ns);
        }
    }

    @Test
    @Order(1)
    void anUnprivilegedUserMayReadTheStatus() {
        CommandResult r = asNobody("status");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("quorum: yes (1 votes, need 1)"), r.stdout());
        assertTrue(r.stdout().contains("a role=full-member online=yes"), r.stdout());
    }

    @Test
    @Order(2)
    void anUnprivilegedUsersChangesAreRefusedAsNeedingRoot() throws Exception {
        String refusal = "error: changing the cluster needs root's authority on this node: run lcs as root (the admin"
                + " token " + state.resolve("admin.token") + " is readable by root only)";
        for (List<String> verb : List.of(List.of("apply", "-f", manifest.toString()), List.of("move", "web"),
                List.of("delete", "vip", "web"), List.of("cordon", "a"), List.of("drain", "a"), List.of("ack", "web"))) {
            CommandResult r = asNobody(verb.toArray(String[]::new));
            assertEquals(1, r.exitCode(), verb + ": " + r);
            assertEquals(refusal, r.stderr().strip(), verb + ": " + r);
        }
        assertFalse(asRoot("get", "vips").stdout().contains("web"), "nothing was applied");
    }

    @Test
    @Order(3)
    void anUnprivilegedUsersRawRequestIsRefusedByLcsdItself() {
        // not through lcs: what a user's own program would send, without the token
        CommandResult r = Netns.run(CLI_TIMEOUT, Netns.exec(ns, List.of("setpriv", "--reuid=" + NOBODY,
                "--regid=" + NOBODY, "--clear-groups", "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + ADMIN_PORT
                        + " && printf 'POST /api/v1/nodes/a/cordon HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 0\\r\\n\\r\\n'"
                        + " >&3 && cat <&3")));
        assertTrue(r.stdout().startsWith("HTTP/1.1 401"), r.toString());
        assertTrue(r.stdout().contains("changing the cluster needs root's authority on this node"), r.stdout());
        CommandResult nodes = asRoot("get", "nodes");
        assertTrue(nodes.stdout().lines().anyMatch(l -> l.startsWith("a ") && l.contains(" no ")), "a not cordoned: "
                + nodes.stdout());
        CommandResult events = asRoot("get", "events");
        assertTrue(events.stdout().contains("AdminRequestRefused"), events.stdout());
    }

    @Test
    @Order(4)
    void rootsChangesGoThrough() {
        CommandResult apply = asRoot("apply", "-f", manifest.toString());
        assertEquals(0, apply.exitCode(), apply + "\n" + logText());
        assertEquals("virtualip/web created", apply.stdout().strip());
        assertEquals("node/a cordoned", asRoot("cordon", "a").stdout().strip());
        assertEquals("node/a uncordoned", asRoot("uncordon", "a").stdout().strip());
        CommandResult move = asRoot("move", "web");
        assertFalse(move.stderr().contains("root's authority"), move.toString()); // one node: nowhere to go
        CommandResult delete = asRoot("delete", "vip", "web");
        assertEquals(0, delete.exitCode(), delete.toString());
        assertEquals("virtualip/web deleted", delete.stdout().strip());
    }

    // ---- plumbing -------------------------------------------------------------------------------

    static CommandResult asRoot(String... args) {
        List<String> argv = new ArrayList<>(List.of(javaBin(), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-XX:-UsePerfData", "-cp", System.getProperty("java.class.path"), "io.lcs.cli.Lcs", "--config",
                config.toString()));
        argv.addAll(List.of(args));
        return Netns.run(CLI_TIMEOUT, Netns.exec(ns, argv));
    }

    static CommandResult asNobody(String... args) {
        List<String> argv = new ArrayList<>(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY,
                "--clear-groups", javaBin(), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-cp",
                userClasspath, "io.lcs.cli.Lcs", "--config", config.toString()));
        argv.addAll(List.of(args));
        return Netns.run(CLI_TIMEOUT, Netns.exec(ns, argv));
    }

    static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Copies every class path entry under {@code dir}, world-readable; returns the copy's class path. */
    static String copyClasspath(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        int i = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path from = Path.of(entry);
            if (!Files.exists(from)) {
                continue;
            }
            Path to = dir.resolve(i++ + "-" + from.getFileName());
            if (Files.isDirectory(from)) {
                try (Stream<Path> tree = Files.walk(from)) {
                    for (Path p : (Iterable<Path>) tree::iterator) {
                        Path target = to.resolve(from.relativize(p).toString());
                        if (Files.isDirectory(p)) {
                            Files.createDirectories(target);
                        } else {
                            Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                }
            } else {
                Files.createDirectories(dir);
                Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
            }
            out.add(to.toString());
        }
        try (Stream<Path> tree = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) tree::iterator) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x"
                        : "rw-r--r--"));
            }
        }
        return String.join(File.pathSeparator, out);
    }

    static String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
