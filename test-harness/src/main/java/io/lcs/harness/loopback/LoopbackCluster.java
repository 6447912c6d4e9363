package io.lcs.harness.loopback;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Real lcsd processes on loopback (node i binds 127.0.0.i), each with its own config, state
 * directory and a simulated network actuator journaling to a file (so nothing touches real
 * interfaces). Started from the test JVM's own classpath. Every wait is bounded; {@link #close()}
 * kills the processes it started, by handle.
 */
public final class LoopbackCluster implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One node of the cluster. */
    public final class Node {
        public final String name;
        public final String ip;
        public final boolean witness;
        public final Path dir;
        public final Path config;
        public final Path journal;
        public final Path log;
        public Process process;

        Node(String name, String ip, boolean witness, Path dir) {
            this.name = name;
            this.ip = ip;
            this.witness = witness;
            this.dir = dir;
            this.config = dir.resolve("lcs.conf");
            this.journal = dir.resolve("actuator.jsonl");
            this.log = dir.resolve("lcsd.log");
        }

        public String adminUrl() {
            return "http://" + ip + ":" + adminPort;
        }

        public String metricsUrl() {
            return "http://" + ip + ":" + metricsPort + "/metrics";
        }

        public boolean alive() {
            return process != null && process.isAlive();
        }

        /** The admin token lcsd creates in its state directory: changes through the API need it. */
        /** The daemon's java.io.tmpdir: what it leaves there (even when killed) is visible to the tests. */
        public Path tmpDir() {
            return dir.resolve("tmp");
        }

        public Path adminTokenFile() {
            return dir.resolve("state").resolve("admin.token");
        }
    }

    private final Path root;
    private final List<Node> nodes = new ArrayList<>();
    private final int peerPort;
    private final int adminPort;
    private final int metricsPort;
    private final String vipsSection;
    private final String extraCluster;
    private final Map<String, String> environment = new LinkedHashMap<>();

    /**
     * @param spec node names; a trailing {@code *} makes a quorum-only witness (e.g. {@code "c*"})
     * @param vipsSection lcs.conf {@code [vip ...]} sections to append (may be empty)
     * @param extraCluster extra {@code [cluster]} lines, e.g. {@code "secret = ..."}
     */
    public LoopbackCluster(Path root, List<String> spec, String vipsSection, String extraCluster) throws IOException {
        this.root = root;
        this.peerPort = freePort();
        this.adminPort = freePort();
        this.metricsPort = freePort();
        this.vipsSection = vipsSection;
        this.extraCluster = extraCluster;
        int i = 1;
        for (String s : spec) {
            String name = s.replace("*", "");
            Path dir = root.resolve(name);
            Files.createDirectories(dir);
            nodes.add(new Node(name, "127.0.0." + i++, s.endsWith("*"), dir));
        }
        for (Node n : nodes) {
            Files.writeString(n.config, config(n));
        }
    }

    private String config(Node self) {
        StringBuilder sb = new StringBuilder();
        sb.append("[cluster]\nname = looptest\nnode = ").append(self.name).append("\nbind = ").append(self.ip)
                .append("\nport = ").append(peerPort)
                .append("\nstate_dir = ").append(self.dir.resolve("state").toAbsolutePath())
                .append("\nadmin_bind = ").append(self.ip).append("\nadmin_port = ").append(adminPort)
                .append("\nmetrics = true\nmetrics_bind = ").append(self.ip).append("\nmetrics_port = ")
                .append(metricsPort).append('\n').append(extraCluster).append('\n');
        for (Node n : nodes) {
            sb.append("\n[node ").append(n.name).append("]\nrole = ").append(n.witness ? "quorum-only" : "full-member")
                    .append("\naddress = ").append(n.ip).append('\n');
        }
        sb.append('\n').append(vipsSection).append('\n');
        return sb.toString();
    }

    public List<Node> nodes() {
        return nodes;
    }

    public Node node(String name) {
        return nodes.stream().filter(n -> n.name.equals(name)).findFirst().orElseThrow();
    }

    public int peerPort() {
        return peerPort;
    }

    public void startAll() throws IOException {
        for (Node n : nodes) {
            start(n);
        }
    }

    /**
     * Sets an environment variable for every lcsd started from now on (e.g.
     * {@link LoopbackLcsd#TAKEN_ENV}); already running processes keep theirs.
     */
    public void environment(String name, String value) {
        environment.put(name, value);
    }

    /**
     * The lcsd command line of {@code n}: the test JVM's java and classpath, small heap, {@code -v},
     * through {@link LoopbackLcsd} (the simulated actuator journaling to {@code n.journal}).
     */
    public List<String> command(Node n) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ArrayList<>(List.of(java, "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Djava.io.tmpdir=" + n.tmpDir(), "-cp", System.getProperty("java.class.path"),
                LoopbackLcsd.class.getName(), "-c",
                n.config.toString(), "-v"));
    }

    public void start(Node n) throws IOException {
        n.process = startProcess(n, n.log);
    }

    /**
     * Starts one more lcsd with {@code n}'s config and environment, output (stdout and stderr)
     * appended to {@code log}, without recording it as {@code n}'s process: the caller owns it and
     * must kill it (e.g. a second daemon on the same state directory, which must refuse to run).
     */
    public Process startProcess(Node n, Path log) throws IOException {
        Files.createDirectories(n.tmpDir());
        ProcessBuilder pb = new ProcessBuilder(command(n)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put(LoopbackLcsd.JOURNAL_ENV, n.journal.toAbsolutePath().toString());
        pb.environment().putAll(environment);
        return pb.start();
    }

    /** SIGTERM and wait (bounded); the daemon releases its VIPs first. */
    public void stop(Node n) throws InterruptedException {
        if (n.process != null && n.process.isAlive()) {
            n.process.destroy();
            if (!n.process.waitFor(15, TimeUnit.SECONDS)) {
                n.process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    /** kill -9. */
    public void kill(Node n) throws InterruptedException {
        if (n.process != null && n.process.isAlive()) {
            n.process.destroyForcibly();
            n.process.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (Node n : nodes) {
            kill(n);
        }
    }

    // ------------------------------------------------------------------ admin API

    /** GET a JSON resource from a node's admin API; null when unreachable. */
    public JsonNode get(Node n, String path) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(n.adminUrl() + path).toURL().openConnection();
            c.setConnectTimeout(500);
            c.setReadTimeout(2000);
            try (InputStream in = c.getResponseCode() < 400 ? c.getInputStream() : c.getErrorStream()) {
                return in == null ? null : JSON.readTree(in);
            }
        } catch (IOException e) {
            return null;
        }
    }

    /** POST a body; returns (status, JSON body). */
    public Map.Entry<Integer, JsonNode> post(Node n, String path, String contentType, String body) throws IOException {
        return request(n, "POST", path, contentType, body);
    }

    /**
     * One admin API request (connect timeout 1 s, read timeout 10 s) with the node's admin token, as
     * {@code lcs} run as root sends it; {@code body} may be null. Returns (status, JSON body or a JSON
     * null when there is none).
     */
    public Map.Entry<Integer, JsonNode> request(Node n, String method, String path, String contentType, String body)
            throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(n.adminUrl() + path).toURL().openConnection();
        c.setConnectTimeout(1000);
        c.setReadTimeout(10_000);
        c.setRequestMethod(method);
        if (Files.isReadable(n.adminTokenFile())) {
            c.setRequestProperty("Authorization", "Bearer " + Files.readString(n.adminTokenFile()).strip());
        }
        if (body != null) {
            c.setDoOutput(true);
            c.setRequestProperty("Content-Type", contentType);
            try (OutputStream out = c.getOutputStream()) {
                out.write(body.getBytes(StandardCharsets.UTF_8));
            }
        }
        int code = c.getResponseCode();
        try (InputStream in = code < 400 ? c.getInputStream() : c.getErrorStream()) {
            byte[] bytes = in == null ? new byte[0] : in.readAllBytes();
            return Map.entry(code, bytes.length == 0 ? JSON.nullNode() : JSON.readTree(bytes));
        } finally {
            c.disconnect();
        }
    }

    /** The text of {@code n}'s /metrics (Prometheus text 0.0.4), or null when unreachable. */
    public String metrics(Node n) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(n.metricsUrl()).toURL().openConnection();
            c.setConnectTimeout(500);
            c.setReadTimeout(5000);
            if (c.getResponseCode() != 200) {
                return null;
            }
            try (InputStream in = c.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            return null;
        }
    }

    public JsonNode status(Node n) {
        return get(n, "/api/v1/status");
    }

    /** The VIP's owner as {@code n} reports it, or null. */
    public String owner(Node n, String vip) {
        JsonNode s = status(n);
        if (s == null) {
            return null;
        }
        for (JsonNode v : s.path("vips")) {
            if (v.path("name").asText().equals(vip)) {
                return v.hasNonNull("owner") ? v.path("owner").asText() : null;
            }
        }
        return null;
    }

    public long epoch(Node n, String vip) {
        JsonNode s = status(n);
        if (s != null) {
            for (JsonNode v : s.path("vips")) {
                if (v.path("name").asText().equals(vip)) {
                    return v.path("epoch").asLong();
                }
            }
        }
        return -1;
    }

    /**
     * Waits until {@code viewer} has seen {@code owner} renew its lease of {@code vip} {@code
     * renewals} times at {@code epoch} (the grant's remaining time going up between two reads),
     * bounded by {@code timeout}: the positive marker that the cluster went on working, after which a
     * test may check that nothing moved. Stops at once if {@code viewer} sees another owner or epoch.
     *
     * @return null when seen, else what went wrong (another owner or epoch, or how many renewals were seen)
     */
    public String awaitRenewalsSeenBy(Node viewer, String vip, String owner, long epoch, int renewals,
                                      Duration timeout) throws InterruptedException {
        double[] last = {Double.NaN};
        int[] seen = {0};
        String[] problem = {null};
        await(timeout, () -> {
            JsonNode v = null;
            JsonNode s = status(viewer);
            for (JsonNode x : s == null ? List.<JsonNode>of() : s.path("vips")) {
                if (x.path("name").asText().equals(vip)) {
                    v = x;
                }
            }
            if (v == null || !v.hasNonNull("owner")) {
                return false;
            }
            if (!owner.equals(v.path("owner").asText()) || epoch != v.path("epoch").asLong()) {
                problem[0] = viewer.name + " sees " + vip + " with owner " + v.path("owner").asText() + " at epoch "
                        + v.path("epoch").asLong() + ", not " + owner + " at " + epoch + ": " + v;
                return true;
            }
            double remaining = v.path("leaseRemainingSeconds").asDouble(Double.NaN);
            if (!Double.isNaN(last[0]) && remaining > last[0] + 0.1) {
                seen[0]++;
            }
            last[0] = remaining;
            return seen[0] >= renewals;
        });
        if (problem[0] == null && seen[0] < renewals) {
            problem[0] = viewer.name + " saw " + seen[0] + " of " + renewals + " renewals of " + owner + "'s lease of "
                    + vip + " within " + timeout;
        }
        return problem[0];
    }

    /**
     * Whether {@code viewer}'s status says {@code node} is in its post-restart wait; true while
     * {@code viewer} does not answer or does not list it (not settled either way).
     */
    public boolean restarting(Node viewer, String node) {
        JsonNode s = status(viewer);
        if (s == null) {
            return true;
        }
        for (JsonNode n : s.path("nodes")) {
            if (n.path("name").asText().equals(node)) {
                return n.path("restarting").asBoolean(false);
            }
        }
        return true;
    }

    public boolean hasQuorum(Node n) {
        JsonNode s = status(n);
        return s != null && s.path("quorum").path("present").asBoolean(false);
    }

    /** True if {@code n} answers, has quorum and sees every configured node online. */
    public boolean quorumWithEveryNodeOnline(Node n) {
        JsonNode s = status(n);
        if (s == null || !s.path("quorum").path("present").asBoolean(false)) {
            return false;
        }
        int online = 0;
        for (JsonNode node : s.path("nodes")) {
            if (node.path("online").asBoolean(false)) {
                online++;
            }
        }
        return online == nodes.size();
    }

    /** Polls {@code condition} every 20 ms until it holds or {@code timeout} passes. */
    public static boolean await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(20);
        }
        return condition.getAsBoolean();
    }

    /**
     * Every operation a node's simulated actuator journaled, oldest first. Safe while the daemon
     * writes: only complete (newline-terminated) lines are read.
     */
    public List<JsonNode> journal(Node n) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.exists(n.journal)) {
            return out;
        }
        String text = Files.readString(n.journal);
        int complete = text.lastIndexOf('\n') + 1;
        for (String line : text.substring(0, complete).split("\n")) {
            if (!line.isBlank()) {
                out.add(JSON.readTree(line));
            }
        }
        return out;
    }

    public String logOf(Node n) {
        try {
            return Files.exists(n.log) ? Files.readString(n.log) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Tail of every node's log, for assertion messages. */
    public String logs() {
        StringBuilder sb = new StringBuilder();
        for (Node n : nodes) {
            String l = logOf(n);
            sb.append("---- ").append(n.name).append(" ----\n")
                    .append(l.length() > 4000 ? l.substring(l.length() - 4000) : l);
        }
        return sb.toString();
    }

    public Map<String, String> owners(String vip) {
        Map<String, String> m = new LinkedHashMap<>();
        for (Node n : nodes) {
            if (n.alive()) {
                m.put(n.name, owner(n, vip));
            }
        }
        return m;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }
}
