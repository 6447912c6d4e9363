package io.lcs.harness.loopback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.model.net.Cidr;
import io.lcs.reconcilers.net.ProbeResult;
import io.lcs.reconcilers.net.RecordingNetworkActuator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The environment of the loopback lcsd: the journal it needs, the probes it answers "taken". */
class LoopbackLcsdTest {
    @TempDir
    Path dir;

    @Test
    void withoutAJournalTheLoopbackDaemonRefusesToStartNamingTheVariable() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LoopbackLcsd.actuator(Map.of()));
        assertTrue(e.getMessage().startsWith(LoopbackLcsd.JOURNAL_ENV + " is not set"), e.getMessage());
    }

    @Test
    void takenCidrsAnswerTheirProbesFromTheTakenMacAndOthersAreFree() throws Exception {
        Path journal = dir.resolve("actuator.jsonl");
        try (RecordingNetworkActuator net = LoopbackLcsd.actuator(Map.of(LoopbackLcsd.JOURNAL_ENV, journal.toString(),
                LoopbackLcsd.TAKEN_ENV, "198.18.0.77/24, 198.18.0.78/24"))) {
            ProbeResult taken = net.probeDuplicate(Cidr.parse("198.18.0.78/24"), "eth0", Duration.ofMillis(100));
            assertEquals(LoopbackLcsd.TAKEN_MAC, assertInstanceOf(ProbeResult.Answered.class, taken).responderMac());
            assertInstanceOf(ProbeResult.NoAnswer.class,
                    net.probeDuplicate(Cidr.parse("198.18.0.79/24"), "eth0", Duration.ofMillis(100)));
        }
        assertTrue(Files.readString(journal).contains("probe"), "operations are journaled");
    }

    @Test
    void takenEntryThatIsNotACidrStopsTheDaemonNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LoopbackLcsd.actuator(Map.of(
                LoopbackLcsd.JOURNAL_ENV, dir.resolve("j.jsonl").toString(), LoopbackLcsd.TAKEN_ENV, "198.18.0.77/24,nope")));
        assertTrue(e.getMessage().startsWith(LoopbackLcsd.TAKEN_ENV + ": 'nope' is not a CIDR"), e.getMessage());
    }
}
