package io.lcs.harness.bench;

import io.lcs.harness.netns.HarnessException;
import io.lcs.harness.netns.Netns;
import io.lcs.harness.netns.RunRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * keepalived as a benchmark {@link Subject}: one {@code keepalived -n -l -D -G -P -f CONF -p PID
 * -r VRRPPID} per node namespace (no fork, log to the console — our per-node log file — no
 * syslog, VRRP subsystem only), each with its own config and pid files in the run directory.
 * keepalived runs as two processes per node, the parent (ours) and its VRRP child; kill -9 and
 * freeze act on both at once, as a crash or a stall of the node's keepalived would. Stop is
 * SIGTERM to the parent (it removes its VIPs and stops the child), SIGKILL after 15 s.
 */
public final class KeepalivedCluster implements Subject {
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);
    private final List<String> namespaces;
    private final List<KeepalivedConfig> configs;
    private final Path dir;
    private final RunRegistry registry;
    private final Process[] processes;
    /** Child PIDs already written to the run registry. */
    private final java.util.Set<Long> recorded = new java.util.HashSet<>();

    /**
     * @param namespaces node i's namespace at index i - 1
     * @param configs node i's config at index i - 1
     * @param dir where configs, pid files and logs go
     */
    public KeepalivedCluster(List<String> namespaces, List<KeepalivedConfig> configs, Path dir, RunRegistry registry) {
        if (namespaces.size() != configs.size()) {
            throw new HarnessException(namespaces.size() + " namespaces for " + configs.size() + " keepalived configs");
        }
        this.namespaces = List.copyOf(namespaces);
        this.configs = List.copyOf(configs);
        this.dir = dir;
        this.registry = registry;
        this.processes = new Process[namespaces.size()];
        try {
            Files.createDirectories(dir);
            for (int i = 1; i <= namespaces.size(); i++) {
                Files.writeString(conf(i), configs.get(i - 1).render());
            }
        } catch (IOException e) {
            throw new HarnessException("cannot write keepalived configs under " + dir + ": " + e.getMessage(), e);
        }
    }

    Path conf(int i) {
        return dir.resolve("n" + i + "-keepalived.conf");
    }

    /** The argv that starts node i (inside its namespace). */
    public List<String> argv(int i) {
        return Netns.exec(namespaces.get(i - 1), List.of("keepalived", "-n", "-l", "-D", "-G", "-P",
                "-f", conf(i).toString(), "-p", dir.resolve("n" + i + "-keepalived.pid").toString(),
                "-r", dir.resolve("n" + i + "-vrrp.pid").toString()));
    }

    @Override
    public String name() {
        return "keepalived";
    }

    @Override
    public int nodes() {
        return namespaces.size();
    }

    @Override
    public void startAll() {
        for (int i = 1; i <= nodes(); i++) {
            start(i);
        }
    }

    @Override
    public void start(int i) {
        if (running(i)) {
            return;
        }
        Path log = dir.resolve("n" + i + "-keepalived.log");
        ProcessBuilder pb = new ProcessBuilder(argv(i)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        try {
            processes[i - 1] = pb.start();
        } catch (IOException e) {
            throw new HarnessException("cannot start keepalived on n" + i + ": " + e.getMessage(), e);
        }
        registry.process(processes[i - 1], "keepalived-n" + i);
    }

    /** The parent and its children (the VRRP process), parent first. */
    private List<ProcessHandle> handles(int i) {
        Process p = processes[i - 1];
        List<ProcessHandle> out = new ArrayList<>();
        if (p == null || !p.isAlive()) {
            return out;
        }
        out.add(p.toHandle());
        p.toHandle().children().forEach(out::add);
        return out;
    }

    @Override
    public List<Long> pids(int i) {
        return handles(i).stream().map(ProcessHandle::pid).toList();
    }

    /** Waits (bounded) until node i's VRRP child exists (it is forked right after start). */
    public boolean awaitChild(int i, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            List<ProcessHandle> hs = handles(i);
            if (hs.size() >= 2) {
                for (ProcessHandle h : hs.subList(1, hs.size())) {
                    if (recorded.add(h.pid())) {
                        registry.process(h, "keepalived-vrrp-n" + i);
                    }
                }
                return true;
            }
            sleep(20);
        }
        return handles(i).size() >= 2;
    }

    @Override
    public void stopAll() {
        for (int i = 1; i <= nodes(); i++) {
            thawIfStopped(i);
            if (processes[i - 1] != null && processes[i - 1].isAlive()) {
                processes[i - 1].toHandle().destroy();
            }
        }
        for (int i = 1; i <= nodes(); i++) {
            Process p = processes[i - 1];
            if (p != null && !waitFor(p, STOP_TIMEOUT)) {
                kill9(i);
            }
        }
    }

    private void thawIfStopped(int i) {
        for (ProcessHandle h : handles(i)) {
            signal(h.pid(), "CONT");
        }
    }

    @Override
    public void kill9(int i) {
        List<ProcessHandle> hs = handles(i);
        if (hs.isEmpty()) {
            return;
        }
        // Stop the parent first so it can neither respawn a child nor tell it to shut down
        // gracefully, then SIGKILL the children and the parent: a crash of the whole daemon.
        signal(hs.get(0).pid(), "STOP");
        hs = handles(i);
        for (int k = hs.size() - 1; k >= 0; k--) {
            hs.get(k).destroyForcibly();
        }
        for (ProcessHandle h : hs) {
            try {
                h.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                // bounded: reported by running() staying true
            }
        }
        if (processes[i - 1] != null) {
            waitFor(processes[i - 1], Duration.ofSeconds(5));
        }
    }

    @Override
    public void freeze(int i) {
        List<ProcessHandle> hs = handles(i);
        for (int k = hs.size() - 1; k >= 0; k--) {
            signal(hs.get(k).pid(), "STOP");
        }
    }

    @Override
    public void thaw(int i) {
        for (ProcessHandle h : handles(i)) {
            signal(h.pid(), "CONT");
        }
    }

    private static void signal(long pid, String sig) {
        Netns.run(Netns.COMMAND_TIMEOUT, List.of("kill", "-s", sig, Long.toString(pid)));
    }

    @Override
    public boolean running(int i) {
        return processes[i - 1] != null && processes[i - 1].isAlive();
    }

    @Override
    public boolean awaitMembers(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int i = 1; i <= nodes(); i++) {
            long left = Math.max(0, deadline - System.nanoTime());
            if (!running(i) || !awaitChild(i, Duration.ofNanos(left))) {
                return false;
            }
        }
        return true;
    }

    private static boolean waitFor(Process p, Duration d) {
        try {
            return p.waitFor(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HarnessException("interrupted", e);
        }
    }

    /** SIGKILL of everything still running (children included). */
    @Override
    public void close() {
        for (int i = 1; i <= nodes(); i++) {
            thawIfStopped(i);
            kill9(i);
        }
    }
}
