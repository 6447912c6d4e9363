package io.lcs.reconcilers.net;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lcs.model.net.Cidr;
import io.lcs.reconcilers.runtime.Ticker;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link NetworkActuator} that keeps addresses in memory and touches no real interface: used by
 * lcsd in loopback multi-process tests, where several daemons share one host. It behaves like the
 * kernel where it matters: an address disappears when its lifetime passes (measured with the
 * injected {@link Ticker}), adding an existing address fails, refreshing an absent one fails,
 * removing an absent one succeeds.
 *
 * <p>Every operation is appended to an optional journal file as one JSON line, written and flushed
 * before the method returns, e.g.
 * {@code {"t":1700000000000,"op":"add","address":"198.18.0.10/24","ifname":"eth0","lifetimeSeconds":3}}.
 * Ops: {@code add}, {@code refresh}, {@code remove}, {@code probe} (with {@code "result":"free"|"taken"},
 * {@code "failed"} (see {@link #failProbe}), or {@code "skipped"} on a link without neighbour discovery), {@code announce} (not on such a link), and {@code expire} (written when an expiry is first noticed, with {@code t} set to
 * the wall time the address actually expired). {@code t} is epoch milliseconds from the injected
 * {@link Clock}. A test harness reads the journals of all daemons to check that no two held one
 * address at once.
 *
 * <p>Interfaces: every name exists and is up (with a MAC derived from the name) unless
 * {@link #setLink} says otherwise. Probes answer "free" unless {@link #answerProbe} was called.
 * Thread-safe (one lock); I/O errors on the journal are {@link ActuatorException}s.
 */
public final class RecordingNetworkActuator implements NetworkActuator, AutoCloseable {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Ticker ticker;
    private final Clock wallClock;
    private final OutputStream journal;
    private final Map<String, Map<Cidr, Entry>> addressesByInterface = new HashMap<>();
    private final Map<String, LinkState> links = new HashMap<>();
    private final Map<Cidr, String> probeAnswers = new HashMap<>();
    private final Map<Cidr, String> probeFailures = new HashMap<>();

    private record Entry(long expiresAtNanos, long lifetimeSeconds) {
    }

    /**
     * @param ticker monotonic time for lifetimes
     * @param wallClock wall time for the journal's {@code t}
     * @param journalFile file to append operations to (created if missing), or null for none
     */
    public RecordingNetworkActuator(Ticker ticker, Clock wallClock, Path journalFile) throws IOException {
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.wallClock = Objects.requireNonNull(wallClock, "wallClock");
        this.journal = journalFile == null ? null : Files.newOutputStream(journalFile,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }

    /** Overrides what {@link #link} reports for {@code state.ifname()}; an absent link also refuses adds. */
    public synchronized void setLink(LinkState state) {
        links.put(state.ifname(), state);
    }

    /** Makes probes of {@code cidr}'s address answer "taken" by {@code responderMac}. */
    public synchronized void answerProbe(Cidr cidr, String responderMac) {
        probeAnswers.put(hostKey(cidr), Objects.requireNonNull(responderMac, "responderMac"));
    }

    /** Makes probes of {@code cidr}'s address fail to run ({@link ProbeResult.CouldNotProbe} with {@code reason}). */
    public synchronized void failProbe(Cidr cidr, String reason) {
        probeFailures.put(hostKey(cidr), Objects.requireNonNull(reason, "reason"));
    }

    public synchronized void clearProbeAnswer(Cidr cidr) {
        probeFailures.remove(hostKey(cidr));
        probeAnswers.remove(hostKey(cidr));
    }

    @Override
    public synchronized List<InterfaceAddress> addresses(String ifname) throws ActuatorException {
        NetworkActuator.checkInterfaceName(ifname);
        requireLink(ifname, "addresses of " + ifname);
        Map<Cidr, Entry> present = live(ifname);
        long now = ticker.nanoTime();
        List<InterfaceAddress> out = new ArrayList<>(present.size());
        for (Map.Entry<Cidr, Entry> e : present.entrySet()) {
            // the kernel reports whole seconds left, rounded down
            long left = Math.max(0, (e.getValue().expiresAtNanos - now) / 1_000_000_000L);
            EnumSet<AddressFlag> flags = EnumSet.of(AddressFlag.DYNAMIC);
            if (e.getKey().isIpv6()) {
                flags.add(AddressFlag.NODAD);
            }
            out.add(new InterfaceAddress(e.getKey(), "global", Lifetime.ofSeconds(left), Lifetime.ofSeconds(left), flags));
        }
        return out;
    }

    @Override
    public synchronized LinkState link(String ifname) {
        NetworkActuator.checkInterfaceName(ifname);
        return linkState(ifname);
    }

    @Override
    public synchronized void addAddress(Cidr cidr, String ifname, Duration lifetime) throws ActuatorException {
        Objects.requireNonNull(cidr, "cidr");
        NetworkActuator.checkInterfaceName(ifname);
        long seconds = NetworkActuator.lifetimeSeconds(lifetime);
        requireLink(ifname, "add " + cidr + " dev " + ifname);
        Map<Cidr, Entry> present = live(ifname);
        if (present.containsKey(cidr)) {
            throw new ActuatorException("add " + cidr + " dev " + ifname + ": address already assigned");
        }
        present.put(cidr, new Entry(ticker.nanoTime() + seconds * 1_000_000_000L, seconds));
        record("add", cidr, ifname, seconds, null);
    }

    @Override
    public synchronized void refreshLifetime(Cidr cidr, String ifname, Duration lifetime) throws ActuatorException {
        Objects.requireNonNull(cidr, "cidr");
        NetworkActuator.checkInterfaceName(ifname);
        long seconds = NetworkActuator.lifetimeSeconds(lifetime);
        requireLink(ifname, "refresh " + cidr + " dev " + ifname);
        Map<Cidr, Entry> present = live(ifname);
        if (!present.containsKey(cidr)) {
            throw new AddressNotFoundException("cannot refresh " + cidr + " on " + ifname
                    + ": the address is not there (expired or removed); not re-adding it");
        }
        present.put(cidr, new Entry(ticker.nanoTime() + seconds * 1_000_000_000L, seconds));
        record("refresh", cidr, ifname, seconds, null);
    }

    @Override
    public synchronized void removeAddress(Cidr cidr, String ifname) throws ActuatorException {
        Objects.requireNonNull(cidr, "cidr");
        NetworkActuator.checkInterfaceName(ifname);
        Map<Cidr, Entry> present = live(ifname);
        present.remove(cidr);
        record("remove", cidr, ifname, -1, null);
    }

    @Override
    public synchronized ProbeResult probeDuplicate(Cidr cidr, String ifname, Duration window) throws ActuatorException {
        Objects.requireNonNull(cidr, "cidr");
        NetworkActuator.checkInterfaceName(ifname);
        NetworkActuator.checkProbeWindow(window);
        requireLink(ifname, "probe " + cidr + " dev " + ifname);
        String noNd = linkState(ifname).noNeighbourDiscovery();
        if (noNd != null) {
            record("probe", cidr, ifname, -1, "skipped");
            return new ProbeResult.NoNeighbourDiscovery(noNd);
        }
        String failure = probeFailures.get(hostKey(cidr));
        if (failure != null) {
            record("probe", cidr, ifname, -1, "failed");
            return new ProbeResult.CouldNotProbe(failure, Duration.ZERO);
        }
        String mac = probeAnswers.get(hostKey(cidr));
        record("probe", cidr, ifname, -1, mac == null ? "free" : "taken");
        return mac == null ? new ProbeResult.NoAnswer(1, Duration.ZERO) : new ProbeResult.Answered(mac, Duration.ZERO);
    }

    @Override
    public synchronized void announce(Cidr cidr, String ifname) throws ActuatorException {
        Objects.requireNonNull(cidr, "cidr");
        NetworkActuator.checkInterfaceName(ifname);
        requireLink(ifname, "announce " + cidr + " dev " + ifname);
        if (linkState(ifname).noNeighbourDiscovery() == null) {
            record("announce", cidr, ifname, -1, null);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (journal != null) {
            journal.close();
        }
    }

    private LinkState linkState(String ifname) {
        LinkState s = links.get(ifname);
        if (s != null) {
            return s;
        }
        int h = ifname.hashCode();
        String mac = String.format("02:00:%02x:%02x:%02x:%02x", (h >>> 24) & 0xff, (h >>> 16) & 0xff,
                (h >>> 8) & 0xff, h & 0xff);
        return new LinkState(ifname, true, true, true, "UP", mac);
    }

    private void requireLink(String ifname, String what) throws NoSuchInterfaceException {
        if (!linkState(ifname).exists()) {
            throw new NoSuchInterfaceException(ifname, what + ": Cannot find device \"" + ifname + "\"");
        }
    }

    /** The addresses of {@code ifname} after dropping (and journaling) expired ones. */
    private Map<Cidr, Entry> live(String ifname) throws ActuatorException {
        Map<Cidr, Entry> present = addressesByInterface.computeIfAbsent(ifname, k -> new LinkedHashMap<>());
        long now = ticker.nanoTime();
        for (Iterator<Map.Entry<Cidr, Entry>> it = present.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Cidr, Entry> e = it.next();
            long overdueNanos = now - e.getValue().expiresAtNanos;
            if (overdueNanos >= 0) {
                it.remove();
                long expiredAtMillis = wallClock.millis() - overdueNanos / 1_000_000L;
                writeLine(line(expiredAtMillis, "expire", e.getKey(), ifname, e.getValue().lifetimeSeconds, null));
            }
        }
        return present;
    }

    private void record(String op, Cidr cidr, String ifname, long lifetimeSeconds, String result)
            throws ActuatorException {
        writeLine(line(wallClock.millis(), op, cidr, ifname, lifetimeSeconds, result));
    }

    private static Map<String, Object> line(long t, String op, Cidr cidr, String ifname, long lifetimeSeconds,
                                            String result) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("t", t);
        line.put("op", op);
        line.put("address", cidr.toString());
        line.put("ifname", ifname);
        if (lifetimeSeconds >= 0) {
            line.put("lifetimeSeconds", lifetimeSeconds);
        }
        if (result != null) {
            line.put("result", result);
        }
        return line;
    }

    private void writeLine(Map<String, Object> line) throws ActuatorException {
        if (journal == null) {
            return;
        }
        try {
            byte[] bytes = (MAPPER.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
            journal.write(bytes);
            journal.flush();
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e); // cannot happen for maps of strings and numbers
        } catch (IOException e) {
            throw new ActuatorException("cannot append to the actuator journal: " + e.getMessage(), e);
        }
    }

    /** Probe answers are per host address; the prefix length does not matter on the wire. */
    private static Cidr hostKey(Cidr cidr) {
        return new Cidr(cidr.address(), cidr.isIpv6() ? 128 : 32);
    }
}
