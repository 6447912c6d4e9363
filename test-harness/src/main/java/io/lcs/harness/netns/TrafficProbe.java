package io.lcs.harness.netns;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Client traffic to one IPv4 VIP from the client namespace, as an application sees it: through
 * the client's own neighbour cache, so a late or lost announcement shows as an outage (where
 * {@link ClientProbe} asks the wire with broadcast ARP and sees a new owner at once).
 * <ul>
 *   <li>ICMP: one {@code ping -n -D -i 0.01 ADDR} for the whole run (a request every 10 ms); each
 *       reply's receive time (ping's {@code -D} stamp) is recorded.</li>
 *   <li>TCP: every {@link #TCP_INTERVAL}, a connect to port {@link #TCP_PORT} of the VIP ({@code
 *       bash}'s {@code /dev/tcp}, ended after {@link #TCP_TIMEOUT}); nothing listens there, so a
 *       "connection refused" (the holder's kernel sent a RST) counts as reached, as a connect
 *       would; no answer within the timeout is not reached.</li>
 * </ul>
 * An {@link Outage} is the longest time between two consecutive answers that ends after the fault.
 * Bounded: at most {@link #MAX_SAMPLES} per kind; {@link #close} ends both.
 */
public final class TrafficProbe implements AutoCloseable {
    static final Duration TCP_INTERVAL = Duration.ofMillis(20);
    static final Duration TCP_TIMEOUT = Duration.ofMillis(500);
    /** A port nobody listens on: the holder's kernel answers with a RST. */
    static final int TCP_PORT = 9;
    static final int MAX_SAMPLES = 2_000_000;
    private static final Pattern PING_REPLY = Pattern.compile("^\\[(\\d+)\\.(\\d{6})] \\d+ bytes from ");

    /** The longest silence ending after the fault: its length, and when the first answer after it came (from the fault). */
    public record Outage(double gapMs, double firstAnswerAfterFaultMs) {
    }

    private final String clientNs;
    private final String address;
    private final List<Long> icmpReplies = new ArrayList<>();
    private final List<Long> tcpReached = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;
    private volatile Process ping;

    public TrafficProbe(String clientNs, String address) {
        this.clientNs = Netns.checkName(clientNs);
        this.address = address;
    }

    public void start() {
        running = true;
        Thread icmp = new Thread(this::pingLoop, "traffic-icmp");
        Thread tcp = new Thread(this::tcpLoop, "traffic-tcp");
        for (Thread t : List.of(icmp, tcp)) {
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
    }

    private void pingLoop() {
        List<String> argv = Netns.enterAsClient(clientNs, List.of("ping", "-n", "-D", "-i", "0.01", address));
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            ping = p;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while (running && (line = r.readLine()) != null) {
                    Matcher m = PING_REPLY.matcher(line);
                    if (m.find()) {
                        add(icmpReplies, Long.parseLong(m.group(1)) * 1_000_000L + Long.parseLong(m.group(2)));
                    }
                }
            }
        } catch (IOException e) {
            // ping ended (close) or could not start: no more samples
        }
    }

    private void tcpLoop() {
        List<String> tool = List.of("timeout", String.format(java.util.Locale.ROOT, "%.3f",
                TCP_TIMEOUT.toMillis() / 1000.0), "bash", "-c", "exec 3<>/dev/tcp/" + address + "/" + TCP_PORT);
        long next = System.nanoTime();
        while (running) {
            ProcessBuilder pb = new ProcessBuilder(Netns.enterAsClient(clientNs, tool)).redirectErrorStream(true);
            long at = WallMicros.now();
            try {
                Process p = pb.start();
                String out;
                if (!p.waitFor(TCP_TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                }
                out = new String(p.getInputStream().readNBytes(4096), StandardCharsets.UTF_8);
                if (!p.isAlive() && (p.exitValue() == 0 || out.contains("refused"))) {
                    add(tcpReached, at);
                }
                next = ClientProbe.paceNext(next, TCP_INTERVAL.toNanos());
            } catch (IOException | InterruptedException e) {
                return;
            }
        }
    }

    private static void add(List<Long> list, long micros) {
        synchronized (list) {
            if (list.size() < MAX_SAMPLES) {
                list.add(micros);
            }
        }
    }

    /** The ICMP outage around a fault at {@code faultMicros}, looking at answers in [from, to] (wall µs). */
    public Outage icmpOutage(long faultMicros, long fromMicros, long toMicros) {
        return outage(icmpReplies, faultMicros, fromMicros, toMicros);
    }

    /** The TCP outage around a fault at {@code faultMicros}, looking at answers in [from, to] (wall µs). */
    public Outage tcpOutage(long faultMicros, long fromMicros, long toMicros) {
        return outage(tcpReached, faultMicros, fromMicros, toMicros);
    }

    static Outage outage(List<Long> answers, long faultMicros, long fromMicros, long toMicros) {
        List<Long> w = new ArrayList<>();
        synchronized (answers) {
            for (long a : answers) {
                if (a >= fromMicros && a <= toMicros) {
                    w.add(a);
                }
            }
        }
        double gap = Double.NaN;
        double after = Double.NaN;
        for (int i = 1; i < w.size(); i++) {
            long g = w.get(i) - w.get(i - 1);
            if (w.get(i) > faultMicros && (Double.isNaN(gap) || g / 1000.0 > gap)) {
                gap = g / 1000.0;
                after = (w.get(i) - faultMicros) / 1000.0;
            }
        }
        return new Outage(gap, after);
    }

    @Override
    public void close() {
        running = false;
        Process p = ping;
        if (p != null) {
            p.destroyForcibly();
        }
        ClientProbe.interruptAndJoin(threads);
    }
}
