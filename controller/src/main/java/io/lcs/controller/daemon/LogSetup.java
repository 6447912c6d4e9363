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
 * One-line logs on stderr, without a timestamp (journald adds it): {@code LEVEL logger: message}.
 * {@code -v} shows debug lines of lcs, {@code -vv} more, {@code -vvv} everything including Vert.x
 * and Netty.
 */
public final class LogSetup {
    /** Held strongly: JUL keeps loggers weakly, and a collected logger forgets its level. */
    private static final Logger LCS_LOGGER = Logger.getLogger("io.lcs");
    private LogSetup() {
    }

    public static void configure(int verbosity, PrintStream err) {
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
        h.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord r) {
                StringBuilder sb = new StringBuilder(128);
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
        });
        Level lcs = switch (verbosity) {
            case 0 -> Level.INFO;
            case 1 -> Level.FINE;
            case 2 -> Level.FINER;
            default -> Level.ALL;
        };
        h.setLevel(Level.ALL);
        root.addHandler(h);
        root.setLevel(verbosity >= 3 ? Level.ALL : Level.WARNING);
        LCS_LOGGER.setLevel(lcs);
        LcsLogManager.freezeIfInstalled();
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
