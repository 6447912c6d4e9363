package io.lcs.reconcilers.net;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lcs.model.net.Cidr;
import io.lcs.reconcilers.runtime.ManualTicker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecordingNetworkActuatorTest {
    private static final Cidr VIP = Cidr.parse("198.18.0.201/24");
    private static final Cidr VIP6 = Cidr.parse("2001:db8::201/64");
    private static final long T = 1_700_000_000_000L;

    @TempDir
    Path dir;
    private final ManualTicker ticker = new ManualTicker();
    private final Clock clock = Clock.fixed(Instant.ofEpochMilli(T), ZoneOffset.UTC);
    private Path journal;
    private RecordingNetworkActuator actuator;

    @BeforeEach
    void open() throws Exception {
        journal = dir.resolve("actuator.jsonl");
        actuator = new RecordingNetworkActuator(ticker, clock, journal);
    }

    @AfterEach
    void close() throws Exception {
        actuator.close();
    }

    private List<JsonNode> lines() throws Exception {
        ObjectMapper m = new ObjectMapper();
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(journal)) {
            out.add(m.readTree(l));
        }
        return out;
    }

    @Test
    void addressExpiresWhenItsLifetimePassesLikeTheKernel() throws Exception {
        actuator.addAddress(VIP, "eth0", Duration.ofSeconds(2));
        assertEquals(Lifetime.ofSeconds(2), actuator.addresses("eth0").get(0).validLifetime());
        ticker.advance(Duration.ofMillis(1500));
        assertEquals(Lifetime.ofSeconds(0), actuator.addresses("eth0").get(0).validLifetime(), "rounded down");
        ticker.advance(Duration.ofMillis(500));
        assertEquals(List.of(), actuator.addresses("eth0"));
    }

    @Test
    void refreshExtendsTheLifetime() throws Exception {
        actuator.addAddress(VIP6, "eth0", Duration.ofSeconds(2));
        ticker.advance(Duration.ofMillis(1500));
        actuator.refreshLifetime(VIP6, "eth0", Duration.ofSeconds(2));
        ticker.advance(Duration.ofMillis(1500));
        InterfaceAddress a = actuator.addresses("eth0").get(0);
        assertEquals(VIP6, a.cidr());
        assertTrue(a.has(AddressFlag.NODAD));
        ticker.advance(Duration.ofMillis(500));
        assertEquals(List.of(), actuator.addresses("eth0"));
    }

    @Test
    void refreshOfAnExpiredAddressFailsAndDoesNotReAddIt() throws Exception {
        actuator.addAddress(VIP, "eth0", Duration.ofSeconds(1));
        ticker.advance(Duration.ofSeconds(1));
        assertThrows(AddressNotFoundException.class, () -> actuator.refreshLifetime(VIP, "eth0", Duration.ofSeconds(5)));
        assertEquals(List.of(), actuator.addresses("eth0"));
    }

    @Test
    void addingTwiceFailsAndRemovingAnAbsentAddressSucceeds() throws Exception {
        actuator.addAddress(VIP, "eth0", Duration.ofSeconds(5));
        assertThrows(ActuatorException.class, () -> actuator.addAddress(VIP, "eth0", Duration.ofSeconds(5)));
        actuator.removeAddress(VIP, "eth0");
        actuator.removeAddress(VIP, "eth0");
        assertEquals(List.of(), actuator.addresses("eth0"));
    }

    @Test
    void everyOperationIsAppendedAsOneJsonLine() throws Exception {
        actuator.addAddress(VIP, "eth0", Duration.ofSeconds(3));
        actuator.refreshLifetime(VIP, "eth0", Duration.ofSeconds(4));
        actuator.announce(VIP, "eth0");
        actuator.removeAddress(VIP, "eth0");
        actuator.probeDuplicate(VIP, "eth0", Duration.ofMillis(250));
        actuator.addAddress(VIP6, "eth0", Duration.ofSeconds(1));
        ticker.advance(Duration.ofMillis(1300));
        actuator.addresses("eth0");
        List<JsonNode> lines = lines();
        assertEquals(List.of("add", "refresh", "announce", "remove", "probe", "add", "expire"),
                lines.stream().map(l -> l.get("op").asText()).toList());
        JsonNode add = lines.get(0);
        assertEquals(T, add.get("t").asLong());
        assertEquals("198.18.0.201/24", add.get("address").asText());
        assertEquals("eth0", add.get("ifname").asText());
        assertEquals(3, add.get("lifetimeSeconds").asInt());
        assertEquals(4, lines.get(1).get("lifetimeSeconds").asInt());
        assertEquals("free", lines.get(4).get("result").asText());
        assertEquals(T - 300, lines.get(6).get("t").asLong(), "expire is stamped when it happened");
        assertEquals("2001:db8::201/64", lines.get(6).get("address").asText());
    }

    @Test
    void badInputChangesNothingAndWritesNothing() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> actuator.addAddress(VIP, "eth0", Duration.ofMillis(500)));
        assertThrows(IllegalArgumentException.class, () -> actuator.addAddress(VIP, "bad name", Duration.ofSeconds(1)));
        assertEquals(List.of(), actuator.addresses("eth0"));
        assertEquals(0, Files.size(journal));
    }

    @Test
    void probeAnswersFreeUnlessConfiguredTaken() throws Exception {
        assertInstanceOf(ProbeResult.NoAnswer.class, actuator.probeDuplicate(VIP, "eth0", Duration.ofMillis(250)));
        actuator.answerProbe(Cidr.parse("198.18.0.201/32"), "02:00:00:00:00:09");
        ProbeResult r = actuator.probeDuplicate(VIP, "eth0", Duration.ofMillis(250));
        assertEquals("02:00:00:00:00:09", ((ProbeResult.Answered) r).responderMac());
        actuator.clearProbeAnswer(VIP);
        assertInstanceOf(ProbeResult.NoAnswer.class, actuator.probeDuplicate(VIP, "eth0", Duration.ofMillis(250)));
    }

    @Test
    void onALinkWithoutNeighbourDiscoveryTheProbeIsSkippedAndNothingIsAnnounced() throws Exception {
        actuator.setLink(new LinkState("lo", true, true, true, "UNKNOWN", "00:00:00:00:00:00", "loopback", false,
                false));
        Cidr onLo = Cidr.parse("127.0.0.9/8");
        assertEquals(new ProbeResult.NoNeighbourDiscovery("loopback"),
                actuator.probeDuplicate(onLo, "lo", Duration.ofMillis(250)));
        actuator.announce(onLo, "lo");
        List<JsonNode> journaled = lines();
        assertEquals(1, journaled.size(), "only the probe, no announce: " + journaled);
        assertEquals("skipped", journaled.get(0).path("result").asText(), "" + journaled.get(0));
    }

    @Test
    void absentInterfaceRefusesAddsButRemoveIsStillIdempotent() throws Exception {
        assertTrue(actuator.link("eth0").up());
        actuator.setLink(LinkState.absent("eth9"));
        assertEquals(LinkState.absent("eth9"), actuator.link("eth9"));
        assertThrows(NoSuchInterfaceException.class, () -> actuator.addAddress(VIP, "eth9", Duration.ofSeconds(1)));
        assertThrows(NoSuchInterfaceException.class, () -> actuator.addresses("eth9"));
        actuator.removeAddress(VIP, "eth9");
    }

    @Test
    void journalIsAppendedAcrossInstances() throws Exception {
        actuator.addAddress(VIP, "eth0", Duration.ofSeconds(3));
        actuator.close();
        actuator = new RecordingNetworkActuator(ticker, clock, journal);
        actuator.removeAddress(VIP, "eth0");
        assertEquals(2, lines().size());
    }
}
