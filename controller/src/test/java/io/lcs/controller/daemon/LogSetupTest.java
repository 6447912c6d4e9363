package io.lcs.controller.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class LogSetupTest {
    private static LogRecord record() {
        LogRecord r = new LogRecord(Level.WARNING, "peer b down: timeout\nsecond line");
        r.setLoggerName("io.lcs.controller.daemon.CoreDriver");
        r.setInstant(Instant.parse("2025-01-01T11:00:00.123Z"));
        return r;
    }

    @Test
    void outsideTheJournalEveryLineStartsWithItsIsoTime() {
        assertEquals("2025-01-01T12:00:00.123+01:00 WARN controller.daemon.CoreDriver: peer b down: timeout second line\n",
                LogSetup.formatter(0, true, ZoneOffset.ofHours(1)).format(record()));
    }

    @Test
    void underTheJournalLinesHaveNoTimeJournaldAddsIt() {
        assertEquals("WARN controller.daemon.CoreDriver: peer b down: timeout second line\n",
                LogSetup.formatter(0, false, ZoneOffset.UTC).format(record()));
    }

    @Test
    void theJournalIsStderrOnlyWhenJournalStreamNamesIt() {
        assertFalse(LogSetup.underJournal(null, "8:1234"), "no JOURNAL_STREAM: a terminal, a file, a container");
        assertFalse(LogSetup.underJournal("", "8:1234"));
        assertTrue(LogSetup.underJournal("8:1234", "8:1234"), "systemd connected stderr to the journal");
        assertFalse(LogSetup.underJournal("8:1234", "8:999"), "inherited from a parent, but stderr was redirected");
        assertTrue(LogSetup.underJournal("8:1234", null), "stderr unknown: the variable decides");
    }
}
