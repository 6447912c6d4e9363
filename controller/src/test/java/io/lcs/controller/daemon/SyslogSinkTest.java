package io.lcs.controller.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code syslog = true}: lines reach logger(1) with their syslog priority; a stalled logger drops, counts and says so once. */
class SyslogSinkTest {
    @TempDir
    Path dir;

    private Path script(String body) throws Exception {
        Path p = dir.resolve("fake-logger");
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    private static LogRecord record(Level level, String message) {
        LogRecord r = new LogRecord(level, message);
        r.setLoggerName("io.lcs.core");
        return r;
    }

    private static boolean await(java.util.function.BooleanSupplier c) throws InterruptedException {
        for (int i = 0; i < 100 && !c.getAsBoolean(); i++) { // at most 10 s
            Thread.sleep(100);
        }
        return c.getAsBoolean();
    }

    private static long lineCount(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file).size() : 0;
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    @Test
    void linesStillQueuedWhenTheSinkClosesAreCountedAsDropped() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        // a logger that never reads: its pipe fills, the writer blocks, the rest stays queued
        SyslogSink sink = new SyslogSink(List.of(script("exec sleep 100").toString()),
                LogSetup.formatter(1, false, java.time.ZoneOffset.UTC), new PrintStream(err, true, StandardCharsets.UTF_8));
        String kilobyte = "x".repeat(1024);
        for (int i = 0; i < SyslogSink.QUEUE_LINES; i++) {
            sink.publish(record(Level.INFO, kilobyte));
        }
        sink.close();
        // at most a pipe's worth (64 KiB: about 64 lines) and the line being written left the queue
        assertTrue(sink.dropped() >= SyslogSink.QUEUE_LINES - 70, "dropped " + sink.dropped());
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("lines were not sent to the system log before lcsd"
                + " stopped"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void linesGoToTheLoggerWithFacilityDaemonAndTheirSeverity() throws Exception {
        Path out = dir.resolve("received");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        SyslogSink sink = new SyslogSink(List.of(script("cat >> " + out).toString()),
                LogSetup.formatter(1, false, java.time.ZoneOffset.UTC), new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            sink.publish(record(Level.WARNING, "peer n2 down"));
            sink.publish(record(Level.INFO, "lease acquired"));
            sink.publish(record(Level.SEVERE, "CONFLICT: address found"));
            sink.publish(record(Level.FINE, "object now at 3"));
            // before the close, which sends for at most a second (a loaded machine may start the logger later)
            assertTrue(await(() -> lineCount(out) == 4), "logger received the lines");
        } finally {
            sink.close();
        }
        List<String> lines = Files.readAllLines(out);
        assertEquals(List.of("<28>WARN core: peer n2 down", "<30>INFO core: lease acquired",
                "<27>ERROR core: CONFLICT: address found", "<31>DEBUG core: object now at 3"), lines);
        assertEquals(0, sink.dropped());
    }

    @Test
    void aLoggerThatStopsReadingMakesLinesDropCountedAndSaidOnce() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        SyslogSink sink = new SyslogSink(List.of(script("exec sleep 30").toString()),
                LogSetup.formatter(1, false, java.time.ZoneOffset.UTC), new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            String filler = "x".repeat(200);
            // the pipe (64 KiB) and the queue (1,000 lines) fill; the rest is dropped, not waited for
            long start = System.nanoTime();
            for (int i = 0; i < 3_000; i++) {
                sink.publish(record(Level.INFO, "line " + i + " " + filler));
            }
            assertTrue(System.nanoTime() - start < 5_000_000_000L, "publishing never waits for the logger");
            assertTrue(sink.dropped() > 0, "dropped: " + sink.dropped());
            String said = err.toString(StandardCharsets.UTF_8);
            assertEquals(1, said.lines().filter(l -> l.contains("lines wait for the system log")).count(), said);
        } finally {
            sink.close();
        }
    }

    @Test
    void aLoggerThatExitsCountsItsLinesAsDroppedAndIsStartedAgainAtMostOncePerInterval() throws Exception {
        Path starts = dir.resolve("starts");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        SyslogSink sink = new SyslogSink(List.of(script("echo started >> " + starts + "; exit 0").toString()),
                LogSetup.formatter(1, false, java.time.ZoneOffset.UTC), new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            for (int i = 0; i < 20; i++) {
                sink.publish(record(Level.INFO, "line " + i));
                Thread.sleep(50);
            }
            assertTrue(await(() -> sink.dropped() > 0), "lines for an exited logger are counted");
            assertTrue(Files.readAllLines(starts).size() <= 2, "restarted at most once per "
                    + SyslogSink.RESTART_INTERVAL_MILLIS + " ms in about 1 s: " + Files.readAllLines(starts));
        } finally {
            sink.close();
        }
    }
}
