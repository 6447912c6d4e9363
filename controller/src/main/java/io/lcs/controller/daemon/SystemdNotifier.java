package io.lcs.controller.daemon;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Tells systemd (a {@code Type=notify} unit) that lcsd is ready, by running
 * {@code systemd-notify --ready --pid=PID --status=TEXT} (argv, no shell) when {@code NOTIFY_SOCKET}
 * is set. JDK 17 cannot send to that {@code AF_UNIX} datagram socket itself (its Unix-domain
 * channels are stream-only), so the unit sets {@code NotifyAccess=all} to accept the message from
 * the child; {@code --pid} names lcsd as the main process. Without {@code NOTIFY_SOCKET} (not under
 * systemd, or another service type) every method does nothing. Failures are logged, never thrown:
 * a missing notification makes systemd time the start out, which is the visible failure. The
 * watchdog pings, two a second, go through one long-lived pinger process instead
 * ({@link #PINGER_SCRIPT}).
 *
 * <p>Threading: any thread; each call blocks for at most {@link #TIMEOUT_MILLIS}.
 */
public final class SystemdNotifier {
    private static final Logger LOG = System.getLogger("io.lcs.lcsd");
    /** The variable systemd sets for a {@code Type=notify} service. */
    public static final String SOCKET_ENV = "NOTIFY_SOCKET";
    /** systemd-notify answers in milliseconds; 5 s bounds a wedged bus without delaying start much. */
    public static final long TIMEOUT_MILLIS = 5_000;
    /** Output of the helper kept for the log: it says one line at most. */
    private static final int MAX_OUTPUT_BYTES = 4_096;

    /**
     * The watchdog pinger: one long-lived process that sends {@code WATCHDOG=1} to {@code NOTIFY_SOCKET}
     * for every line it reads, and ends at end of input (when lcsd ends, whatever the way). A
     * systemd-notify process per ping costs 16 ms of CPU here (measured: 100 from a JVM took 1.6 s of
     * CPU); at one ping per renew_ms that is ~1.9 CPU-s/min, twice an idle lcsd's own. perl is on
     * every Debian system (perl-base is Essential) and its Socket module sends the datagram JDK 17
     * cannot. Without perl, or when it fails, each ping falls back to systemd-notify.
     */
    static final String PINGER_SCRIPT = "use Socket; my $p = $ENV{NOTIFY_SOCKET}; $p =~ s/^\\@/\\0/;"
            + " socket(my $s, PF_UNIX, SOCK_DGRAM, 0) or die \"socket: $!\\n\"; my $a = pack_sockaddr_un($p);"
            + " while (defined(my $l = <STDIN>)) { send($s, \"WATCHDOG=1\", 0, $a) or die \"send to $p: $!\\n\" }";
    /** After the pinger failed, how long pings go through systemd-notify before it is started again. */
    static final long PINGER_RETRY_NANOS = 60_000_000_000L;

    private final String socket;
    private final String program;
    private final String perl;
    private final long pid;
    // the pinger (guarded by this)
    private Process pinger;
    private java.io.OutputStream pingerInput;
    private long pingerRetryAtNanos = Long.MIN_VALUE;
    private boolean pingerFallbackLogged;

    /**
     * @param socket  the value of {@code NOTIFY_SOCKET}, or null/empty when not under systemd
     * @param program the systemd-notify executable (a name on the PATH or a path)
     * @param pid     the main process to report
     */
    public SystemdNotifier(String socket, String program, long pid) {
        this(socket, program, "perl", pid);
    }

    /** As above, with the perl that runs the watchdog pinger ({@link #PINGER_SCRIPT}), a name or a path. */
    SystemdNotifier(String socket, String program, String perl, long pid) {
        this.socket = socket == null || socket.isEmpty() ? null : socket;
        this.program = program;
        this.perl = perl;
        this.pid = pid;
    }

    /** From this process's environment, with {@code systemd-notify} and {@code perl} from the PATH. */
    public static SystemdNotifier fromEnvironment() {
        return new SystemdNotifier(System.getenv(SOCKET_ENV), "systemd-notify", ProcessHandle.current().pid());
    }

    /** Whether systemd asked for notifications. */
    public boolean enabled() {
        return socket != null;
    }

    /** The argv that reports readiness with a status line. */
    List<String> readyCommand(String status) {
        return List.of(program, "--ready", "--pid=" + pid, "--status=" + status);
    }

    /** The argv that reports a status line only. */
    List<String> statusCommand(String status) {
        return List.of(program, "--pid=" + pid, "--status=" + status);
    }

    /** The argv that sets the service's watchdog timeout ({@code WATCHDOG_USEC}) at run time. */
    List<String> watchdogTimeoutCommand(long micros) {
        return List.of(program, "--pid=" + pid, "WATCHDOG_USEC=" + micros);
    }

    /** The argv that pings the watchdog. */
    List<String> watchdogCommand() {
        return List.of(program, "--pid=" + pid, "WATCHDOG=1");
    }

    /**
     * Turns systemd's watchdog on for this service with {@code micros} as its timeout: systemd then
     * kills lcsd (SIGABRT, then SIGKILL) when no {@link #watchdog()} came for that long. False when
     * not enabled or failed.
     */
    public boolean watchdogTimeout(long micros) {
        return enabled() && run(watchdogTimeoutCommand(micros));
    }

    /**
     * Pings the watchdog: a line to the pinger process (started on the first ping), or, when it
     * cannot run, a systemd-notify process; false when not enabled or both failed. Blocks for at
     * most {@link #TIMEOUT_MILLIS} (the fallback process), or on the pipe write, which blocks only
     * once a pinger stopped reading 64 KiB of pings ago, long after systemd's watchdog fired.
     */
    public boolean watchdog() {
        return enabled() && (pingOverPinger() || run(watchdogCommand()));
    }

    /** Whether the pinger process runs (the pings go through it). */
    synchronized boolean pingerRunning() {
        return pinger != null && pinger.isAlive();
    }

    /** Ends the pinger (it would also end at end of input when this process ends). */
    public synchronized void close() {
        if (pinger != null) {
            pinger.destroy();
            pinger = null;
        }
    }

    private synchronized boolean pingOverPinger() {
        long now = System.nanoTime();
        if (pinger != null && !pinger.isAlive()) {
            pingerFailed("the watchdog pinger (" + perl + ") ended with exit " + pinger.exitValue() + ": "
                    + output(pinger));
        }
        if (pinger == null) {
            if (pingerRetryAtNanos != Long.MIN_VALUE && now < pingerRetryAtNanos) {
                return false;
            }
            ProcessBuilder pb = new ProcessBuilder(perl, "-e", PINGER_SCRIPT).redirectErrorStream(true);
            pb.environment().put(SOCKET_ENV, socket);
            try {
                pinger = pb.start();
                pingerInput = pinger.getOutputStream();
            } catch (IOException e) {
                pingerFailed("cannot start the watchdog pinger (" + perl + "): " + e.getMessage());
                return false;
            }
        }
        try {
            pingerInput.write('\n');
            pingerInput.flush();
            return true;
        } catch (IOException e) {
            pingerFailed("the watchdog pinger (" + perl + ") took no ping: " + e.getMessage() + ": " + output(pinger));
            return false;
        }
    }

    /** Drops the pinger; pings go through systemd-notify for {@link #PINGER_RETRY_NANOS}. Logged once. */
    private void pingerFailed(String why) {
        if (pinger != null) {
            pinger.destroyForcibly();
            pinger = null;
        }
        pingerRetryAtNanos = System.nanoTime() + PINGER_RETRY_NANOS;
        if (!pingerFallbackLogged) {
            pingerFallbackLogged = true;
            LOG.log(Level.WARNING, why + "; pinging systemd's watchdog with a systemd-notify process each time"
                    + " instead (about 16 ms of CPU each), trying the pinger again every "
                    + PINGER_RETRY_NANOS / 1_000_000_000L + " s (said once)");
        }
    }

    /** What an ended pinger printed (at most {@link #MAX_OUTPUT_BYTES}), or "" while it runs. */
    private static String output(Process p) {
        if (p == null || p.isAlive()) {
            return "";
        }
        try {
            return new String(p.getInputStream().readNBytes(MAX_OUTPUT_BYTES), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** Reports readiness; returns whether systemd-notify succeeded (false when not enabled). */
    public boolean ready(String status) {
        return enabled() && run(readyCommand(status));
    }

    /** Updates the status line shown by {@code systemctl status}; false when not enabled or failed. */
    public boolean status(String status) {
        return enabled() && run(statusCommand(status));
    }

    private boolean run(List<String> argv) {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        pb.environment().put(SOCKET_ENV, socket);
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            if (!p.waitFor(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                LOG.log(Level.WARNING, "systemd notification timed out after " + TIMEOUT_MILLIS + " ms: " + argv);
                return false;
            }
            String out = new String(p.getInputStream().readNBytes(MAX_OUTPUT_BYTES), StandardCharsets.UTF_8).strip();
            if (p.exitValue() != 0) {
                LOG.log(Level.WARNING, "systemd notification failed (exit " + p.exitValue() + "): " + argv
                        + (out.isEmpty() ? "" : ": " + out));
                return false;
            }
            return true;
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot run " + program + " to notify systemd: " + e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
