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
 * a missing notification makes systemd time the start out, which is the visible failure.
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

    private final String socket;
    private final String program;
    private final long pid;

    /**
     * @param socket  the value of {@code NOTIFY_SOCKET}, or null/empty when not under systemd
     * @param program the systemd-notify executable (a name on the PATH or a path)
     * @param pid     the main process to report
     */
    public SystemdNotifier(String socket, String program, long pid) {
        this.socket = socket == null || socket.isEmpty() ? null : socket;
        this.program = program;
        this.pid = pid;
    }

    /** From this process's environment, with {@code systemd-notify} from the PATH. */
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

    /** Pings the watchdog; false when not enabled or failed. */
    public boolean watchdog() {
        return enabled() && run(watchdogCommand());
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
