package io.lcs.harness.netns;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lcs.reconcilers.process.CommandResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Records, from every node namespace's kernel, the intervals during which each node holds each
 * VIP address on any interface. Never asks lcsd.
 *
 * <p>Primary source: one {@code ip -ts -n NS monitor address} per node (TZ=UTC), whose lines carry
 * the wall-clock microsecond at which {@code ip} received the kernel's netlink event — adds,
 * lifetime refreshes (shown as adds), {@code Deleted} lines, kernel expiry included. Cross-check:
 * every {@link #POLL_INTERVAL} a {@code ip -j -n NS addr show} per node; a disagreement with the
 * monitor's state that persists over two polls (a missed event) is corrected at the poll's time
 * and counted in {@link #discrepancies()} (expected 0). Precision of an interval end is the
 * netlink delivery plus {@code ip}'s read, well under a millisecond when the host is not
 * overloaded; with discrepancies it degrades to 2 x {@link #POLL_INTERVAL}.
 *
 * <p>Thread-safe: reader threads write under this object's lock, callers read snapshots.
 */
public final class OwnershipSampler implements AutoCloseable {
    public static final Duration POLL_INTERVAL = Duration.ofMillis(200);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern EVENT = Pattern.compile(
            "^\\[(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6})\\]\\s*(Deleted\\s+)?\\d+:\\s+(\\S+)\\s+(inet6?)\\s+([0-9A-Fa-f:.]+)/\\d+");

    /** One holding: {@code node} held {@code vip} from {@code fromMicros} to {@code toMicros} (-1 = still). */
    public record Interval(String vip, String node, long fromMicros, long toMicros) {
        public long endOr(long now) {
            return toMicros < 0 ? now : toMicros;
        }
    }

    private final Cluster cluster;
    private final RunRegistry registry;
    private final Map<String, String> vipByAddress = new HashMap<>();
    /** (vip, node) -> open since (wall µs). */
    private final Map<String, Map<String, Long>> open = new LinkedHashMap<>();
    private final List<Interval> closed = new ArrayList<>();
    /** Poll-observed disagreement seen once: key vip|node -> observed present. */
    private final Map<String, Boolean> suspect = new HashMap<>();
    private final List<Process> monitors = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;
    private int discrepancies;
    private long events;
    private final List<String> problems = new ArrayList<>();

    public OwnershipSampler(Cluster cluster, RunRegistry registry) {
        this.cluster = cluster;
        this.registry = registry;
        for (Vip v : cluster.vips()) {
            vipByAddress.put(canonical(v.address()), v.name());
            open.put(v.name(), new LinkedHashMap<>());
        }
    }

    /** Starts the monitors, then takes one poll as the initial state. */
    public void start() {
        running = true;
        for (Cluster.Node n : cluster.nodes()) {
            ProcessBuilder pb = new ProcessBuilder(List.of("ip", "-ts", "-n", Netns.checkName(n.ns), "monitor",
                    "address")).redirectErrorStream(true);
            pb.environment().put("TZ", "UTC");
            pb.environment().put("LC_ALL", "C");
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                throw new HarnessException("cannot start ip monitor in " + n.ns + ": " + e.getMessage(), e);
            }
            registry.process(p, "ip-monitor-" + n.name);
            monitors.add(p);
            Thread t = new Thread(() -> readMonitor(n.name, p), "sampler-" + n.name);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        try {
            Thread.sleep(100); // let the monitors subscribe before the first poll
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pollOnce(true);
        Thread poller = new Thread(this::pollLoop, "sampler-poll");
        poller.setDaemon(true);
        poller.start();
        threads.add(poller);
    }

    private void readMonitor(String node, Process p) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                Matcher m = EVENT.matcher(line);
                if (!m.find()) {
                    continue;
                }
                String vip = vipByAddress.get(canonical(m.group(5)));
                if (vip == null) {
                    continue;
                }
                long at = LocalDateTime.parse(m.group(1)).toInstant(ZoneOffset.UTC).toEpochMilli() * 1000
                        + Long.parseLong(m.group(1).substring(m.group(1).length() - 3));
                record(vip, node, m.group(2) == null, at, false);
            }
        } catch (IOException e) {
            if (running) {
                problem("ip monitor of " + node + " failed: " + e.getMessage());
            }
        }
        if (running) {
            problem("ip monitor of " + node + " ended while the run was going on");
        }
    }

    private synchronized void record(String vip, String node, boolean present, long at, boolean fromPoll) {
        events++;
        Map<String, Long> holders = open.get(vip);
        Long since = holders.get(node);
        if (present && since == null) {
            holders.put(node, at);
        } else if (!present && since != null) {
            holders.remove(node);
            closed.add(new Interval(vip, node, since, Math.max(at, since)));
        }
        if (!fromPoll) {
            suspect.remove(vip + "|" + node);
        }
    }

    private void pollLoop() {
        while (running) {
            try {
                Thread.sleep(POLL_INTERVAL.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            try {
                if (running) {
                    pollOnce(false);
                }
            } catch (HarnessException e) {
                if (running) {
                    problem("poll failed: " + e.getMessage());
                }
                return;
            }
        }
    }

    /** Reads every node's addresses; corrects the monitor's state if it disagreed twice in a row. */
    private void pollOnce(boolean initial) {
        for (Cluster.Node n : cluster.nodes()) {
            long at = WallMicros.now();
            CommandResult r = Netns.run(Netns.COMMAND_TIMEOUT, List.of("ip", "-j", "-n", n.ns, "addr", "show"));
            if (!r.ok()) {
                if (running) {
                    problem("poll of " + n.name + " failed: " + r.stderrLine());
                }
                continue;
            }
            java.util.Set<String> present = new java.util.HashSet<>();
            try {
                for (JsonNode link : JSON.readTree(r.stdout())) {
                    for (JsonNode a : link.path("addr_info")) {
                        String vip = vipByAddress.get(canonical(a.path("local").asText()));
                        if (vip != null) {
                            present.add(vip);
                        }
                    }
                }
            } catch (IOException e) {
                problem("poll of " + n.name + ": bad JSON: " + e.getMessage());
                continue;
            }
            synchronized (this) {
                for (String vip : open.keySet()) {
                    boolean monitorSays = open.get(vip).containsKey(n.name);
                    boolean kernelSays = present.contains(vip);
                    String key = vip + "|" + n.name;
                    if (monitorSays == kernelSays) {
                        suspect.remove(key);
                    } else if (initial) {
                        record(vip, n.name, kernelSays, at, true);
                    } else if (Boolean.valueOf(kernelSays).equals(suspect.get(key))) {
                        discrepancies++;
                        problem("monitor missed an event: " + n.name + " " + (kernelSays ? "holds" : "no longer holds")
                                + " " + vip + " (corrected at poll time)");
                        record(vip, n.name, kernelSays, at, true);
                        suspect.remove(key);
                    } else {
                        suspect.put(key, kernelSays);
                    }
                }
            }
        }
    }

    private synchronized void problem(String s) {
        if (problems.size() < 100) {
            problems.add(s);
        }
    }

    /** Nodes whose kernel holds {@code vip} now (per the monitors). */
    public synchronized TreeSet<String> holders(String vip) {
        return new TreeSet<>(open.get(vip).keySet());
    }

    /** Every interval so far; open ones have {@code toMicros = -1}. */
    public synchronized List<Interval> intervals() {
        List<Interval> all = new ArrayList<>(closed);
        for (Map.Entry<String, Map<String, Long>> e : open.entrySet()) {
            for (Map.Entry<String, Long> h : e.getValue().entrySet()) {
                all.add(new Interval(e.getKey(), h.getKey(), h.getValue(), -1));
            }
        }
        return all;
    }

    public synchronized int discrepancies() {
        return discrepancies;
    }

    public synchronized long events() {
        return events;
    }

    public synchronized List<String> problems() {
        return new ArrayList<>(problems);
    }

    static String canonical(String address) {
        if (address.indexOf(':') < 0 && address.indexOf('.') < 0) {
            return address; // never a host name lookup
        }
        try {
            return InetAddress.getByName(address).getHostAddress();
        } catch (UnknownHostException e) {
            return address;
        }
    }

    @Override
    public void close() {
        running = false;
        for (Process p : monitors) {
            p.destroyForcibly();
        }
        for (Thread t : threads) {
            t.interrupt();
        }
        for (Process p : monitors) {
            try {
                p.waitFor(2, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
