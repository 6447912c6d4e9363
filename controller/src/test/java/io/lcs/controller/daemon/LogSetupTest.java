package io.lcs.controller.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
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
    void noTimestampLeavesTheTimeOutAnywhere() {
        assertTrue(LogSetup.timestamps(false, null, "8:1234"), "a terminal: timestamps");
        assertFalse(LogSetup.timestamps(true, null, "8:1234"), "--no-timestamp");
        assertFalse(LogSetup.timestamps(false, "8:1234", "8:1234"), "the journal adds the time");
    }

    @Test
    void eachVLowersTheLevelAndOnlyFourShowTheLibraries() {
        assertEquals(List.of(Level.INFO, Level.FINE, Level.FINER, Level.ALL, Level.ALL),
                java.util.stream.IntStream.rangeClosed(0, 4).mapToObj(LogSetup::lcsLevel).toList());
        assertEquals(List.of(Level.WARNING, Level.WARNING, Level.WARNING, Level.WARNING, Level.ALL),
                java.util.stream.IntStream.rangeClosed(0, 4).mapToObj(LogSetup::libraryLevel).toList());
    }

    @Test
    void lcsdAcceptsTheCLcsFlagsAndCapsVerbosityAtFour() {
        Lcsd lcsd = new Lcsd(System.out, System.err);
        new picocli.CommandLine(lcsd).parseArgs("-c", "/etc/lcs/lcs.conf", "-vvvvv", "--no-syslog", "--no-timestamp", "-d");
        assertEquals(5, lcsd.verbose.length);
        assertEquals(4, Math.min(lcsd.verbose.length, Lcsd.MAX_VERBOSITY));
        assertTrue(lcsd.noSyslog && lcsd.noTimestamp && lcsd.daemonize);
        Lcsd longForms = new Lcsd(System.out, System.err);
        new picocli.CommandLine(longForms).parseArgs("--daemonize", "--verbose", "--verbose");
        assertTrue(longForms.daemonize);
        assertEquals(2, longForms.verbose.length);
    }

    @Test
    void theBackgroundCopyIsTheSameCommandLineWithoutTheDaemonizeFlagInANewSession() {
        List<String> info = List.of("/usr/lib/lcs/runtime/bin/java", "-Xmx64m", "-cp", "/usr/lib/lcs/lib/*",
                "io.lcs.controller.daemon.Lcsd", "-c", "/etc/lcs/lcs.conf", "-d", "-v", "--daemonize");
        List<String> argv = Lcsd.backgroundArgv(info);
        assertTrue(argv.get(0).endsWith("/setsid"), "a new session: " + argv);
        assertEquals(List.of("/usr/lib/lcs/runtime/bin/java", "-Xmx64m", "-cp", "/usr/lib/lcs/lib/*",
                "io.lcs.controller.daemon.Lcsd", "-c", "/etc/lcs/lcs.conf", "-v"), argv.subList(1, argv.size()));
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
