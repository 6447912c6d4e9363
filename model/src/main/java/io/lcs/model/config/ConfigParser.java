package io.lcs.model.config;

import io.lcs.model.Names;
import io.lcs.model.net.Cidr;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and validates lcs.conf, the INI format of the original C lcs.
 *
 * <p>Format: sections {@code [cluster]}, {@code [node NAME]}, {@code [group NAME]}, {@code [vip NAME]}; lines
 * {@code key = value}; comments start with {@code #} or {@code ;} on a whole line, or after a value
 * when preceded by whitespace ({@code secret = ab#c;d} keeps {@code ab#c;d}, {@code port = 1 # x}
 * is {@code 1}). Blank lines, surrounding whitespace, CRLF line ends and a UTF-8 byte-order mark are
 * accepted. Keys are lower case. Booleans are {@code true/false/yes/no/on/off/1/0}.
 *
 * <p>Contract: the parser does no I/O: it is given the text (or bytes) and a file name to name in
 * its messages; it never reads a file (lcs.conf, the secret file: lcsd's {@code ConfigLoader} and
 * the CLI do), never resolves host names, and never throws anything but {@link ConfigException}
 * for bad input. It reports every error it finds (up to {@link #MAX_ERRORS}) sorted by line,
 * not just the first. Stateless and thread-safe.
 *
 * <p>Defaults: {@code port} {@value #DEFAULT_PORT}, {@code lease_ms} {@value #DEFAULT_LEASE_MILLIS},
 * {@code renew_ms} {@value #DEFAULT_RENEW_MILLIS}, {@code hook_timeout_ms}
 * {@value #DEFAULT_HOOK_TIMEOUT_MILLIS}, {@code probe_ms} {@value #DEFAULT_PROBE_MILLIS},
 * {@code metrics} false (exposition is opt-in, as the original README's "Enable this for prometheus
 * metrics" implies: an endpoint nobody asked for is attack surface), {@code metrics_bind} and
 * {@code admin_bind} 127.0.0.1, {@code metrics_port} {@value #DEFAULT_METRICS_PORT}, {@code admin_port}
 * {@value #DEFAULT_ADMIN_PORT}, {@code state_dir} {@value #DEFAULT_STATE_DIR}, {@code bind} empty (all
 * addresses), {@code console} read-only ({@link ConsoleMode#DEFAULT}).
 */
public final class ConfigParser {
    public static final int DEFAULT_PORT = 3322;
    public static final int DEFAULT_LEASE_MILLIS = 2000;
    public static final int DEFAULT_RENEW_MILLIS = 500;
    public static final int DEFAULT_HOOK_TIMEOUT_MILLIS = 5000;
    public static final int DEFAULT_PROBE_MILLIS = 250;
    public static final int DEFAULT_METRICS_PORT = 9120;
    public static final int DEFAULT_ADMIN_PORT = 9121;
    public static final String DEFAULT_LOOPBACK = "127.0.0.1";
    public static final String DEFAULT_STATE_DIR = "/var/lib/lcs";
    /**
     * Where hooks named by {@code lcs apply} manifests may live ({@code hook_dirs}): next to lcs's
     * own configuration, and the FHS places for the helper programs of a local or packaged install.
     */
    public static final List<String> DEFAULT_HOOK_DIRS = List.of("/etc/lcs/hooks", "/usr/local/libexec/lcs",
            "/usr/libexec/lcs");

    /**
     * The shortest lease the kernel fence allows (docs/architecture.md, "The kernel fence"): the owner sets valid_lft to
     * whole seconds, at least 1, minus a slack, and the kernel may remove the address up to 0.25 s
     * late; all of that must end before any acceptor's lease does. 1 s + 0.15 s slack + 0.25 s.
     */
    public static final int MIN_LEASE_MILLIS = 1400;
    /**
     * What a lease must hold besides the duplicate-address probe for a node to activate a VIP at all:
     * after acquiring the lease it probes ({@code probe_ms} plus the tool's start), then adds the
     * address with a kernel lifetime of at least one whole second while keeping 0.35 s of the lease
     * back (the kernel fence's slack), and the lease it holds is already shorter than lease_ms by
     * the drift bound and the round's time. 1 s + 0.35 s + 0.25 s for the tool, the drift and the add
     * (measured: with lease_ms 1400 and probe_ms 100 no VIP ever became active). So lease_ms must be
     * at least {@code probe_ms} + this.
     */
    public static final int ACTIVATION_MILLIS_BESIDES_PROBE = 1600;
    /** Ten minutes: a longer lease means a failover slower than any operator would accept. */
    public static final int MAX_LEASE_MILLIS = 600_000;
    /** Ten minutes: a hook that runs longer is hung, not slow. */
    public static final int MAX_HOOK_TIMEOUT_MILLIS = 600_000;
    /**
     * The probe window adds straight onto failover time (docs/architecture.md, "Measured facts");
     * 10 s is already absurd.
     */
    public static final int MAX_PROBE_MILLIS = 10_000;
    /** lcs is for small clusters of 2 to 15 nodes (docs/architecture.md); every node talks to every other. */
    public static final int MAX_NODES = 15;
    /**
     * Bounds memory and per-tick work; lease batching is sized for about 1,000 VIPs
     * (docs/architecture.md, "Leases").
     */
    public static final int MAX_VIPS = 4096;
    /** A config file is a few KiB; a megabyte is a mistake (wrong file), not a config. */
    public static final int MAX_FILE_BYTES = 1 << 20;
    /** Longer lines are refused so one bad line cannot flood a log or cost quadratic time. */
    public static final int MAX_LINE_CHARS = 4096;
    /** Errors beyond this are counted, not listed: a binary file fed by mistake must not print megabytes. */
    public static final int MAX_ERRORS = 100;
    /** Linux IFNAMSIZ is 16 including the terminating NUL. */
    public static final int MAX_INTERFACE_NAME = 15;

    private static final List<String> CLUSTER_KEYS = List.of("name", "node", "bind", "port", "secret",
            "secret_file", "lease_ms", "renew_ms", "hook_timeout_ms", "probe_ms", "metrics", "metrics_bind",
            "metrics_port", "admin_bind", "admin_port", "admin_token_file", "state_dir", "hook_dirs", "console",
            "failback_settle_ms",
            // the C lcs's keys: accepted with their meaning where lcs has one, else a warning says what lcs does
            "socket", "pidfile", "peer_timeout_ms", "probe_count", "probe_timeout_ms", "syslog", "vip_backend");
    /** Default {@code failback_settle_ms}: a home node that came back must stay up this long before failback. */
    public static final int DEFAULT_FAILBACK_SETTLE_MILLIS = 10_000;
    private static final List<String> NODE_KEYS = List.of("role", "address", "port");
    private static final List<String> VIP_KEYS = List.of("address", "interface", "pre_start", "post_start",
            "pre_stop", "post_stop", "preferred_nodes", "group", "priority", "home_node", "depends_on", "depends-on",
            "checks", "on_no_healthy_node", "announce");
    /** A {@code [service]} has a unit instead of an address and interface (given there, they are an error of their own). */
    private static final List<String> SERVICE_KEYS = List.of("systemd_unit", "unit", "address", "interface",
            "pre_start", "post_start", "pre_stop", "post_stop", "preferred_nodes", "group", "priority", "home_node",
            "depends_on", "depends-on", "checks", "on_no_healthy_node");
    /** systemd's unit name limit is 255; the C lcs allowed 63 (a longer name there was an error). */
    public static final int MAX_UNIT_NAME = UnitNames.MAX_UNIT_NAME;
    private static final List<String> GROUP_KEYS = List.of("type", "mode");
    /** At most this many {@code [group]} sections. */
    public static final int MAX_GROUPS = 1024;
    /** sockaddr_un's sun_path holds 108 bytes with the terminating NUL. */
    private static final int MAX_UNIX_SOCKET_PATH = 108;
    /** Keys whose empty value means "all addresses". */
    private static final Set<String> EMPTY_ALLOWED = Set.of("bind", "metrics_bind", "admin_bind");
    private static final List<String> SECTION_KINDS = List.of("cluster", "node", "group", "vip", "service", "check");
    private static final Pattern NUMBER = Pattern.compile("[0-9]{1,9}");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    private static final Pattern DIGITS_AND_DOTS = Pattern.compile("[0-9.]+");
    private static final Pattern LIST_SEPARATOR = Pattern.compile("[,\\s]+");

    private ConfigParser() {
    }

    /**
     * Validates {@code content}, the bytes of a config file called {@code fileName} (read by the
     * caller: this class does no I/O), as UTF-8 text.
     *
     * @param fileName used only in error messages and {@link ClusterConfig#file()}
     * @throws ConfigException if it is larger than {@link #MAX_FILE_BYTES}, not UTF-8, or invalid
     */
    public static ClusterConfig parse(String fileName, byte[] content) {
        String name = fileName == null ? "<config>" : fileName;
        if (content.length > MAX_FILE_BYTES) {
            throw new ConfigException(new ConfigError(name, 0,
                    "file is larger than the limit of " + MAX_FILE_BYTES + " bytes; is it the right file?"));
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(content)).toString();
        } catch (CharacterCodingException e) {
            int line = 1;
            int bad = firstInvalidUtf8(content);
            for (int i = 0; i < bad; i++) {
                if (content[i] == '\n') {
                    line++;
                }
            }
            throw new ConfigException(new ConfigError(name, line, "not valid UTF-8 text (byte offset " + bad + ")"));
        }
        return parse(name, text);
    }

    /**
     * Validates {@code text} as the content of a config file called {@code fileName}.
     *
     * @param fileName used only in error messages and {@link ClusterConfig#file()}
     * @throws ConfigException listing every error found
     */
    public static ClusterConfig parse(String fileName, String text) {
        return new Run(fileName == null ? "<config>" : fileName).parse(text == null ? "" : text);
    }

    /**
     * One line of input: {@code key = value}.
     *
     * @param commentOnly the value is empty because everything after '=' was a comment
     */
    private record Entry(String key, String value, int line, boolean commentOnly) {
    }

    /** One section as lexed; {@code usable} is false for sections whose header was bad or duplicated. */
    private static final class Section {
        final String kind;
        final String name;
        final int line;
        final boolean usable;
        final Map<String, Entry> entries = new LinkedHashMap<>();
        /** Keys already reported (empty value): not reported again as missing. */
        final Set<String> reported = new HashSet<>();

        Section(String kind, String name, int line, boolean usable) {
            this.kind = kind;
            this.name = name;
            this.line = line;
            this.usable = usable;
        }

        String title() {
            return name == null ? "[" + kind + "]" : "[" + kind + " " + name + "]";
        }

        Entry get(String key) {
            return entries.get(key);
        }
    }

    /** The state of one parse: errors and warnings collected while walking the text. */
    private static final class Run {
        private final String file;
        private final List<ConfigError> errors = new ArrayList<>();
        private final List<ConfigError> warnings = new ArrayList<>();
        private int droppedErrors;

        private Section cluster;
        private final List<Section> nodeSections = new ArrayList<>();
        private final List<Section> vipSections = new ArrayList<>();
        private final List<Section> groupSections = new ArrayList<>();
        private final List<Section> checkSections = new ArrayList<>();

        Run(String file) {
            this.file = file;
        }

        void error(int line, String message) {
            if (errors.size() < MAX_ERRORS) {
                errors.add(new ConfigError(file, Math.max(0, line), message));
            } else {
                droppedErrors++;
            }
        }

        void warn(int line, String message) {
            warnings.add(new ConfigError(file, Math.max(0, line), message));
        }

        ClusterConfig parse(String text) {
            if (text.length() > MAX_FILE_BYTES) {
                error(0, "config is " + text.length() + " characters, larger than the limit of " + MAX_FILE_BYTES);
                throw failure();
            }
            lex(text);
            ClusterConfig config = validate();
            if (!errors.isEmpty()) {
                throw failure();
            }
            return config;
        }

        private ConfigException failure() {
            List<ConfigError> sorted = new ArrayList<>(errors);
            sorted.sort(Comparator.comparingInt(ConfigError::line));
            if (droppedErrors > 0) {
                sorted.add(new ConfigError(file, 0, droppedErrors + " more errors not shown (limit " + MAX_ERRORS + ")"));
            }
            return new ConfigException(sorted);
        }

        // ---------------------------------------------------------------- lexing

        private void lex(String text) {
            if (text.startsWith("\uFEFF")) {
                text = text.substring(1);
            }
            List<String> lines = splitLines(text);
            Map<String, Integer> sectionLines = new HashMap<>();
            Section current = null;
            for (int i = 0; i < lines.size(); i++) {
                int lineNo = i + 1;
                String raw = lines.get(i);
                if (raw.length() > MAX_LINE_CHARS) {
                    error(lineNo, "line is " + raw.length() + " characters long, more than the limit of " + MAX_LINE_CHARS);
                    continue;
                }
                String control = controlCharacter(raw);
                if (control != null) {
                    error(lineNo, control);
                    continue;
                }
                String s = stripComment(raw).strip();
                if (s.isEmpty()) {
                    continue;
                }
                if (s.charAt(0) == '[') {
                    current = header(s, lineNo, sectionLines);
                    continue;
                }
                int eq = s.indexOf('=');
                if (eq < 0) {
                    error(lineNo, "expected 'key = value' or a [section] header, found '" + Names.abbreviate(s) + "'");
                    continue;
                }
                String key = s.substring(0, eq).strip();
                String value = s.substring(eq + 1).strip();
                if (key.isEmpty()) {
                    error(lineNo, "missing key before '=' in '" + Names.abbreviate(s) + "'");
                    continue;
                }
                if (current == null) {
                    error(lineNo, "'" + Names.abbreviate(key) + "' is outside any section; put it under [cluster], "
                            + "[node NAME], [group NAME], [vip NAME], [service NAME] or [check NAME]");
                    continue;
                }
                if (!current.usable) {
                    continue; // the header was already reported; its keys would only repeat the noise
                }
                Entry first = current.entries.get(key);
                if (first != null) {
                    error(lineNo, "duplicate key '" + Names.abbreviate(key) + "' in " + current.title()
                            + " (first set on line " + first.line() + ")");
                    continue;
                }
                // a value that is only a comment is remembered so the "no value" error can say where it went
                boolean commentOnly = value.isEmpty() && !raw.substring(raw.indexOf('=') + 1).isBlank();
                current.entries.put(key, new Entry(key, value, lineNo, commentOnly));
            }
        }

        /** @return the section the following keys belong to (an unusable one if the header is bad) */
        private Section header(String s, int lineNo, Map<String, Integer> sectionLines) {
            Section broken = new Section("?", null, lineNo, false);
            if (!s.endsWith("]")) {
                error(lineNo, "section header '" + Names.abbreviate(s) + "' must end with ']'");
                return broken;
            }
            String inner = s.substring(1, s.length() - 1).strip();
            if (inner.isEmpty()) {
                error(lineNo, "empty section header; expected [cluster], [node NAME], [group NAME], [vip NAME], [service NAME] or [check NAME]");
                return broken;
            }
            String[] parts = WHITESPACE.split(inner);
            String kind = parts[0];
            if (!SECTION_KINDS.contains(kind)) {
                String hint = suggestion(kind, SECTION_KINDS);
                error(lineNo, "unknown section [" + Names.abbreviate(inner) + "]; expected [cluster], [node NAME], [group NAME], [vip NAME], [service NAME] or [check NAME]"
                        + (hint == null ? "" : " (did you mean [" + hint + (hint.equals("cluster") ? "" : " NAME") + "]?)"));
                return broken;
            }
            String name = null;
            boolean usable = true;
            if (kind.equals("cluster")) {
                if (parts.length > 1) {
                    error(lineNo, "[cluster] takes no name; set the cluster name with 'name = "
                            + Names.abbreviate(parts[1]) + "' inside it");
                    // still read it as the cluster section: its keys are probably right
                }
            } else if (parts.length == 1) {
                error(lineNo, "[" + kind + "] needs a name: [" + kind + " NAME]");
                return broken;
            } else if (parts.length > 2) {
                error(lineNo, "section name '" + Names.abbreviate(inner.substring(kind.length()).strip())
                        + "' must be a single word; names may only contain letters, digits, '_', '.' and '-'");
                return broken;
            } else {
                name = parts[1];
                String problem = Names.problem(name);
                if (problem != null) {
                    error(lineNo, "[" + kind + "] " + problem);
                    usable = false;
                }
            }
            String identity = name == null ? kind : kind + " " + name;
            Integer firstLine = sectionLines.putIfAbsent(identity, lineNo);
            if (firstLine != null) {
                error(lineNo, "duplicate section [" + Names.abbreviate(identity) + "] (first defined on line " + firstLine + ")");
                return broken;
            }
            Section section = new Section(kind, name, lineNo, usable);
            if (!usable) {
                return section;
            }
            switch (kind) {
                case "cluster" -> cluster = section;
                case "node" -> nodeSections.add(section);
                case "group" -> groupSections.add(section);
                case "check" -> checkSections.add(section);
                default -> vipSections.add(section); // vip and service: one list, the order of the file
            }
            return section;
        }

        // ---------------------------------------------------------------- validation

        private ClusterConfig validate() {
            List<Section> all = new ArrayList<>();
            if (cluster != null) {
                all.add(cluster);
            }
            all.addAll(nodeSections);
            all.addAll(groupSections);
            all.addAll(vipSections);
            all.addAll(checkSections);
            for (Section section : all) {
                checkKeys(section);
            }
            int clusterLine = cluster == null ? 0 : cluster.line;
            if (cluster == null) {
                error(0, "missing [cluster] section (it needs at least 'name' and 'node')");
            }
            Section c = cluster != null ? cluster : new Section("cluster", null, 0, true);

            // [cluster] values
            String name = required(c, "name", this::clusterName);
            Entry nodeEntry = c.get("node");
            String nodeName = required(c, "node", e -> nameValue(e, "node"));
            String bind = optional(c, "bind", "", this::ipOrAll);
            Integer port = optional(c, "port", DEFAULT_PORT, e -> integer(e, 1, 65535, ""));
            String secret = optional(c, "secret", null, Entry::value);
            String secretFile = optional(c, "secret_file", null, this::absolutePath);
            Integer lease = optional(c, "lease_ms", DEFAULT_LEASE_MILLIS, this::leaseMillis);
            Integer renew = optional(c, "renew_ms", DEFAULT_RENEW_MILLIS, e -> integer(e, 1, MAX_LEASE_MILLIS, " ms"));
            Integer hookTimeout = optional(c, "hook_timeout_ms", DEFAULT_HOOK_TIMEOUT_MILLIS,
                    e -> integer(e, 1, MAX_HOOK_TIMEOUT_MILLIS, " ms"));
            // probe_timeout_ms (C lcs) is how long one probe waits for an answer: probe_ms here
            Integer probe = optional(c, c.get("probe_ms") == null && c.get("probe_timeout_ms") != null ? "probe_timeout_ms"
                    : "probe_ms", DEFAULT_PROBE_MILLIS, e -> integer(e, 1, MAX_PROBE_MILLIS, " ms"));
            // the key probe_ms was read from (probe_timeout_ms in a C-lcs file), or null: the default
            Entry probeSet = c.get("probe_ms") != null ? c.get("probe_ms") : c.get("probe_timeout_ms");
            if (c.get("lease_ms") == null && lease != null && probe != null && probeSet != null
                    && lease < probe + ACTIVATION_MILLIS_BESIDES_PROBE) {
                // a probe longer than the default lease allows (e.g. a C-lcs file, whose default
                // lease was 5000 ms): the default lease grows to fit rather than refuse the file
                lease = probe + ACTIVATION_MILLIS_BESIDES_PROBE;
                warn(probeSet.line(), probeSet.key() + " = " + probe + " needs a lease of at least probe_ms + "
                        + ACTIVATION_MILLIS_BESIDES_PROBE + ": lease_ms is not set, so it is " + lease
                        + " ms here instead of " + DEFAULT_LEASE_MILLIS + " (set lease_ms to choose)");
            }
            Integer failbackSettle = optional(c, "failback_settle_ms", DEFAULT_FAILBACK_SETTLE_MILLIS,
                    e -> integer(e, 0, 3_600_000, " ms"));
            Boolean metrics = optional(c, "metrics", false, this::bool);
            String metricsBind = optional(c, "metrics_bind", DEFAULT_LOOPBACK, this::ipOrAll);
            Integer metricsPort = optional(c, "metrics_port", DEFAULT_METRICS_PORT, e -> integer(e, 1, 65535, ""));
            String adminBind = optional(c, "admin_bind", DEFAULT_LOOPBACK, this::ipOrAll);
            Integer adminPort = optional(c, "admin_port", DEFAULT_ADMIN_PORT, e -> integer(e, 1, 65535, ""));
            String adminTokenFile = optional(c, "admin_token_file", null, this::absolutePath);
            String stateDir = optional(c, "state_dir", DEFAULT_STATE_DIR, this::absolutePath);
            List<String> hookDirs = optional(c, "hook_dirs", DEFAULT_HOOK_DIRS, this::hookDirs);
            ConsoleMode console = optional(c, "console", ConsoleMode.DEFAULT, this::consoleMode);
            String pidFile = optional(c, "pidfile", null, this::absolutePath);
            cLcsKeys(c, lease, renew);

            // secrets
            Entry secretEntry = c.get("secret");
            Entry secretFileEntry = c.get("secret_file");
            if (secretEntry != null && secretFileEntry != null) {
                Entry later = secretEntry.line() > secretFileEntry.line() ? secretEntry : secretFileEntry;
                Entry earlier = later == secretEntry ? secretFileEntry : secretEntry;
                error(later.line(), "'secret' and 'secret_file' are mutually exclusive ('" + earlier.key()
                        + "' is set on line " + earlier.line() + "); keep one");
            } else if (secretEntry == null && secretFileEntry == null && cluster != null) {
                warn(clusterLine, "no 'secret' or 'secret_file': cluster messages are not authenticated, any host "
                        + "that reaches the cluster port can take part; set secret_file = /etc/lcs/secret");
            } else if (secret != null && secret.getBytes(StandardCharsets.UTF_8).length < ClusterConfig.MIN_SECRET_BYTES) {
                error(secretEntry.line(), "secret is only " + secret.length() + " characters; use at least "
                        + ClusterConfig.MIN_SECRET_BYTES + " random characters (e.g. openssl rand -hex 16)");
            }

            // timing
            if (lease != null && renew != null) {
                Entry renewEntry = c.get("renew_ms");
                Entry leaseEntry = c.get("lease_ms");
                int line = renewEntry != null ? renewEntry.line() : leaseEntry != null ? leaseEntry.line() : clusterLine;
                if (renew >= lease) {
                    error(line, "renew_ms (" + renew + ") must be less than lease_ms (" + lease
                            + "): the owner must renew before its lease ends");
                } else if (renew > lease / 3) {
                    error(line, "renew_ms (" + renew + ") must be at most lease_ms / 3 (" + lease / 3
                            + "): the owner must still renew in time after two lost or late renewals; "
                            + "lower renew_ms or raise lease_ms");
                }
            }
            if (lease != null && probe != null && lease >= MIN_LEASE_MILLIS
                    && lease < probe + ACTIVATION_MILLIS_BESIDES_PROBE) {
                Entry leaseEntry = c.get("lease_ms");
                int line = leaseEntry != null ? leaseEntry.line() : probeSet != null ? probeSet.line() : clusterLine;
                int maxProbe = lease - ACTIVATION_MILLIS_BESIDES_PROBE;
                error(line, "lease_ms (" + lease + ") is too short for a probe of " + probe + " ms: after acquiring"
                        + " a lease a node probes for a duplicate address, then adds the address with a kernel lifetime"
                        + " of at least 1 s and 0.35 s of the lease kept back, so no VIP would ever become active;"
                        + " lease_ms must be at least probe_ms + " + ACTIVATION_MILLIS_BESIDES_PROBE + " ("
                        + (probe + ACTIVATION_MILLIS_BESIDES_PROBE) + ")" + (maxProbe >= 1
                        ? "; raise lease_ms or lower probe_ms to at most " + maxProbe : "; raise lease_ms"));
            }

            // nodes
            int defaultPort = port != null ? port : DEFAULT_PORT;
            List<NodeConfig> nodes = new ArrayList<>();
            Map<String, Section> nodeByName = new LinkedHashMap<>();
            for (Section s : nodeSections) {
                nodeByName.put(s.name, s);
                Role role = required(s, "role", this::role);
                String address = required(s, "address", this::hostOrIp);
                // as in the C lcs, [cluster] port is the default of the [node] sections that come after it
                int inherited = cluster != null && s.line < clusterLine ? DEFAULT_PORT : defaultPort;
                Integer nodePort = optional(s, "port", inherited, e -> integer(e, 1, 65535, ""));
                if (role != null && address != null && nodePort != null) {
                    nodes.add(new NodeConfig(s.name, role, address, nodePort, s.line));
                }
            }
            if (cluster != null && nodeSections.isEmpty()) {
                error(clusterLine, "no [node NAME] sections: list every cluster member, this one included");
            }
            if (nodeSections.size() > MAX_NODES) {
                error(nodeSections.get(MAX_NODES).line, nodeSections.size() + " nodes configured; lcs supports at most "
                        + MAX_NODES + " (every node exchanges heartbeats with every other)");
            }
            if (nodeName != null && !nodeByName.isEmpty() && !nodeByName.containsKey(nodeName)) {
                String hint = suggestion(nodeName, new ArrayList<>(nodeByName.keySet()));
                error(nodeEntry.line(), "node = " + nodeName + ": there is no [node " + nodeName + "] section"
                        + (hint != null ? " (did you mean '" + hint + "'?)" : " (nodes: " + String.join(", ", nodeByName.keySet()) + ")"));
            }
            if (!nodeSections.isEmpty() && nodes.size() == nodeSections.size()
                    && nodes.stream().noneMatch(n -> n.role() == Role.FULL_MEMBER)) {
                error(clusterLine, "no node has role = full-member: quorum-only nodes never hold a VIP, so at least one "
                        + "node must be a full member");
            }
            checkNodeEndpoints(nodes);
            if (!nodeSections.isEmpty()) {
                int voters = nodeSections.size();
                if (voters == 1) {
                    warn(clusterLine, "a single node cannot fail over; add nodes (a quorum-only witness is enough for the third vote)");
                } else if (voters == 2) {
                    warn(clusterLine, "2 voters: quorum needs both, so losing either node stops every VIP (no failover "
                            + "tolerance); add a third node, a quorum-only witness is recommended");
                } else if (voters % 2 == 0) {
                    warn(clusterLine, voters + " voters: an even count tolerates no more failures than " + (voters - 1)
                            + " and can split evenly; add a quorum-only witness or remove a node");
                }
            }

            // own node and listeners
            NodeConfig self = nodeName == null ? null
                    : nodes.stream().filter(n -> n.name().equals(nodeName)).findFirst().orElse(null);
            Entry bindEntry = c.get("bind");
            if (self != null && bind != null && !bind.isEmpty() && isIpLiteral(self.address())
                    && !bind.equals(self.address())) {
                warn(bindEntry.line(), "bind = " + bind + " is not the address of this node [node " + self.name()
                        + "] (" + self.address() + "); peers connect to " + self.address());
            }
            if (adminBind != null && c.get("admin_token_file") == null && !c.reported.contains("admin_token_file")
                    && !isLoopback(adminBind)) {
                Entry e = c.get("admin_bind");
                error(e == null ? clusterLine : e.line(), "admin_bind = " + (adminBind.isEmpty() ? "(all addresses)" : adminBind)
                        + " is not a loopback address: set admin_token_file so the admin API is not open to the network");
            }
            if (self != null && bind != null) {
                List<Listener> listeners = new ArrayList<>();
                listeners.add(new Listener("cluster port", bind, self.port(), lineOf(c, "port", "bind", clusterLine)));
                if (Boolean.TRUE.equals(metrics) && metricsBind != null && metricsPort != null) {
                    listeners.add(new Listener("metrics_port", metricsBind, metricsPort,
                            lineOf(c, "metrics_port", "metrics_bind", lineOf(c, "metrics", "metrics", clusterLine))));
                }
                if (adminBind != null && adminPort != null) {
                    listeners.add(new Listener("admin_port", adminBind, adminPort,
                            lineOf(c, "admin_port", "admin_bind", clusterLine)));
                }
                checkListeners(listeners);
            }

            // health checks, before the VIPs that name them
            List<CheckConfig> checks = checks();

            // VIPs
            Set<String> checkNames = new java.util.TreeSet<>();
            for (Section s : checkSections) {
                checkNames.add(s.name);
            }
            List<VipConfig> vips = new ArrayList<>();
            Map<String, NodeConfig> nodesByName = new HashMap<>();
            for (NodeConfig n : nodes) {
                nodesByName.put(n.name(), n);
            }
            List<GroupConfig> groups = groups();
            Map<String, Section> serviceByUnit = new HashMap<>();
            for (Section s : vipSections) {
                Grouping grouping = grouping(s);
                boolean service = s.kind.equals("service");
                String unit = service ? serviceUnit(s) : null;
                if (unit != null && !unit.isEmpty()) {
                    Section first = serviceByUnit.putIfAbsent(unit, s);
                    if (first != null) {
                        Entry e = s.get("systemd_unit") != null ? s.get("systemd_unit") : s.get("unit");
                        error(e != null ? e.line() : s.line, s.title() + ": " + unit + " is already the unit of "
                                + first.title() + " (line " + first.line + "): each service has its own lease, so"
                                + " two nodes would run the unit at once; give each unit one [service]");
                        unit = null;
                    }
                }
                Cidr address = service ? null : required(s, "address", this::vipAddress);
                String ifname = service ? null : required(s, "interface", this::interfaceName);
                String preStart = optional(s, "pre_start", null, this::absolutePath);
                String postStart = optional(s, "post_start", null, this::absolutePath);
                String preStop = optional(s, "pre_stop", null, this::absolutePath);
                String postStop = optional(s, "post_stop", null, this::absolutePath);
                List<String> preferred = optional(s, "preferred_nodes", List.of(),
                        e -> preferredNodes(e, nodeByName, nodesByName));
                List<String> vipChecks = optional(s, "checks", List.of(), e -> checkList(e, checkNames));
                Boolean stopWhenNoHealthyNode = optional(s, "on_no_healthy_node", false, this::onNoHealthyNode);
                Boolean announce = service ? Boolean.TRUE : optional(s, "announce", true, this::bool);
                if ("".equals(unit) && s.get("pre_start") == null && !s.reported.contains("pre_start")) {
                    error(s.line, s.title() + " has no systemd_unit, so it is a hook-only resource (its hooks attach"
                            + " and detach it at a provider) and needs pre_start = /PATH (the attach); or give"
                            + " systemd_unit = NAME.service");
                    unit = null;
                } else if ("".equals(unit) && s.get("post_stop") == null && !s.reported.contains("post_stop")) {
                    warn(s.line, s.title() + " is hook-only and has no post_stop: nothing detaches it when this node"
                            + " loses the lease; only the next owner's attach (with reassignment) moves it");
                }
                if ((service ? unit != null : address != null && ifname != null) && preferred != null
                        && vipChecks != null && stopWhenNoHealthyNode != null && announce != null) {
                    Map<String, Integer> keyLines = new LinkedHashMap<>();
                    for (Entry e : s.entries.values()) {
                        keyLines.put(e.key(), e.line());
                    }
                    vips.add(new VipConfig(s.name, address, ifname, preStart, postStart, preStop, postStop, preferred,
                            s.line, keyLines, grouping, vipChecks, stopWhenNoHealthyNode, unit, announce));
                }
            }
            checkResourceNames();
            if (vipSections.size() > MAX_VIPS) {
                error(vipSections.get(MAX_VIPS).line, vipSections.size() + " VIPs and services configured; the limit is " + MAX_VIPS);
            }
            checkVipAddresses(vips, nodes);
            checkGroupRules(vips, groups, nodes);

            if (!errors.isEmpty() || self == null) {
                if (errors.isEmpty()) {
                    error(clusterLine, "invalid configuration"); // unreachable in practice: every null above reported
                }
                return null;
            }
            warnings.sort(Comparator.comparingInt(ConfigError::line));
            return new ClusterConfig(file, name, nodeName, bind, port, secret, secretFile,
                    secretFileEntry == null ? 0 : secretFileEntry.line(), lease, renew, hookTimeout,
                    probe, metrics, metricsBind, metricsPort, console, adminBind, adminPort, adminTokenFile, stateDir, hookDirs,
                    pidFile, nodes, vips, checks, warnings, groups, failbackSettle,
                    c.get("syslog") != null && List.of("true", "yes", "on", "1")
                            .contains(c.get("syslog").value().toLowerCase(Locale.ROOT)));
        }

        /**
         * The C lcs's [cluster] keys that lcs reads differently or not at all: each valid value is
         * accepted with a warning saying what lcs does instead (a C-lcs file must keep working); an
         * invalid value is an error, as it was there.
         */
        private void cLcsKeys(Section c, Integer lease, Integer renew) {
            Entry socket = c.get("socket");
            if (socket != null && absolutePath(socket) != null) {
                if (socket.value().getBytes(StandardCharsets.UTF_8).length >= MAX_UNIX_SOCKET_PATH) {
                    error(socket.line(), "socket = " + Names.abbreviate(socket.value()) + " is longer than "
                            + (MAX_UNIX_SOCKET_PATH - 1) + " bytes (a Unix socket path)");
                } else {
                    warn(socket.line(), "socket: lcs has no control socket; the lcs command reaches lcsd through the"
                            + " admin API (admin_bind, admin_port) with the admin token, so this path is not created");
                }
            }
            Entry peerTimeout = c.get("peer_timeout_ms");
            if (peerTimeout != null && integer(peerTimeout, 1, MAX_LEASE_MILLIS, " ms") != null && lease != null
                    && renew != null) {
                warn(peerTimeout.line(), "peer_timeout_ms: lcs declares a peer down after " + derivedPeerTimeoutMillis(lease, renew)
                        + " ms (the larger of 4 heartbeats and lease_ms / 2), not after this value: a dead owner's VIPs move"
                        + " when its lease ends, and the quorum view follows within half a lease");
            }
            Entry probeCount = c.get("probe_count");
            if (probeCount != null && integer(probeCount, 0, 100, "") != null) {
                warn(probeCount.line(), "probe_count: lcs sends one duplicate-address probe and waits probe_ms for an"
                        + " answer (probe_timeout_ms of the C lcs is read as probe_ms)");
            }
            Entry probeTimeout = c.get("probe_timeout_ms");
            if (probeTimeout != null && c.get("probe_ms") != null) {
                warn(probeTimeout.line(), "probe_timeout_ms is ignored: probe_ms is set (line " + c.get("probe_ms").line()
                        + ") and says the same");
            }
            Entry syslog = c.get("syslog");
            if (syslog != null) {
                bool(syslog); // true: lines also go to the system log (through logger(1)); a bad value is an error
            }
            Entry backend = c.get("vip_backend");
            if (backend != null) {
                if (!backend.value().equals("netlink") && !backend.value().equals("ip")) {
                    error(backend.line(), "vip_backend = '" + Names.abbreviate(backend.value()) + "' is not netlink or ip");
                } else if (backend.value().equals("netlink")) {
                    warn(backend.line(), "vip_backend = netlink: lcs manages addresses with ip(8) from iproute2 (one"
                            + " process per batch of changes), whatever this says");
                }
            }
        }

        /** What {@code CoreConfig.defaults} derives: max(4 heartbeats, lease / 2), heartbeat = renew / 2 in 50..250 ms. */
        private static long derivedPeerTimeoutMillis(int lease, int renew) {
            long heartbeat = Math.max(50, Math.min(250, renew / 2));
            return Math.max(4 * heartbeat, lease / 2);
        }

        /** The {@code [group]} sections; a section with a bad or missing key is reported and left out. */
        private List<GroupConfig> groups() {
            List<GroupConfig> out = new ArrayList<>();
            if (groupSections.size() > MAX_GROUPS) {
                error(groupSections.get(MAX_GROUPS).line, groupSections.size() + " groups configured; the limit is "
                        + MAX_GROUPS);
            }
            for (Section s : groupSections) {
                GroupConfig.Type type = required(s, "type", e -> oneOf(e, GroupConfig.Type.of(e.value()), "a group type",
                        "keep-together or anti-affinity"));
                GroupConfig.Mode mode = required(s, "mode", e -> oneOf(e, GroupConfig.Mode.of(e.value()), "a group mode",
                        "strict or best-effort"));
                if (type != null && mode != null) {
                    out.add(new GroupConfig(s.name, type, mode, s.line));
                }
            }
            return out;
        }

        /** {@code value} (what {@code e} names, or null), reported when null. */
        private <T> T oneOf(Entry e, T value, String what, String choices) {
            if (value == null) {
                error(e.line(), e.key() + ": '" + Names.abbreviate(e.value()) + "' is not " + what + "; use " + choices);
            }
            return value;
        }

        /**
         * A {@code [service]}'s unit ({@code systemd_unit} or its alias {@code unit}, not both), a
         * {@code .service} name systemd accepts; {@code address}/{@code interface} there are an error.
         * Neither key: the empty string, a hook-only resource. Null after an error.
         */
        private String serviceUnit(Section s) {
            for (String key : List.of("address", "interface")) {
                Entry e = s.get(key);
                if (e != null) {
                    error(e.line(), s.title() + " " + key + ": a service has no " + key + "; give the address its own"
                            + " [vip] and put both in a keep-together [group]");
                }
            }
            Entry alias = s.get("unit");
            Entry full = s.get("systemd_unit");
            if (alias != null && full != null) {
                error(alias.line(), "unit is another spelling of systemd_unit (line " + full.line()
                        + "); give the unit once");
                return null;
            }
            Entry e = full != null ? full : alias;
            if (e == null) {
                // no unit given: a hook-only resource (unless the key was there and already reported)
                return s.reported.contains("systemd_unit") || s.reported.contains("unit") ? null : "";
            }
            String v = e.value();
            String problem = UnitNames.problem(v);
            if (problem != null) {
                error(e.line(), e.key() + " = " + problem);
                return null;
            }
            return v;
        }

        /** A VIP and a service share one name space (one lease per name): the same name twice is an error. */
        private void checkResourceNames() {
            Map<String, Section> seen = new HashMap<>();
            for (Section s : vipSections) {
                Section first = seen.putIfAbsent(s.name, s);
                if (first != null) {
                    error(s.line, s.title() + " has the name of " + first.title() + " on line " + first.line
                            + "; a VIP and a service need different names");
                }
            }
        }

        /** A VIP's {@code group}, {@code priority}, {@code home_node}, {@code depends_on}; names checked later. */
        private Grouping grouping(Section s) {
            Entry dashed = s.get("depends-on");
            Entry underscored = s.get("depends_on");
            if (dashed != null && underscored != null) {
                error(dashed.line(), "depends-on is another spelling of depends_on (line " + underscored.line()
                        + "); give the dependencies once");
            }
            Entry deps = underscored != null ? underscored : dashed;
            List<String> dependsOn = new ArrayList<>();
            if (deps != null) {
                for (String n : LIST_SEPARATOR.split(deps.value())) {
                    if (n.isEmpty()) {
                        continue;
                    }
                    String problem = Names.problem(n);
                    if (problem != null) {
                        error(deps.line(), deps.key() + ": " + problem);
                    } else {
                        dependsOn.add(n);
                    }
                }
            }
            String group = optional(s, "group", null, e -> nameValue(e, "group"));
            Integer priority = optional(s, "priority", null, e -> integer(e, 1, 1_000_000, ""));
            String home = optional(s, "home_node", null, e -> nameValue(e, "home_node"));
            return new Grouping(group, priority, home, dependsOn);
        }

        /** Groups, home nodes and dependencies over all VIPs ({@link GroupRules#check}), at the key's line. */
        private void checkGroupRules(List<VipConfig> vips, List<GroupConfig> groups, List<NodeConfig> nodes) {
            List<GroupRules.Member> members = new ArrayList<>();
            Map<String, VipConfig> byName = new HashMap<>();
            for (VipConfig v : vips) {
                members.add(new GroupRules.Member(v.name(), v.grouping()));
                byName.put(v.name(), v);
            }
            Map<String, GroupConfig> groupsByName = new LinkedHashMap<>();
            for (GroupConfig g : groups) {
                groupsByName.put(g.name(), g);
            }
            Map<String, Role> roles = new HashMap<>();
            for (NodeConfig n : nodes) {
                roles.put(n.name(), n.role());
            }
            for (GroupRules.Problem p : GroupRules.check(members, groupsByName, roles)) {
                VipConfig v = byName.get(p.resource());
                String key = p.field().configKey();
                int line = v.keyLines().containsKey(key) ? v.lineOf(key) : v.lineOf("depends-on");
                error(line, "[" + v.sectionKind() + " " + p.resource() + "] " + key + ": " + p.message());
            }
        }

        /** The {@code [check NAME]} sections, each parsed by {@link CheckFields}; problems at their key's line. */
        private List<CheckConfig> checks() {
            List<CheckConfig> checks = new ArrayList<>();
            for (Section s : checkSections) {
                Map<String, String> values = new LinkedHashMap<>();
                for (Entry e : s.entries.values()) {
                    values.put(e.key(), e.value());
                }
                CheckFields.Parsed parsed = CheckFields.parse(s.name, values, s.line);
                for (CheckFields.Problem p : parsed.problems()) {
                    Entry e = s.get(p.key());
                    if (!s.reported.contains(p.key())) {
                        error(e != null ? e.line() : s.line, p.message());
                    }
                }
                if (parsed.check() != null) {
                    checks.add(parsed.check());
                }
            }
            if (checkSections.size() > CheckFields.MAX_CHECKS) {
                error(checkSections.get(CheckFields.MAX_CHECKS).line, checkSections.size()
                        + " checks configured; the limit is " + CheckFields.MAX_CHECKS);
            }
            return checks;
        }

        private List<String> checkList(Entry e, Set<String> known) {
            List<CheckFields.Problem> problems = new ArrayList<>();
            List<String> names = CheckFields.checkList(e.value(), known, problems);
            for (CheckFields.Problem p : problems) {
                error(e.line(), p.message());
            }
            return names;
        }

        /** {@code on_no_healthy_node}: keep (the default) or stop; true for stop. */
        private Boolean onNoHealthyNode(Entry e) {
            switch (e.value()) {
                case "keep":
                    return false;
                case "stop":
                    return true;
                default:
                    error(e.line(), "on_no_healthy_node = '" + Names.abbreviate(e.value())
                            + "' is not a policy; use keep (stay where it is, the default) or stop (run nowhere)");
                    return null;
            }
        }

        /** Unknown keys and empty values; removes them so later checks see only keys worth checking. */
        private void checkKeys(Section section) {
            List<String> known = switch (section.kind) {
                case "cluster" -> CLUSTER_KEYS;
                case "node" -> NODE_KEYS;
                case "group" -> GROUP_KEYS;
                case "check" -> CheckFields.KEYS;
                case "service" -> SERVICE_KEYS;
                default -> VIP_KEYS;
            };
            for (Entry e : new ArrayList<>(section.entries.values())) {
                if (!known.contains(e.key())) {
                    section.entries.remove(e.key());
                    section.reported.add(e.key());
                    error(e.line(), "unknown key '" + Names.abbreviate(e.key()) + "' in " + section.title()
                            + keyHint(e.key(), section.kind, known));
                } else if (e.value().isEmpty() && !EMPTY_ALLOWED.contains(e.key())) {
                    section.entries.remove(e.key());
                    section.reported.add(e.key());
                    error(e.line(), "'" + e.key() + "' has no value" + (e.commentOnly()
                            ? " (a '#' or ';' after whitespace starts a comment; write the value without a space before it)"
                            : "; give a value or remove the line"));
                }
            }
        }

        private String keyHint(String key, String kind, List<String> known) {
            if (key.length() > 64) {
                return "";
            }
            String hint = suggestion(key, known);
            if (hint != null) {
                return " (did you mean '" + hint + "'?)";
            }
            for (String other : SECTION_KINDS) {
                List<String> otherKeys = switch (other) {
                    case "cluster" -> CLUSTER_KEYS;
                    case "node" -> NODE_KEYS;
                    case "group" -> GROUP_KEYS;
                    case "check" -> CheckFields.KEYS;
                    case "service" -> SERVICE_KEYS;
                    default -> VIP_KEYS;
                };
                if (!other.equals(kind) && otherKeys.contains(key)) {
                    return " ('" + key + "' belongs in a [" + other + (other.equals("cluster") ? "" : " NAME") + "] section)";
                }
            }
            return "; known keys: " + String.join(", ", known);
        }

        private <T> T required(Section s, String key, ValueParser<T> parser) {
            Entry e = s.get(key);
            if (e == null) {
                if (!s.reported.contains(key) && s.line > 0) {
                    error(s.line, s.title() + " is missing required key '" + key + "'");
                }
                return null;
            }
            return parser.parse(e);
        }

        /** @return the parsed value, {@code fallback} when absent, null when present but invalid (reported) */
        private <T> T optional(Section s, String key, T fallback, ValueParser<T> parser) {
            Entry e = s.get(key);
            if (e == null) {
                return s.reported.contains(key) ? null : fallback;
            }
            return parser.parse(e);
        }

        // ---------------------------------------------------------------- value parsers (report, return null)

        private String clusterName(Entry e) {
            String problem = Names.problem(e.value());
            if (problem != null) {
                error(e.line(), "cluster " + problem);
                return null;
            }
            return e.value();
        }

        private String nameValue(Entry e, String what) {
            String problem = Names.problem(e.value());
            if (problem != null) {
                error(e.line(), what + ": " + problem);
                return null;
            }
            return e.value();
        }

        private Integer integer(Entry e, int min, int max, String unit) {
            String v = e.value();
            if (!NUMBER.matcher(v).matches()) {
                String why = v.startsWith("-") ? "negative" : v.chars().allMatch(ch -> ch >= '0' && ch <= '9') ? "too large" : "not a whole number";
                error(e.line(), e.key() + " = '" + Names.abbreviate(v) + "' is " + why + "; expected " + min + ".." + max + unit);
                return null;
            }
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                error(e.line(), e.key() + " = " + n + " is out of range " + min + ".." + max + unit);
                return null;
            }
            return n;
        }

        private Integer leaseMillis(Entry e) {
            Integer lease = integer(e, 1, MAX_LEASE_MILLIS, " ms");
            if (lease != null && lease < MIN_LEASE_MILLIS) {
                error(e.line(), "lease_ms = " + lease + " is too short for the kernel fence: a VIP's valid_lft is whole "
                        + "seconds (at least 1 s) plus slack, and the kernel removes it up to 0.25 s late, all before "
                        + "any other node's lease ends; use at least " + MIN_LEASE_MILLIS);
                return null;
            }
            return lease;
        }

        private Boolean bool(Entry e) {
            switch (e.value().toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on", "1":
                    return true;
                case "false", "no", "off", "0":
                    return false;
                default:
                    error(e.line(), e.key() + " = '" + Names.abbreviate(e.value())
                            + "' is not a boolean; use true/false, yes/no, on/off or 1/0");
                    return null;
            }
        }

        private String ipOrAll(Entry e) {
            if (e.value().isEmpty()) {
                return "";
            }
            try {
                return Cidr.formatAddress(Cidr.parseAddress(e.value()));
            } catch (IllegalArgumentException ex) {
                error(e.line(), e.key() + ": " + ex.getMessage() + " (expected an IP address, or nothing for all addresses"
                        + (e.value().contains("/") ? "; no prefix length here" : "") + ")");
                return null;
            }
        }

        private String absolutePath(Entry e) {
            String v = e.value();
            if (!v.startsWith("/")) {
                error(e.line(), e.key() + " = '" + Names.abbreviate(v) + "' must be an absolute path (starting with '/')");
                return null;
            }
            return v;
        }

        /**
         * {@code hook_dirs}: absolute directories, comma or space separated, each normalised ({@code .}
         * and {@code ..} resolved lexically, no file system access); not {@code /} (that would allow
         * every file) and not listed twice.
         */
        private List<String> hookDirs(Entry e) {
            List<String> dirs = new ArrayList<>();
            boolean ok = true;
            for (String d : LIST_SEPARATOR.split(e.value())) {
                if (d.isEmpty()) {
                    continue;
                }
                String quoted = "'" + Names.abbreviate(d) + "'";
                if (!d.startsWith("/")) {
                    error(e.line(), "hook_dirs: " + quoted + " must be an absolute path (starting with '/')");
                    ok = false;
                    continue;
                }
                String normal = HookPolicy.normalize(d);
                if (normal.equals("/")) {
                    error(e.line(), "hook_dirs: " + quoted + " would allow every file as a hook; list the "
                            + "directories that hold hooks");
                    ok = false;
                } else if (dirs.contains(normal)) {
                    error(e.line(), "hook_dirs: " + quoted + " is listed twice");
                    ok = false;
                } else {
                    dirs.add(normal);
                }
            }
            if (dirs.isEmpty() && ok) {
                error(e.line(), "hook_dirs lists no directory");
                return null;
            }
            return ok ? List.copyOf(dirs) : null;
        }

        private ConsoleMode consoleMode(Entry e) {
            ConsoleMode mode = ConsoleMode.fromLabel(e.value().toLowerCase(Locale.ROOT).replace('_', '-'));
            if (mode == null) {
                error(e.line(), "console = '" + Names.abbreviate(e.value()) + "' is not a console mode; use off, read-only or on");
            }
            return mode;
        }

        private Role role(Entry e) {
            Role role = Role.fromLabel(e.value());
            if (role == null) {
                String v = e.value().toLowerCase(Locale.ROOT).replace('_', '-');
                Role near = Role.fromLabel(v);
                if (near == null) {
                    String hint = suggestion(v, List.of("full-member", "quorum-only"));
                    near = hint == null ? null : Role.fromLabel(hint);
                }
                if (near == null && (v.equals("witness") || v.equals("quorum") || v.equals("arbiter"))) {
                    near = Role.QUORUM_ONLY;
                }
                error(e.line(), "role = '" + Names.abbreviate(e.value()) + "' is not a role; use full-member or quorum-only"
                        + (near != null ? " (did you mean '" + near.label() + "'?)" : ""));
            }
            return role;
        }

        private String hostOrIp(Entry e) {
            String v = e.value();
            if (v.startsWith("[")) {
                error(e.line(), "address = '" + Names.abbreviate(v) + "': write an IPv6 address without brackets");
                return null;
            }
            if (v.indexOf('/') >= 0) {
                error(e.line(), "address = '" + Names.abbreviate(v) + "': a node address is one address or host name, "
                        + "not a CIDR (no '/PREFIX')");
                return null;
            }
            if (v.indexOf(':') >= 0 || DIGITS_AND_DOTS.matcher(v).matches()) {
                try {
                    return Cidr.formatAddress(Cidr.parseAddress(v));
                } catch (IllegalArgumentException ex) {
                    error(e.line(), "address: " + ex.getMessage());
                    return null;
                }
            }
            String problem = hostNameProblem(v);
            if (problem != null) {
                error(e.line(), "address = '" + Names.abbreviate(v) + "' is not an IP address or host name: " + problem);
                return null;
            }
            String host = v.toLowerCase(Locale.ROOT);
            return host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        }

        private Cidr vipAddress(Entry e) {
            Cidr cidr;
            try {
                cidr = Cidr.parse(e.value());
            } catch (IllegalArgumentException ex) {
                error(e.line(), "address: " + ex.getMessage());
                return null;
            }
            InetAddress a = cidr.address();
            if (a.isAnyLocalAddress() || a.isMulticastAddress()) {
                error(e.line(), "address = " + cidr + " is " + (a.isAnyLocalAddress() ? "the unspecified address" : "a multicast address")
                        + "; a VIP must be a unicast address");
                return null;
            }
            return cidr;
        }

        private String interfaceName(Entry e) {
            String v = e.value();
            int at = v.indexOf('@');
            if (at > 0) { // ip(8) shows a VLAN as NAME@PARENT; the C lcs drops from '@' on, and so does lcs
                warn(e.line(), "interface = " + Names.abbreviate(v) + ": using '" + v.substring(0, at)
                        + "' (a name ends before '@'; '@" + Names.abbreviate(v.substring(at + 1)) + "' is how ip(8) shows its parent)");
                v = v.substring(0, at);
            }
            String problem = null;
            if (v.length() > MAX_INTERFACE_NAME) {
                problem = "is longer than " + MAX_INTERFACE_NAME + " characters (Linux IFNAMSIZ)";
            } else if (v.equals(".") || v.equals("..")) {
                problem = "is reserved";
            } else {
                for (int i = 0; i < v.length() && problem == null; i++) {
                    char ch = v.charAt(i);
                    if (ch == '/' || ch == ':' || Character.isWhitespace(ch) || Character.isSpaceChar(ch)) {
                        problem = "may not contain '/', ':' or whitespace";
                    }
                }
            }
            if (problem != null) {
                error(e.line(), "interface = '" + Names.abbreviate(v) + "' is not a valid Linux interface name: it " + problem);
                return null;
            }
            return v;
        }

        private List<String> preferredNodes(Entry e, Map<String, Section> nodeSectionsByName, Map<String, NodeConfig> nodesByName) {
            List<String> names = new ArrayList<>();
            boolean ok = true;
            for (String n : LIST_SEPARATOR.split(e.value())) {
                if (n.isEmpty()) {
                    continue;
                }
                String problem = Names.problem(n);
                if (problem != null) {
                    error(e.line(), "preferred_nodes: " + problem);
                    ok = false;
                } else if (names.contains(n)) {
                    error(e.line(), "preferred_nodes: '" + n + "' is listed twice");
                    ok = false;
                } else if (!nodeSectionsByName.containsKey(n)) {
                    String hint = suggestion(n, new ArrayList<>(nodeSectionsByName.keySet()));
                    error(e.line(), "preferred_nodes: there is no [node " + n + "] section"
                            + (hint != null ? " (did you mean '" + hint + "'?)" : ""));
                    ok = false;
                } else {
                    NodeConfig node = nodesByName.get(n);
                    if (node != null && node.role() != Role.FULL_MEMBER) {
                        error(e.line(), "preferred_nodes: node '" + n + "' is " + node.role().label()
                                + " and never holds a VIP; list only full-member nodes");
                        ok = false;
                    }
                    names.add(n);
                }
            }
            if (names.isEmpty() && ok) {
                error(e.line(), "preferred_nodes lists no node names");
                return null;
            }
            return ok ? names : null;
        }

        // ---------------------------------------------------------------- cross-checks

        private void checkNodeEndpoints(List<NodeConfig> nodes) {
            Map<String, NodeConfig> seen = new HashMap<>();
            for (NodeConfig n : nodes) {
                NodeConfig first = seen.putIfAbsent(n.endpoint(), n);
                if (first != null) {
                    Section s = nodeSections.stream().filter(x -> x.name.equals(n.name())).findFirst().orElseThrow();
                    Entry address = s.get("address");
                    error(address != null ? address.line() : s.line, "[node " + n.name() + "] has the same address and port ("
                            + n.endpoint() + ") as [node " + first.name() + "] on line " + first.line()
                            + "; each node needs its own address:port");
                }
            }
        }

        private void checkVipAddresses(List<VipConfig> vips, List<NodeConfig> nodes) {
            Map<InetAddress, VipConfig> seen = new HashMap<>();
            Map<InetAddress, NodeConfig> nodeAddresses = new HashMap<>();
            for (NodeConfig n : nodes) {
                if (isIpLiteral(n.address())) {
                    nodeAddresses.putIfAbsent(Cidr.parseAddress(n.address()), n);
                }
            }
            for (VipConfig v : vips) {
                if (v.isService()) {
                    continue;
                }
                Section s = vipSections.stream().filter(x -> x.name.equals(v.name())).findFirst().orElseThrow();
                int line = s.get("address").line();
                VipConfig first = seen.putIfAbsent(v.address().address(), v);
                if (first != null) {
                    error(line, "[vip " + v.name() + "] address " + v.address() + " is the same IP as [vip " + first.name()
                            + "] (" + first.address() + ") on line " + first.line() + "; one IP can be only one VIP");
                }
                NodeConfig node = nodeAddresses.get(v.address().address());
                if (node != null) {
                    error(line, "[vip " + v.name() + "] address " + v.address().addressText() + " is the address of [node "
                            + node.name() + "]; a VIP must be an address no node owns permanently");
                }
            }
        }

        private record Listener(String what, String bind, int port, int line) {
        }

        private void checkListeners(List<Listener> listeners) {
            for (int i = 0; i < listeners.size(); i++) {
                for (int j = 0; j < i; j++) {
                    Listener a = listeners.get(j);
                    Listener b = listeners.get(i);
                    boolean overlap = a.bind().isEmpty() || b.bind().isEmpty() || a.bind().equals(b.bind());
                    if (a.port() == b.port() && overlap) {
                        error(b.line(), b.what() + " " + ClusterConfig.endpoint(b.bind(), b.port()) + " clashes with the "
                                + a.what() + " " + ClusterConfig.endpoint(a.bind(), a.port())
                                + "; each listener on this node needs its own port");
                    }
                }
            }
        }

        private static int lineOf(Section s, String key, String otherKey, int fallback) {
            Entry e = s.get(key);
            if (e == null) {
                e = s.get(otherKey);
            }
            return e != null ? e.line() : fallback;
        }
    }

    // -------------------------------------------------------------------- helpers

    @FunctionalInterface
    private interface ValueParser<T> {
        /** @return the value, or null after reporting an error */
        T parse(Entry entry);
    }

    /** Splits at CRLF, LF or a lone CR (so line numbers match what editors show for any of them). */
    static List<String> splitLines(String text) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char ch = text.charAt(i);
            if (ch == '\n' || ch == '\r') {
                lines.add(text.substring(start, i));
                if (ch == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        lines.add(text.substring(start));
        return lines;
    }

    /** Cuts a comment: a whole line starting with '#' or ';', or '#'/';' preceded by whitespace. */
    static String stripComment(String line) {
        String t = line.stripLeading();
        if (t.startsWith("#") || t.startsWith(";")) {
            return "";
        }
        for (int i = 1; i < line.length(); i++) {
            char ch = line.charAt(i);
            if ((ch == '#' || ch == ';') && Character.isWhitespace(line.charAt(i - 1))) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    /** @return a description of the first control character (tab excepted), or null */
    private static String controlCharacter(String line) {
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if ((Character.isISOControl(ch) && ch != '\t') || ch == '\uFEFF') {
                return String.format("control character U+%04X at column %d; config files are plain text", (int) ch, i + 1);
            }
        }
        return null;
    }

    /** RFC 1123 host name syntax; no resolution. @return null if valid */
    static String hostNameProblem(String host) {
        String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        if (h.isEmpty()) {
            return "empty host name";
        }
        if (h.length() > 253) {
            return "longer than 253 characters";
        }
        String[] labels = h.split("\\.", -1);
        for (String label : labels) {
            if (label.isEmpty()) {
                return "empty label (two dots in a row)";
            }
            if (label.length() > 63) {
                return "label longer than 63 characters";
            }
            for (int i = 0; i < label.length(); i++) {
                char ch = label.charAt(i);
                boolean ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-';
                if (!ok) {
                    return "character '" + ch + "' is not allowed (letters, digits, '-' and '.')";
                }
            }
            if (label.startsWith("-") || label.endsWith("-")) {
                return "label '" + Names.abbreviate(label) + "' starts or ends with '-'";
            }
        }
        if (labels[labels.length - 1].chars().allMatch(Character::isDigit)) {
            return "the last label is all digits";
        }
        return null;
    }

    private static boolean isIpLiteral(String address) {
        return address.indexOf(':') >= 0 || DIGITS_AND_DOTS.matcher(address).matches();
    }

    private static boolean isLoopback(String bind) {
        return !bind.isEmpty() && Cidr.parseAddress(bind).isLoopbackAddress();
    }

    /**
     * The closest candidate to {@code input} by edit distance (case-insensitive), or a candidate it is
     * a prefix of; null if none is close enough to be a plausible typo.
     */
    static String suggestion(String input, List<String> candidates) {
        if (input.length() > 64) {
            return null;
        }
        String lower = input.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = editDistance(lower, c.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        int allowed = lower.length() <= 3 ? 1 : lower.length() <= 6 ? 2 : 3;
        if (best != null && bestDistance <= allowed && bestDistance < Math.max(lower.length(), 1)) {
            return best;
        }
        if (lower.length() >= 3) {
            for (String c : candidates) {
                if (c.startsWith(lower) || lower.startsWith(c + "_") || lower.startsWith(c + "-")) {
                    return c;
                }
            }
        }
        return null;
    }

    /** Levenshtein distance; inputs are bounded (keys of at most 64 characters). */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }

    private static int firstInvalidUtf8(byte[] bytes) {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length + 1);
        var result = decoder.decode(in, out, true);
        return result.isError() ? in.position() : bytes.length;
    }
}
