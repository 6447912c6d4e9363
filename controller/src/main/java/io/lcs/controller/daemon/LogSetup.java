package io.lcs.controller.daemon;

import java.io.PrintStream;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.logging.StreamHandler;

/**
 * One-line logs on stderr: {@code LEVEL logger: message} under journald (which adds the time), and
 * {@code 2025-01-01T12:00:00.123+01:00 LEVEL logger: message} anywhere else (a terminal, a file, a
 * container log). Journald is recognised as systemd documents it: {@code JOURNAL_STREAM} names the
 * device and inode of the journal's stream, and stderr is that stream; {@code --no-timestamp} leaves
 * the time out anywhere. {@code -v} shows debug lines of lcs, {@code -vv} more, {@code -vvv} all of
 * lcs, {@code -vvvv} also Vert.x and Netty (the C lcs's four debug levels).
 */
public final class LogSetup {
    /** Held strongly: JUL keeps loggers weakly, and a collected logger forgets its level. */
    private static final Logger LCS_LOGGER = Logger.getLogger("io.lcs");
    private LogSetup() {
    }

    /**
     * Timestamps unless stderr is the journal's stream ({@link #underJournal}) or {@code noTimestamp}
     * ({@code lcsd --no-timestamp}).
     */
    public static void configure(int verbosity, PrintStream err, boolean noTimestamp) {
        install(verbosity, err, timestamps(noTimestamp, System.getenv("JOURNAL_STREAM"), stderrDeviceAndInode()));
    }

    /** Whether lines start with their time: not with {@code --no-timestamp}, nor under the journal. */
    static boolean timestamps(boolean noTimestamp, String journalStream, String stderrId) {
        return !noTimestamp && !underJournal(journalStream, stderrId);
    }

    /** The level of lcs's own loggers at {@code -v} × verbosity: INFO, then FINE, FINER, and all from -vvv. */
    static Level lcsLevel(int verbosity) {
        return switch (verbosity) {
            case 0 -> Level.INFO;
            case 1 -> Level.FINE;
            case 2 -> Level.FINER;
            default -> Level.ALL;
        };
    }

    /** The level of every other logger (Vert.x, Netty): warnings, and everything at -vvvv. */
    static Level libraryLevel(int verbosity) {
        return verbosity >= 4 ? Level.ALL : Level.WARNING;
    }

    /**
     * True when stderr goes to journald: {@code journalStream} (the {@code JOURNAL_STREAM}
     * variable, {@code DEVICE:INODE}) is set and is stderr's {@code stderrId} (same form; null when
     * it cannot be read, then the variable alone decides). A process whose stderr was redirected
     * elsewhere keeps the variable of its parent, hence the comparison.
     */
    static boolean underJournal(String journalStream, String stderrId) {
        if (journalStream == null || journalStream.isBlank()) {
            return false;
        }
        return stderrId == null || journalStream.strip().equals(stderrId);
    }

    /** {@code DEVICE:INODE} of file descriptor 2, as JOURNAL_STREAM writes it; null if unknown. */
    private static String stderrDeviceAndInode() {
        try {
            java.nio.file.Path fd2 = java.nio.file.Path.of("/proc/self/fd/2");
            Object dev = java.nio.file.Files.getAttribute(fd2, "unix:dev");
            Object ino = java.nio.file.Files.getAttribute(fd2, "unix:ino");
            return dev + ":" + ino;
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    /** @param timestamps start each line with its ISO-8601 local time and offset */
    static void install(int verbosity, PrintStream err, boolean timestamps) {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        // A StreamHandler on stderr that flushes every line (ConsoleHandler would close System.err
        // if its stream were replaced).
        Handler h = new StreamHandler(err, new SimpleFormatter()) {
            @Override
            public synchronized void publish(LogRecord record) {
                super.publish(record);
                flush();
            }

            @Override
            public synchronized void close() {
                flush(); // never close stderr
            }
        };
        h.setFormatter(formatter(verbosity, timestamps, java.time.ZoneId.systemDefault()));
        h.setLevel(Level.ALL);
        root.addHandler(h);
        root.setLevel(libraryLevel(verbosity));
        LCS_LOGGER.setLevel(lcsLevel(verbosity));
        LcsLogManager.freezeIfInstalled();
    }

    /**
     * Adds the system log ({@code syslog = true}): the same lines without their timestamp (syslog
     * stamps them), through {@code logger}; see {@link SyslogSink}.
     */
    static SyslogSink addSyslog(int verbosity, java.util.List<String> loggerArgv, PrintStream err) {
        SyslogSink sink = new SyslogSink(loggerArgv, formatter(verbosity, false, java.time.ZoneId.systemDefault()), err);
        Logger.getLogger("").addHandler(sink);
        return sink;
    }

    /** ISO-8601 with milliseconds and the offset, e.g. {@code 2025-01-01T12:00:00.123+01:00}. */
    private static final java.time.format.DateTimeFormatter TIME =
            java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSXXX");

    /** The one-line format; {@code zone} is the time zone timestamps are written in. */
    static Formatter formatter(int verbosity, boolean timestamps, java.time.ZoneId zone) {
        return new Formatter() {
            @Override
            public String format(LogRecord r) {
                StringBuilder sb = new StringBuilder(160);
                if (timestamps) {
                    TIME.formatTo(r.getInstant().atZone(zone), sb);
                    sb.append(' ');
                }
                sb.append(label(r.getLevel())).append(' ').append(shortName(r.getLoggerName())).append(": ")
                        .append(formatMessage(r).replace('\n', ' '));
                if (r.getThrown() != null && verbosity >= 2) {
                    java.io.StringWriter w = new java.io.StringWriter();
                    r.getThrown().printStackTrace(new java.io.PrintWriter(w));
                    sb.append(" | ").append(w.toString().replace('\n', ' ').replace('\t', ' '));
                } else if (r.getThrown() != null) {
                    sb.append(" (").append(r.getThrown()).append(')');
                }
                return sb.append('\n').toString();
            }
        };
    }

    private static String label(Level l) {
        if (l.intValue() >= Level.SEVERE.intValue()) {
            return "ERROR";
        }
        if (l.intValue() >= Level.WARNING.intValue()) {
            return "WARN";
        }
        if (l.intValue() >= Level.INFO.intValue()) {
            return "INFO";
        }
        return "DEBUG";
    }

    private static String shortName(String logger) {
        if (logger == null) {
            return "lcs";
        }
        return logger.startsWith("io.lcs.") ? logger.substring(7) : logger;
    }
}
