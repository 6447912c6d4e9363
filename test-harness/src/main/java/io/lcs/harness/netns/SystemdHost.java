package io.lcs.harness.netns;

import io.lcs.reconcilers.process.CommandResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real systemd as PID 1 of its own PID, mount and UTS namespaces inside a harness network
 * namespace: a "machine" on which lcsd.service and the units lcs manages run as they do in
 * production.
 *
 * <p>Inside, before systemd starts: every mount is made private; {@code /run}, {@code /tmp},
 * {@code /var/lib}, {@code /var/log}, {@code /var/tmp} and {@code /var/cache} get tmpfs of their
 * own (systemd-tmpfiles empties {@code /tmp} at boot, and journald and the units write to
 * {@code /var}: none of it may touch the host's); each directory of {@link #binds} is bind-mounted
 * at its place (under one of those tmpfs) before the host's {@code /tmp} is hidden, so a run
 * directory under {@code /tmp} works; the named cgroup-v1 hierarchy {@code name=systemd} gets a
 * subtree of its own ({@code /sys/fs/cgroup/systemd/NAME}, removed on {@link #close}). The host's
 * {@code /etc} and {@code /usr} are shared read-only in effect (nothing here writes them).
 *
 * <p>Commands run inside with {@code nsenter} into all of systemd's namespaces. {@link #close}
 * kills PID 1 with SIGKILL, which ends every process of the machine.
 */
public final class SystemdHost implements AutoCloseable {
    /** Bound on boot until {@code systemctl is-system-running} says running or degraded. */
    public static final Duration BOOT_TIMEOUT = Duration.ofSeconds(30);
    /** Bound on one {@code systemctl} call; start/stop jobs of lcsd take seconds. */
    public static final Duration SYSTEMCTL_TIMEOUT = Duration.ofSeconds(100);
    private static final Pattern INSIDE = Pattern.compile("/(run|var/lib|var/log|var/tmp|var/cache)(/[A-Za-z0-9._-]+)+");
    private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup/systemd");
    /** Units masked in every test machine: udev (see {@link #boot}) and anything that would manage its links. */
    static final List<String> MASKED_UNITS = List.of("systemd-udevd.service", "systemd-udevd-control.socket",
            "systemd-udevd-kernel.socket", "systemd-udev-trigger.service", "systemd-udev-settle.service",
            "systemd-networkd.service", "systemd-networkd.socket", "systemd-resolved.service");

    private final String ns;
    private final String name;
    private final Process unshare;
    private final long pid1;

    private SystemdHost(String ns, String name, Process unshare, long pid1) {
        this.ns = ns;
        this.name = name;
        this.unshare = unshare;
        this.pid1 = pid1;
    }

    /**
     * Boots a systemd in network namespace {@code ns} and waits until it is up.
     *
     * @param name a short name for the machine (hostname and cgroup subtree), e.g. {@code lcsh-abc123-n1}
     * @param binds host directory → directory inside (under {@code /run} or {@code /var/...}); the
     *     host directory must exist
     * @param log where systemd's own console output goes
     */
    public static SystemdHost boot(String ns, String name, Map<Path, String> binds, Path log, RunRegistry registry) {
        Netns.checkName(ns);
        if (!name.matches("[a-z0-9-]{1,40}")) {
            throw new HarnessException("machine name '" + name + "' must be 1..40 of [a-z0-9-]");
        }
        if (!Files.isExecutable(Path.of("/lib/systemd/systemd"))) {
            throw new HarnessException("/lib/systemd/systemd is missing: install the Debian package systemd");
        }
        StringBuilder inner = new StringBuilder("set -e\nmount --make-rprivate /\n");
        for (String dir : List.of("/run", "/var/lib", "/var/log", "/var/tmp", "/var/cache")) {
            inner.append("mount -t tmpfs -o mode=755 tmpfs ").append(dir).append('\n');
        }
        inner.append("mkdir -p /var/lib/systemd /var/log/journal /run/systemd/system\n");
        // No udev in a test machine (runtime masks, in the private /run). Its boot-time trigger would
        // write "add" to every device of the host's /sys, and it gave each node's eth0 the same
        // "persistent" MAC (hashed from the shared machine-id and the name eth0): the bridge then
        // sent every node's frames to one port and the nodes never reached each other.
        for (String unit : MASKED_UNITS) {
            inner.append("ln -s /dev/null /run/systemd/system/").append(unit).append('\n');
        }
        for (Map.Entry<Path, String> b : binds.entrySet()) {
            if (!INSIDE.matcher(b.getValue()).matches()) {
                throw new HarnessException("bind target '" + b.getValue() + "' must be a path under /run or /var/{lib,log,tmp,cache}");
            }
            if (!Files.isDirectory(b.getKey())) {
                throw new HarnessException("bind source " + b.getKey() + " is not a directory");
            }
            inner.append("mkdir -p '").append(b.getValue()).append("'\nmount --bind '")
                    .append(b.getKey().toAbsolutePath()).append("' '").append(b.getValue()).append("'\n");
        }
        inner.append("mount -t tmpfs -o mode=1777 tmpfs /tmp\n")
                .append("mount -t tmpfs -o mode=755 tmpfs /sys/fs/cgroup\n")
                .append("mkdir -p /sys/fs/cgroup/systemd\n")
                .append("mount -t cgroup -o none,name=systemd cgroup /sys/fs/cgroup/systemd\n")
                .append("mkdir -p /sys/fs/cgroup/systemd/").append(name).append('\n')
                .append("mount --bind /sys/fs/cgroup/systemd/").append(name).append(" /sys/fs/cgroup/systemd\n")
                .append("mount -t proc proc /proc\n")
                .append("hostname ").append(name).append('\n')
                .append("exec /lib/systemd/systemd --system --unit=basic.target\n");
        List<String> argv = Netns.exec(ns, List.of("unshare", "--pid", "--fork", "--mount", "--uts", "--kill-child",
                "sh", "-c", inner.toString()));
        Process p;
        try {
            p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new HarnessException("cannot start systemd in " + ns + ": " + e.getMessage(), e);
        }
        registry.process(p, "systemd-" + name);
        long deadline = System.nanoTime() + BOOT_TIMEOUT.toNanos();
        long pid1 = -1;
        SystemdHost host = null;
        try {
            while (System.nanoTime() < deadline && p.isAlive()) {
                if (pid1 < 0) {
                    pid1 = p.toHandle().children().filter(c -> c.info().command().map(cmd -> cmd.endsWith("systemd"))
                            .orElse(false)).mapToLong(ProcessHandle::pid).findFirst().orElse(-1);
                    if (pid1 > 0) {
                        host = new SystemdHost(ns, name, p, pid1);
                    }
                }
                if (host != null) {
                    String state = host.run(Duration.ofSeconds(5), "systemctl", "is-system-running").stdout().strip();
                    if (state.equals("running") || state.equals("degraded")) {
                        return host;
                    }
                }
                sleep(100);
            }
            String why = !p.isAlive() ? "it exited " + p.exitValue() : "not running after " + BOOT_TIMEOUT.toSeconds() + " s";
            throw new HarnessException("systemd in " + ns + " did not boot: " + why + "; console: " + tail(log));
        } catch (RuntimeException e) {
            if (host != null) {
                host.close();
            } else {
                p.destroyForcibly();
                removeCgroup(name);
            }
            throw e;
        }
    }

    /** The host's PID of this machine's PID 1. */
    public long pid1() {
        return pid1;
    }

    public String namespace() {
        return ns;
    }

    /** {@code argv} inside the machine (all its namespaces); never throws for a non-zero exit. */
    public CommandResult run(Duration timeout, String... argv) {
        return Netns.run(timeout, enter(List.of(argv)));
    }

    /** {@code argv} inside the machine; throws naming the command unless it exits 0. */
    public String must(Duration timeout, String... argv) {
        CommandResult r = run(timeout, argv);
        if (!r.ok()) {
            throw new HarnessException(name + ": " + String.join(" ", argv) + ": " + (r.timedOut()
                    ? "timed out after " + r.took().toMillis() + " ms" : "exit " + r.exitCode() + ": "
                    + (r.stderr().strip() + " " + r.stdout().strip()).strip()));
        }
        return r.stdout();
    }

    /** {@code systemctl ARGS...} inside, checked. */
    public String systemctl(String... args) {
        List<String> argv = new ArrayList<>(List.of("systemctl"));
        argv.addAll(List.of(args));
        return must(SYSTEMCTL_TIMEOUT, argv.toArray(String[]::new));
    }

    /** One property of a unit, e.g. {@code MainPID}, {@code ActiveState}. */
    public String property(String unit, String property) {
        return must(Duration.ofSeconds(10), "systemctl", "show", "-P", property, unit).strip();
    }

    /** The journal of {@code unit} since this machine booted (all of it: a machine lives for one test). */
    public String journal(String unit) {
        CommandResult r = run(Duration.ofSeconds(10), "journalctl", "--no-pager", "-o", "short-precise", "-u", unit);
        return r.stdout();
    }

    /**
     * Writes a file inside the machine (its parent is created), e.g. a unit under
     * {@code /run/systemd/system} (the runtime unit directory, on this machine's tmpfs).
     */
    public void writeFile(String path, String content, String mode) {
        if (!INSIDE.matcher(path).matches()) {
            throw new HarnessException("'" + path + "' must be a path under /run or /var/{lib,log,tmp,cache}");
        }
        String dir = path.substring(0, path.lastIndexOf('/'));
        List<String> argv = enter(List.of("sh", "-c", "mkdir -p '" + dir + "' && cat > '" + path + "' && chmod " + mode
                + " '" + path + "'"));
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            try (var in = p.getOutputStream()) {
                in.write(content.getBytes(StandardCharsets.UTF_8));
            }
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new HarnessException(name + ": writing " + path + " timed out");
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new HarnessException(name + ": cannot write " + path + ": " + out.strip());
            }
        } catch (IOException e) {
            throw new HarnessException(name + ": cannot write " + path + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HarnessException(name + ": interrupted writing " + path, e);
        }
    }

    private List<String> enter(List<String> argv) {
        List<String> out = new ArrayList<>(List.of("nsenter", "-t", Long.toString(pid1), "-m", "-p", "-n", "-u"));
        out.addAll(argv);
        return out;
    }

    /** SIGKILL to PID 1 ends the machine and every process in it; then its cgroup subtree goes. */
    @Override
    public void close() {
        ProcessHandle.of(pid1).ifPresent(ProcessHandle::destroyForcibly);
        try {
            unshare.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        unshare.destroyForcibly();
        removeCgroup(name);
    }

    /** Removes /sys/fs/cgroup/systemd/NAME depth-first, retrying while the killed processes leave (≤ 5 s). */
    private static void removeCgroup(String name) {
        Path root = CGROUP_ROOT.resolve(name);
        for (int attempt = 0; attempt < 50 && Files.exists(root); attempt++) {
            try (Stream<Path> all = Files.walk(root)) {
                for (Path dir : all.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList()) {
                    try {
                        Files.deleteIfExists(dir);
                    } catch (IOException busy) {
                        // processes still leaving: next attempt
                    }
                }
            } catch (IOException | java.io.UncheckedIOException e) {
                // raced with removal: next attempt
            }
            if (Files.exists(root)) {
                sleep(100);
            }
        }
    }

    private static String tail(Path log) {
        try {
            String s = Files.readString(log);
            return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HarnessException("interrupted", e);
        }
    }

    /** Binds in the order given (a convenience for callers building the map). */
    public static Map<Path, String> binds() {
        return new LinkedHashMap<>();
    }
}
