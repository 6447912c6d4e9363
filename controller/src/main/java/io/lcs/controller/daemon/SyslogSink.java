package io.lcs.controller.daemon;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * {@code syslog = true} (a key of the C lcs): every log line also goes to the system log, facility
 * daemon, tag {@code lcsd[PID]}. The JDK has no Unix datagram socket for {@code /dev/log}, so the
 * lines go through one long-lived {@code logger --prio-prefix} process (util-linux), which reads
 * {@code <PRI>message} lines on its standard input and sends each as one syslog message.
 *
 * <p>Nothing on the logging path waits for it: a line is put in a queue of {@link #QUEUE_LINES}
 * and a thread of its own writes them to the process. A full queue (the system log or the process
 * stalled) drops the line, counts it ({@link #dropped()}, {@code lcs_log_syslog_dropped_total}) and
 * says so once on standard error until the queue drains. A process that exits is started again, at
 * most once per {@link #RESTART_INTERVAL_MILLIS}; its lines meanwhile count as dropped.
 */
final class SyslogSink extends Handler {
    /** Lines waiting for the logger process. */
    static final int QUEUE_LINES = 1_000;
    static final long RESTART_INTERVAL_MILLIS = 5_000;
    /** syslog facility daemon (3), shifted: PRI = facility * 8 + severity. */
    private static final int FACILITY_DAEMON = 3 * 8;

    private final List<String> argv;
    private final PrintStream err;
    private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(QUEUE_LINES);
    private final LongAdder dropped = new LongAdder();
    private final AtomicBoolean overflowSaid = new AtomicBoolean();
    private final Thread writer;
    private volatile boolean closed;
    private Process process;
    private long lastStartMillis;

    /**
     * @param argv the logger command, e.g. {@code logger --prio-prefix -t lcsd --id=PID}
     * @param err where the sink says it drops lines
     */
    SyslogSink(List<String> argv, Formatter formatter, PrintStream err) {
        this.argv = List.copyOf(argv);
        this.err = err;
        setFormatter(formatter);
        setLevel(Level.ALL);
        writer = new Thread(this::drain, "lcs-syslog");
        writer.setDaemon(true);
        writer.start();
    }

    /** The argv for this process, or null when util-linux's {@code logger} is not installed. */
    static List<String> loggerArgv(long pid) {
        for (String dir : List.of("/usr/bin", "/bin")) {
            Path p = Path.of(dir, "logger");
            if (Files.isExecutable(p)) {
                return List.of(p.toString(), "--prio-prefix", "-t", "lcsd", "--id=" + pid);
            }
        }
        return null;
    }

    /** The syslog severity of a log level: err, warning, info, debug. */
    static int severity(Level level) {
        int v = level.intValue();
        return v >= Level.SEVERE.intValue() ? 3 : v >= Level.WARNING.intValue() ? 4 : v >= Level.INFO.intValue() ? 6 : 7;
    }

    @Override
    public void publish(LogRecord record) {
        if (closed || !isLoggable(record)) {
            return;
        }
        String text = getFormatter().format(record).strip();
        if (queue.offer("<" + (FACILITY_DAEMON + severity(record.getLevel())) + ">" + text)) {
            if (queue.size() < QUEUE_LINES / 2) {
                overflowSaid.set(false); // drained: the next overflow is said again
            }
            return;
        }
        dropped.increment();
        if (overflowSaid.compareAndSet(false, true)) {
            err.println("WARN syslog: " + QUEUE_LINES + " lines wait for the system log: lines are dropped there (not"
                    + " here) until it catches up; lcs_log_syslog_dropped_total counts them");
            err.flush();
        }
    }

    /** Lines not sent to the system log because the queue was full or the logger process was down. */
    long dropped() {
        return dropped.sum();
    }

    private void drain() {
        OutputStream out = null;
        while (!closed) {
            String line;
            try {
                line = queue.poll(500, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (line == null) {
                continue;
            }
            try {
                if (out == null || process == null || !process.isAlive()) {
                    out = start();
                }
                if (out == null) {
                    dropped.increment();
                    continue;
                }
                out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                if (queue.isEmpty()) {
                    out.flush();
                }
            } catch (IOException e) {
                dropped.increment();
                out = null; // started again on the next line, within the restart interval
            }
        }
    }

    /** Starts the logger process (at most once per restart interval); its stdin, or null. */
    private OutputStream start() {
        long now = System.currentTimeMillis();
        if (process != null && now - lastStartMillis < RESTART_INTERVAL_MILLIS) {
            return null;
        }
        if (process != null) {
            err.println("WARN syslog: " + argv.get(0) + " exited (" + (process.isAlive() ? "stdin closed"
                    : "status " + process.exitValue()) + "); starting it again");
            err.flush();
            process.destroyForcibly();
        }
        lastStartMillis = now;
        try {
            process = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return process.getOutputStream();
        } catch (IOException e) {
            err.println("WARN syslog: cannot start " + argv.get(0) + ": " + e.getMessage());
            err.flush();
            return null;
        }
    }

    @Override
    public void flush() {
        // the writer flushes whenever the queue is empty
    }

    /** Sends what is queued (for up to a second; what is left then is counted as dropped), then ends the logger process. */
    @Override
    public void close() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (!queue.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        closed = true;
        writer.interrupt();
        try {
            writer.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int left = 0;
        while (queue.poll() != null) {
            left++;
        }
        if (left > 0) { // not sent within the second: counted as dropped, said on stderr (the journal)
            dropped.add(left);
            err.println("WARN syslog: " + left + " lines were not sent to the system log before lcsd stopped");
            err.flush();
        }
        Process p = process;
        if (p != null && writer.isAlive()) {
            p.destroyForcibly(); // the writer is stuck in a write to a logger that stopped reading
        } else if (p != null) {
            try {
                p.getOutputStream().close(); // logger ends at end of input
                if (!p.waitFor(1, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (IOException | InterruptedException e) {
                p.destroyForcibly();
            }
        }
    }
}
