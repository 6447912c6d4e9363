package io.lcs.harness.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProcFilesTest {
    static final String SMAPS = """
            55d0c0a00000-7ffd1e5f7000 ---p 00000000 00:00 0                          [rollup]
            Rss:               45012 kB
            Pss:               41234 kB
            Pss_Anon:          30000 kB
            Shared_Clean:       4000 kB
            Swap:                  0 kB
            """;

    @Test
    void smapsRollupGivesRssAndPssInKilobytesNotPssAnon() {
        ProcFiles.Memory m = ProcFiles.parseSmapsRollup(SMAPS);
        assertEquals(45012, m.rssKb());
        assertEquals(41234, m.pssKb());
    }

    @Test
    void smapsRollupWithoutPssIsRejectedNamingTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProcFiles.parseSmapsRollup("Rss: 1 kB\n"));
        assertTrue(e.getMessage().contains("Pss"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ProcFiles.parseSmapsRollup("Rss: x kB\nPss: 1 kB\n"));
    }

    @Test
    void statFieldsAreCountedAfterTheLastParenthesisSoACommandWithSpacesAndParensParses() {
        String stat = "4242 (java (lcsd) x) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 75 12 3 20 0 20 0 100 0 0";
        ProcFiles.Cpu c = ProcFiles.parseStat(stat);
        assertEquals(250, c.utime());
        assertEquals(75, c.stime());
        assertEquals(12, c.cutime());
        assertEquals(3, c.cstime());
        assertEquals(3.40, c.totalSeconds(), 1e-9);
    }

    @Test
    void truncatedStatIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> ProcFiles.parseStat("1 (x) S 1 2 3"));
        assertThrows(IllegalArgumentException.class, () -> ProcFiles.parseStat("no parens here"));
    }

    @Test
    void ownProcessIsReadable() {
        long pid = ProcessHandle.current().pid();
        assertTrue(ProcFiles.memory(pid).rssKb() > 0);
        assertTrue(ProcFiles.cpu(pid).totalSeconds() >= 0);
    }
}
