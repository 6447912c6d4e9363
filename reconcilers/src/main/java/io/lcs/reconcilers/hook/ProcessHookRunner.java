package io.lcs.reconcilers.hook;

import io.lcs.reconcilers.process.BoundedCapture;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@link HookRunner} that starts the hook as a child process:
 *
 * <ul>
 *   <li>argv only: {@code setsid timeout -s KILL LIMIT PROGRAM [ARGS]} (util-linux and coreutils,
 *       Essential in Debian), so the hook leads a new session and process group whose id is its own
 *       PID; no shell (hooks have no arguments, an exec health check has its own). {@code timeout}
 *       is the bound that holds without lcsd: LIMIT is the invocation's timeout plus
 *       {@value #EXTERNAL_LIMIT_EXTRA_MILLIS} ms, after which it SIGKILLs the hook's process group
 *       even when lcsd is frozen (SIGSTOP) or dead, which a hook-only resource's next owner relies
 *       on (docs/services.md, "Clouds and routed networks");</li>
 *   <li>a clean environment: {@code PATH=/usr/sbin:/usr/bin:/sbin:/bin} plus the invocation's
 *       {@code LCS_*} variables, nothing inherited from lcsd; working directory {@code /}; stdin from
 *       /dev/null;</li>
 *   <li>stdout and stderr merged into one pipe drained by a daemon thread while we wait, so a chatty
 *       hook never blocks; at most {@value #MAX_OUTPUT_BYTES} bytes are kept (head and tail);</li>
 *   <li>on timeout the whole tree dies: SIGTERM to the process group ({@code kill -s TERM -- -PGID},
 *       atomic in the kernel, so a forking hook cannot outrun it) and to every descendant seen
 *       through {@link ProcessHandle#descendants()} (which also catches children that made their own
 *       group); after {@value #KILL_GRACE_MILLIS} ms, SIGKILL to both. The group is signalled only
 *       after checking in {@code /proc/PID/stat} that the hook really leads a group of its own, so
 *       lcsd's own group is never hit; without setsid or kill, descendants alone are killed.</li>
 * </ul>
 *
 * <p>If the hook exits but leaves a child holding its output pipe, we wait at most
 * {@value #DRAIN_GRACE_MILLIS} ms for the output and return what we have; that child is left alone
 * (a hook may start a daemon on purpose) and the drain thread ends when it closes the pipe. A
 * runner made by {@link #forChecks()} kills such a child (its process group) instead: a health check
 * runs every few seconds, and a check that leaves a process behind would leak one, and a thread
 * waiting on its pipe, on every run.
 */
public final class ProcessHookRunner implements HookRunner {
    private static final System.Logger LOG = System.getLogger(ProcessHookRunner.class.getName());
    /** Output kept per run: enough for an error message and its context, small enough for status. */
    public static final int MAX_OUTPUT_BYTES = 8 * 1024;
    static final long KILL_GRACE_MILLIS = 500;
    static final long DRAIN_GRACE_MILLIS = 500;
    static final String PATH = "/usr/sbin:/usr/bin:/sbin:/bin";
    /**
     * The external limit ({@code timeout -s KILL}) is this much above the invocation's timeout: lcsd's
     * own kill (SIGTERM, then SIGKILL after {@value #KILL_GRACE_MILLIS} ms) comes first while it runs.
     */
    static final long EXTERNAL_LIMIT_EXTRA_MILLIS = KILL_GRACE_MILLIS + 500;

    private final Optional<Path> setsid;
    private final Optional<Path> kill;
    private final Optional<Path> timeout;
    private final boolean killLeftovers;

    /** Finds {@code setsid}, {@code kill} and {@code timeout} in /usr/bin or /bin. */
    public ProcessHookRunner() {
        this(find("setsid"), find("kill"), find("timeout"), false);
    }

    /**
     * For health checks: as {@link #ProcessHookRunner()}, but what a run leaves behind holding its
     * output (a process of its group) is killed when the run has ended.
     */
    public static ProcessHookRunner forChecks() {
        return new ProcessHookRunner(find("setsid"), find("kill"), find("timeout"), true);
    }

    /** For tests: choose the helpers (empty = do without); no external limit. */
    ProcessHookRunner(Optional<Path> setsid, Optional<Path> kill) {
        this(setsid, kill, Optional.empty());
    }

    /** For tests: choose the helpers (empty = do without). */
    ProcessHookRunner(Optional<Path> setsid, Optional<Path> kill, Optional<Path> timeout) {
        this(setsid, kill, timeout, false);
    }

    private ProcessHookRunner(Optional<Path> setsid, Optional<Path> kill, Optional<Path> timeout,
                              boolean killLeftovers) {
        this.killLeftovers = killLeftovers;
        this.setsid = setsid;
        this.kill = kill;
        this.timeout = timeout;
        if (timeout.isEmpty()) {
            LOG.log(System.Logger.Level.DEBUG, "no timeout(1): a hook is bounded only by lcsd's own kill");
        }
    }

    private static Optional<Path> find(String name) {
        for (String dir : new String[] {"/usr/bin", "/bin", "/usr/sbin", "/sbin"}) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    @Override
    public HookResult run(HookInvocation inv) throws InterruptedException {
        long start = System.nanoTime();
        Path program = inv.program();
        if (!program.isAbsolute()) {
            return failed(127, start, inv.event() + " hook program '" + program + "' is not an absolute path");
        }
        if (!Files.exists(program)) {
            return failed(127, start, inv.event() + " hook program " + program + " does not exist");
        }
        if (!Files.isRegularFile(program) || !Files.isExecutable(program)) {
            return failed(126, start, inv.event() + " hook program " + program
                    + " is not an executable file (check its mode and that it is not a directory)");
        }
        List<String> argv = new ArrayList<>(6);
        setsid.ifPresent(p -> argv.add(p.toString()));
        timeout.ifPresent(p -> {
            argv.add(p.toString());
            argv.add("-s");
            argv.add("KILL");
            argv.add(String.format(java.util.Locale.ROOT, "%.3f",
                    (inv.timeout().toMillis() + EXTERNAL_LIMIT_EXTRA_MILLIS) / 1000.0));
        });
        argv.add(program.toString());
        argv.addAll(inv.args());
        ProcessBuilder pb = new ProcessBuilder(argv)
                .directory(new File("/"))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", PATH);
        env.putAll(inv.env());
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            return failed(126, start, inv.event() + " hook program " + program + " could not be started: "
                    + e.getMessage());
        }
        BoundedCapture output = new BoundedCapture(MAX_OUTPUT_BYTES / 2, MAX_OUTPUT_BYTES / 2);
        CountDownLatch drained = new CountDownLatch(1);
        Thread drain = new Thread(() -> {
            try {
                output.drain(process.getInputStream());
            } finally {
                drained.countDown();
            }
        }, "lcs-hook-output-" + process.pid());
        drain.setDaemon(true);
        drain.start();

        boolean timedOut = false;
        try {
            if (!process.waitFor(inv.timeout().toNanos(), TimeUnit.NANOSECONDS)) {
                timedOut = true;
                killTree(process);
            }
        } catch (InterruptedException e) {
            killTree(process);
            throw e;
        }
        String text;
        if (drained.await(DRAIN_GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
            text = output.text();
        } else if (killLeftovers && !timedOut && setsid.isPresent() && groupHasMembers(process.pid())) {
            // the run led a process group of its own (setsid); its id stays reserved while a member
            // lives, and one does (looked up just now): it is what holds the pipe. A leftover that
            // made a group of its own (a double-forking daemon) is out of reach and left running.
            signalGroup("KILL", process.pid());
            text = drained.await(DRAIN_GRACE_MILLIS, TimeUnit.MILLISECONDS) ? output.text()
                    + "\n[a process it left behind was killed]"
                    : "[output incomplete: a process left by the run still holds its output open]";
        } else {
            text = "[output incomplete: a process left by the hook still holds its output open]";
        }
        int exit = process.isAlive() ? -1 : process.exitValue();
        return new HookResult(exit, timedOut, Duration.ofNanos(System.nanoTime() - start), text);
    }

    /** SIGTERM to the group and the descendants, then SIGKILL after the grace. Bounded in time. */
    private void killTree(Process process) throws InterruptedException {
        long pid = process.pid();
        List<ProcessHandle> seen = new ArrayList<>();
        process.descendants().forEach(seen::add);
        boolean ownGroup = leadsOwnGroup(pid);
        if (ownGroup) {
            signalGroup("TERM", pid);
        }
        process.destroy();
        seen.forEach(ProcessHandle::destroy);
        process.waitFor(KILL_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        // the hook may have exited; its group id stays reserved while any member lives, so the
        // group kill below cannot hit an unrelated process group
        process.descendants().forEach(seen::add);
        if (ownGroup) {
            signalGroup("KILL", pid);
        }
        process.destroyForcibly();
        seen.forEach(ProcessHandle::destroyForcibly);
        process.waitFor(KILL_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** True if some process's group id is {@code pgid} ({@code /proc/*}/stat). */
    static boolean groupHasMembers(long pgid) {
        try (java.util.stream.Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .anyMatch(p -> pgrpOf(p) == pgid);
        } catch (IOException | java.io.UncheckedIOException e) {
            return false;
        }
    }

    private static long pgrpOf(Path proc) {
        try {
            String stat = Files.readString(proc.resolve("stat"), StandardCharsets.US_ASCII);
            return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[2]);
        } catch (IOException | RuntimeException e) {
            return -1; // gone meanwhile, or unreadable
        }
    }

    /** True if {@code /proc/PID/stat} says the process's group id is its own PID (setsid worked). */
    static boolean leadsOwnGroup(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            // "pid (comm) state ppid pgrp ...": comm may contain spaces or ')', so parse after the last ')'
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[2]) == pid;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private void signalGroup(String signal, long pgid) throws InterruptedException {
        if (kill.isEmpty() || pgid <= 1) {
            return;
        }
        try {
            Process k = new ProcessBuilder(kill.get().toString(), "-s", signal, "--", "-" + pgid)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!k.waitFor(1, TimeUnit.SECONDS)) {
                k.destroyForcibly();
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot run kill for hook process group " + pgid, e);
        }
    }

    private static HookResult failed(int exitCode, long start, String message) {
        return new HookResult(exitCode, false, Duration.ofNanos(System.nanoTime() - start), message);
    }
}
