package io.lcs.controller.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.controller.store.StateDirectory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link CleanStop}: the record a clean stop leaves, and the restart wait a start derives from it. */
class CleanStopTest {
    static final long MS = 1_000_000L;
    /** The defaults' whole restart wait: lease 2,000 ms lengthened by twice the 1 % drift bound. */
    static final long FULL = 2_040 * MS;
    static final String BOOT = "5c9d6b0e-1f7a-4a8e-9a57-8f1e2d3c4b5a";

    @TempDir
    Path tmp;

    /** A boot clock set by hand. */
    static final class Clock implements CleanStop.BootClock {
        String boot = BOOT;
        long centis;
        boolean broken;

        Clock(long centis) {
            this.centis = centis;
        }

        @Override
        public String bootId() throws IOException {
            if (broken) {
                throw new IOException("no /proc");
            }
            return boot;
        }

        @Override
        public long uptimeCentis() throws IOException {
            if (broken) {
                throw new IOException("no /proc");
            }
            return centis;
        }
    }

    CleanStop.Decision stopThenStart(Clock clock, long stopAt, long startAt) throws IOException {
        try (StateDirectory dir = StateDirectory.open(tmp)) {
            clock.centis = stopAt;
            CleanStop.record(dir, clock, FULL);
        }
        try (StateDirectory dir = StateDirectory.open(tmp)) {
            clock.centis = startAt;
            return CleanStop.consume(dir, clock, FULL);
        }
    }

    @Test
    void aStartLongerThanALeaseAfterACleanStopVotesAtOnce() throws IOException {
        CleanStop.Decision d = stopThenStart(new Clock(0), 100_000, 100_000 + 205);
        assertEquals(0, d.waitNanos(), d.reason());
        assertTrue(d.reason().contains("stopped cleanly 2.05 s ago"), d.reason());
    }

    @Test
    void aStartWithinTheLeaseWaitsWhatIsLeftPlusTheClocksResolution() throws IOException {
        // stopped at 1000.00 s, started 0.50 s later: 2,040 ms of wait end at 1002.04, one more
        // hundredth for the two truncated readings: 1,550 ms left
        CleanStop.Decision d = stopThenStart(new Clock(0), 100_000, 100_050);
        assertEquals(1_550 * MS, d.waitNanos(), d.reason());
        assertEquals(1_550, d.waitMillis());
        // one hundredth before the end it still waits, at the end it does not
        assertEquals(10 * MS, stopThenStart(new Clock(0), 100_000, 100_204).waitNanos());
        assertEquals(0, stopThenStart(new Clock(0), 100_000, 100_205).waitNanos());
    }

    @Test
    void theStartRemovesTheRecordSoACrashAfterItLeavesNone() throws IOException {
        Clock clock = new Clock(0);
        assertEquals(0, stopThenStart(clock, 100_000, 200_000).waitNanos());
        try (StateDirectory dir = StateDirectory.open(tmp)) {
            assertEquals(Optional.empty(), dir.readRecord(CleanStop.RECORD), "consumed by the start");
            // this run crashes: the next start finds nothing and waits the whole lease
            CleanStop.Decision d = CleanStop.consume(dir, clock, FULL);
            assertEquals(FULL, d.waitNanos());
            assertTrue(d.reason().contains("no record of a clean stop"), d.reason());
        }
    }

    @Test
    void anotherBootABackwardClockOrAnUnreadableClockMeanTheWholeLease() throws IOException {
        Clock rebooted = new Clock(0);
        try (StateDirectory dir = StateDirectory.open(tmp)) {
            CleanStop.record(dir, rebooted, FULL);
            rebooted.boot = "0a1b2c3d-0000-4000-8000-000000000000";
            rebooted.centis = 50_000;
            CleanStop.Decision d = CleanStop.consume(dir, rebooted, FULL);
            assertEquals(FULL, d.waitNanos());
            assertTrue(d.reason().contains("earlier boot"), d.reason());
        }
        Clock back = new Clock(0);
        CleanStop.Decision d = stopThenStart(back, 100_000, 90_000);
        assertEquals(FULL, d.waitNanos());
        assertTrue(d.reason().contains("behind"), d.reason());

        Clock broken = new Clock(100_000);
        try (StateDirectory dir = StateDirectory.open(tmp)) {
            CleanStop.record(dir, broken, FULL);
            broken.broken = true;
            d = CleanStop.consume(dir, broken, FULL);
            assertEquals(FULL, d.waitNanos());
            assertTrue(d.reason().contains("cannot read the boot clock"), d.reason());
            assertEquals(Optional.empty(), dir.readRecord(CleanStop.RECORD), "removed all the same");
        }
    }

    @Test
    void aRecordThatIsNotLcsdsMeansTheWholeLeaseAndIsRemoved() throws IOException {
        Clock clock = new Clock(100_000);
        for (String bad : List.of("{}", "not json", "{\"bootId\":\"" + BOOT + "\",\"waitMillis\":5}", "{\"bootId\":\"" + BOOT + "\",\"stoppedAtCentis\":1,"
                        + "\"waitMillis\":99999999}", "{\"bootId\":\"" + BOOT + "\",\"stoppedAtCentis\":1,"
                        + "\"waitMillis\":5,\"extra\":1}", "{\"bootId\":null,\"stoppedAtCentis\":1,\"waitMillis\":5}")) {
            try (StateDirectory dir = StateDirectory.open(tmp)) {
                dir.writeRecord(CleanStop.RECORD, bad.getBytes(StandardCharsets.UTF_8));
                CleanStop.Decision d = CleanStop.consume(dir, clock, FULL);
                assertEquals(FULL, d.waitNanos(), bad + ": " + d.reason());
                assertTrue(d.reason().contains("record of the last clean stop"), d.reason());
                assertEquals(Optional.empty(), dir.readRecord(CleanStop.RECORD), bad);
            }
        }
        // a file the state directory itself finds damaged (checksum): the same
        try (StateDirectory dir = StateDirectory.open(tmp)) {
            CleanStop.record(dir, clock, FULL);
        }
        Path file = tmp.resolve("records").resolve(CleanStop.RECORD + ".record");
        String damaged = Files.readString(file).replaceAll("(\"crc32c\"\\s*:\\s*\")[0-9a-f]+", "$1" + "00000000");
        assertFalse(damaged.equals(Files.readString(file)), damaged);
        Files.writeString(file, damaged);
        try (StateDirectory dir = StateDirectory.open(tmp)) {
            CleanStop.Decision d = CleanStop.consume(dir, clock, FULL);
            assertEquals(FULL, d.waitNanos());
            assertTrue(d.reason().contains("damaged"), d.reason());
            assertFalse(Files.exists(file));
        }
    }

    @Test
    void aRecordThatCannotBeRemovedStopsTheStart() throws IOException {
        Clock clock = new Clock(100_000);
        byte[] record;
        try (StateDirectory dir = StateDirectory.open(tmp)) {
            CleanStop.record(dir, clock, FULL);
            record = dir.readRecord(CleanStop.RECORD).orElseThrow();
        }
        CleanStop.Store undeletable = new CleanStop.Store() {
            @Override
            public Optional<byte[]> read() {
                return Optional.of(record);
            }

            @Override
            public void delete() throws IOException {
                throw new IOException("Read-only file system");
            }
        };
        clock.centis = 200_000;
        IOException e = assertThrows(IOException.class, () -> CleanStop.consume(undeletable, clock, FULL));
        assertEquals("cannot remove the record of the last clean stop: Read-only file system", e.getMessage());
    }

    @Test
    void uptimeIsReadInHundredths() throws IOException {
        assertEquals(35_071, CleanStop.parseUptime("350.71 653.26\n"));
        assertThrows(IOException.class, () -> CleanStop.parseUptime("garbage"));
        assertThrows(IOException.class, () -> CleanStop.parseUptime(""));
    }

    @Test
    void theSystemBootClockReadsThisMachine() throws IOException {
        if (!Files.isReadable(Path.of("/proc/uptime"))) {
            return; // not Linux: lcsd runs on Linux only
        }
        long a = CleanStop.BootClock.SYSTEM.uptimeCentis();
        long b = CleanStop.BootClock.SYSTEM.uptimeCentis();
        assertTrue(a > 0 && b >= a, a + " then " + b);
        String boot = CleanStop.BootClock.SYSTEM.bootId();
        assertTrue(boot.matches("[0-9a-f-]{36} .+"), boot);
        assertEquals(boot, CleanStop.BootClock.SYSTEM.bootId());
    }
}
