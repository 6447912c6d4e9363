package io.lcs.harness.netns;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * From the client namespace, asks "who has VIP?" every {@link #INTERVAL} for each VIP and records
 * which MAC(s) answered: IPv4 with a broadcast ARP request ({@code arping -b -c 2 -w 1 -I eth0
 * ADDR}; iputils arping takes only whole seconds for {@code -w} and {@code -i}, but it writes and
 * flushes each reply line as the reply arrives, so the probe reads them as they come, waits
 * {@link #REPLY_GRACE} after the first for a second holder's answer to the same broadcast, and
 * ends it with SIGTERM then, or after {@link #ARP_WINDOW} from its start when nobody answered);
 * IPv6 with a neighbour solicitation ({@code ndisc6 -m -n -r 1 -w 10 ADDR eth0}: all answers
 * within 10 ms). Each probe is one short process started with {@code nsenter
 * --net=/run/netns/CL} (about 2 ms of CPU; from a JVM, 12-20 ms from the spawn to the reply on
 * an idle 2-core machine). Java cannot open raw sockets, and the CI machine has no scripting
 * language we may rely on, so this is the cheapest honest probe: it asks the wire, not a
 * neighbour cache, so it sees every node that answers for the address, two at once included.
 *
 * <p>Samples: a time (wall µs) and the answering MACs. An answered ARP sample is stamped when the
 * first reply was read (the address answered then, within the reply's round trip, well under a
 * millisecond on a bridge); an unanswered one, and every IPv6 sample, when its process was
 * started. A sample with two MACs is a client-visible overlap; a run of unanswered probes is an
 * outage ({@link Checker}). One thread per VIP; bounded by {@link #close}.
 */
public final class ClientProbe implements AutoCloseable {
    public static final Duration INTERVAL = Duration.ofMillis(20);
    /** How long an ARP probe waits for a first answer, from the start of its process. */
    public static final Duration ARP_WINDOW = Duration.ofMillis(60);
    /** After the first ARP reply, how long the probe still waits for another MAC's. */
    static final Duration REPLY_GRACE = Duration.ofMillis(3);
    static final int NDISC_WAIT_MS = 10;
    private static final Pattern ARP_MAC = Pattern.compile("\\[([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5})]");
    private static final Pattern ND_MAC = Pattern.compile("Target link-layer address:\\s*([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5})");
    /** Samples kept per VIP: 3 h at 50/s; beyond that the probe stops recording (reported). */
    static final int MAX_SAMPLES = 540_000;

    /** One probe of one VIP: when it was sent and the MACs (lowercase) that answered. */
    public record Sample(long atMicros, List<String> macs) {
    }

    private final String clientNs;
    private final List<Vip> vips;
    private final List<List<Sample>> samples = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;
    /**
     * No probes while set ({@link #pause}): each probe is a process, 50 a second cost a measured
     * ~0.2 s of a short-lived JVM's start here, which a benchmark of something else (the CLI) must
     * not carry.
     */
    private volatile boolean paused;
    private volatile String failure;
    /** How long an ARP probe waits for a first answer, from the start of its process; see {@link #arpWindow}. */
    private volatile long arpWindowMillis = ARP_WINDOW.toMillis();

    public ClientProbe(String clientNs, List<Vip> vips) {
        this.clientNs = Netns.checkName(clientNs);
        this.vips = List.copyOf(vips);
        for (int i = 0; i < vips.size(); i++) {
            samples.add(new ArrayList<>());
        }
    }

    public void start() {
        running = true;
        for (int i = 0; i < vips.size(); i++) {
            int idx = i;
            Thread t = new Thread(() -> loop(idx), "probe-" + vips.get(i).name());
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
    }

    private void loop(int idx) {
        Vip vip = vips.get(idx);
        List<String> tool = vip.ipv6()
                ? List.of("ndisc6", "-m", "-n", "-r", "1", "-w", Integer.toString(NDISC_WAIT_MS), vip.address(), Topology.IFACE)
                : List.of("arping", "-b", "-c", "2", "-w", "1", "-I", Topology.IFACE, vip.address());
        long intervalNanos = INTERVAL.toNanos();
        long next = System.nanoTime();
        while (running) {
            if (paused) {
                try {
                    next = paceNext(next, intervalNanos);
                } catch (InterruptedException e) {
                    return;
                }
                continue;
            }
            ProcessBuilder pb = new ProcessBuilder(Netns.enterAsClient(clientNs, tool)).redirectErrorStream(true);
            Sample sample;
            try {
                sample = probe(pb, vip.ipv6(), arpWindowMillis);
            } catch (IOException e) {
                failure = "probe of " + vip.name() + " failed: " + e.getMessage();
                sample = null;
            } catch (InterruptedException e) {
                return;
            }
            if (sample != null) {
                List<Sample> list = samples.get(idx);
                synchronized (list) {
                    if (list.size() < MAX_SAMPLES) {
                        list.add(sample);
                    }
                }
            }
            try {
                next = paceNext(next, intervalNanos);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * Sleeps until {@code next + intervalNanos} and returns that time; a loop that fell behind (a
     * loaded host) starts again from now instead of bursting to catch up.
     */
    static long paceNext(long next, long intervalNanos) throws InterruptedException {
        long at = next + intervalNanos;
        long sleep = at - System.nanoTime();
        if (sleep > 0) {
            TimeUnit.NANOSECONDS.sleep(sleep);
            return at;
        }
        return System.nanoTime();
    }

    /** Stops probing while {@code on} (the thread idles at the probe interval), resumes after. */
    public void pause(boolean on) {
        paused = on;
    }

    /**
     * Sets how long each ARP probe waits for a first answer (default {@link #ARP_WINDOW}). On a
     * machine whose every core is busy, starting {@code nsenter} and {@code arping} alone can take
     * longer than that, and such a probe says nothing (measured: most went unanswered under
     * stress-ng); the load bench widens it. An answered probe ends {@link #REPLY_GRACE} after its
     * first reply whatever the window, so a wider window slows the probe only while nobody answers.
     */
    public void arpWindow(Duration window) {
        arpWindowMillis = window.toMillis();
    }

    private static Sample probe(ProcessBuilder pb, boolean ipv6, long arpWindowMillis)
            throws IOException, InterruptedException {
        long at = WallMicros.now();
        long started = System.nanoTime();
        Process p = pb.start();
        try {
            StringBuilder out = new StringBuilder();
            InputStream in = p.getInputStream();
            if (ipv6) {
                if (!p.waitFor(NDISC_WAIT_MS + 500, TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                }
            } else {
                long deadline = started + TimeUnit.MILLISECONDS.toNanos(arpWindowMillis);
                boolean answered = false;
                while (System.nanoTime() < deadline) {
                    int n = in.available();
                    if (n > 0) {
                        out.append(new String(in.readNBytes(n), StandardCharsets.UTF_8));
                        if (!answered && ARP_MAC.matcher(out).find()) {
                            answered = true;
                            at = WallMicros.now();
                            deadline = Math.min(deadline, System.nanoTime() + REPLY_GRACE.toNanos());
                        }
                    } else if (!p.isAlive()) {
                        break;
                    } else {
                        TimeUnit.MICROSECONDS.sleep(250);
                    }
                }
                // SIGTERM through the handle: arping prints what it got and exits. (Process.destroy()
                // would also close our end of its stdout, losing exactly that output.)
                p.toHandle().destroy();
                if (!p.waitFor(500, TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                }
            }
            p.waitFor(500, TimeUnit.MILLISECONDS);
            out.append(new String(in.readNBytes(16_384), StandardCharsets.UTF_8));
            in.close();
            Matcher m = (ipv6 ? ND_MAC : ARP_MAC).matcher(out);
            List<String> macs = new ArrayList<>(2);
            while (m.find()) {
                String mac = m.group(1).toLowerCase(Locale.ROOT);
                if (!macs.contains(mac)) {
                    macs.add(mac);
                }
            }
            return new Sample(at, macs);
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
    }

    public List<Vip> vips() {
        return vips;
    }

    /** A copy of the samples of VIP {@code i} (in {@link #vips()} order). */
    public List<Sample> samples(int i) {
        List<Sample> list = samples.get(i);
        synchronized (list) {
            return new ArrayList<>(list);
        }
    }

    /** The samples of VIP {@code i} sent at or after {@code fromMicros} (a copy; cheap for recent windows). */
    public List<Sample> samplesSince(int i, long fromMicros) {
        List<Sample> list = samples.get(i);
        synchronized (list) {
            int k = list.size();
            while (k > 0 && list.get(k - 1).atMicros() >= fromMicros) {
                k--;
            }
            return new ArrayList<>(list.subList(k, list.size()));
        }
    }

    /** The MACs that answered the latest probe of {@code vip}, or null before the first. */
    /**
     * The distinct MACs that answered for {@code vip} in the samples sent during the last
     * {@code windowMicros} (wall clock), or null when there was no sample in that window. One
     * sample alone says little: an ARP probe's window is {@link #ARP_WINDOW} and a loaded machine
     * can delay a reply past it, so a single unanswered sample is not an outage.
     */
    public List<String> answeredWithin(Vip vip, long windowMicros) {
        List<Sample> list = samples.get(vips.indexOf(vip));
        long from = WallMicros.now() - windowMicros;
        java.util.LinkedHashSet<String> macs = new java.util.LinkedHashSet<>();
        boolean any = false;
        synchronized (list) {
            for (int i = list.size() - 1; i >= 0 && list.get(i).atMicros() >= from; i--) {
                any = true;
                macs.addAll(list.get(i).macs());
            }
        }
        return any ? List.copyOf(macs) : null;
    }

    public List<String> latest(Vip vip) {
        List<Sample> list = samples.get(vips.indexOf(vip));
        synchronized (list) {
            return list.isEmpty() ? null : list.get(list.size() - 1).macs();
        }
    }

    public String failure() {
        return failure;
    }

    @Override
    public void close() {
        running = false;
        interruptAndJoin(threads);
    }

    /** Interrupts {@code threads} and waits up to 2 s for each. */
    static void interruptAndJoin(List<Thread> threads) {
        for (Thread t : threads) {
            t.interrupt();
        }
        for (Thread t : threads) {
            try {
                t.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
