package io.lcs.model.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A validated lcs.conf: what {@link ConfigParser} returns. Immutable. All durations are in
 * milliseconds, all ports are 1..65535, all addresses are in canonical text form.
 *
 * <p>Two nodes of one cluster have configs that differ only in {@code nodeName}, {@code bind} and
 * local settings; {@link #membershipHash()} covers exactly what they must agree on.
 *
 * @param file              the file name the config was read from (used in error messages)
 * @param name              the cluster name
 * @param nodeName          this node's name; always one of {@code nodes}
 * @param bind              IP literal the cluster transport listens on, or "" for all addresses
 * @param port              default port of every node that does not set its own
 * @param secret            the shared secret written inline, or null
 * @param secretFile        absolute path of a file holding the shared secret, or null; never both secrets
 *                          (this record does no I/O: lcsd reads the file)
 * @param secretFileLine    the line of {@code secret_file} in {@code file}, for errors about the file; 0 if none
 * @param leaseMillis       VIP lease duration T, at least {@link ConfigParser#MIN_LEASE_MILLIS}
 * @param renewMillis       renewal period, at most leaseMillis / 3
 * @param hookTimeoutMillis limit on the run time of one hook, 1..600000
 * @param probeMillis       duplicate-address probe window
 * @param metrics           whether the Prometheus endpoint is served (default false)
 * @param metricsBind       IP literal of the metrics endpoint, or "" for all addresses
 * @param metricsPort       port of the metrics endpoint
 * @param console           what the web console on the admin API offers ({@code console}): off, read-only, on
 * @param adminBind         IP literal of the admin API, or "" for all addresses
 * @param adminPort         port of the admin API
 * @param adminTokenFile    absolute path of the admin API token file, or null: then
 *                          {@code state_dir/admin.token} ({@link #adminTokenPath()})
 * @param stateDir          absolute path of the directory for persistent state
 * @param hookDirs          normalised absolute directories where hooks named by API objects may live
 *                          ({@code hook_dirs}); hooks named in {@code [vip]} sections may live anywhere
 * @param pidFile           absolute path where lcsd writes its process ID ({@code pidfile}), or null
 * @param nodes             all nodes in file order, including this one
 * @param vips              all VIPs in file order
 * @param checks            all health checks ({@code [check NAME]}) in file order
 * @param warnings          problems that do not stop the daemon (shown by {@code lcsd --check-config})
 * @param groups            the {@code [group NAME]} sections in file order
 * @param failbackSettleMillis how long a resource's home node must be online and eligible before the
 *                          resource fails back to it ({@code failback_settle_ms})
 * @param syslog            {@code syslog = true} (a key of the C lcs): log lines also go to the system log
 */
public record ClusterConfig(String file, String name, String nodeName, String bind, int port, String secret,
                            String secretFile, int secretFileLine, int leaseMillis, int renewMillis,
                            int hookTimeoutMillis, int probeMillis, boolean metrics, String metricsBind, int metricsPort,
                            ConsoleMode console,
                            String adminBind, int adminPort, String adminTokenFile, String stateDir,
                            List<String> hookDirs, String pidFile, List<NodeConfig> nodes, List<VipConfig> vips,
                            List<CheckConfig> checks, List<ConfigError> warnings, List<GroupConfig> groups,
                            int failbackSettleMillis, boolean syslog) {

    /** The peer transport derives its HMAC keys from the secret and needs at least this much of it. */
    public static final int MIN_SECRET_BYTES = 16;

    public ClusterConfig {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(metricsBind, "metricsBind");
        Objects.requireNonNull(adminBind, "adminBind");
        Objects.requireNonNull(console, "console");
        Objects.requireNonNull(stateDir, "stateDir");
        hookDirs = List.copyOf(hookDirs);
        nodes = List.copyOf(nodes);
        vips = List.copyOf(vips);
        groups = groups == null ? List.of() : List.copyOf(groups);
        checks = checks == null ? List.of() : List.copyOf(checks);
        warnings = List.copyOf(warnings);
        if (nodes.stream().noneMatch(n -> n.name().equals(nodeName))) {
            throw new IllegalArgumentException("node '" + nodeName + "' is not one of the nodes");
        }
    }

    /** The admin token's file name in {@code state_dir} when {@code admin_token_file} is not set. */
    public static final String DEFAULT_ADMIN_TOKEN_FILE_NAME = "admin.token";

    /**
     * The file holding the admin API's token, which carries root's authority over the cluster:
     * {@code admin_token_file}, else {@code state_dir/admin.token}. lcsd creates it if missing; the
     * {@code lcs} CLI reads it.
     */
    public String adminTokenPath() {
        return adminTokenFile != null ? adminTokenFile
                : stateDir + (stateDir.endsWith("/") ? "" : "/") + DEFAULT_ADMIN_TOKEN_FILE_NAME;
    }

    /** @return this node's own entry */
    public NodeConfig self() {
        return node(nodeName).orElseThrow();
    }

    /** @return the node called {@code nodeName}, if configured */
    public Optional<NodeConfig> node(String nodeName) {
        for (NodeConfig n : nodes) {
            if (n.name().equals(nodeName)) {
                return Optional.of(n);
            }
        }
        return Optional.empty();
    }

    /** @return the VIP called {@code vipName}, if configured */
    /** The {@code [group]} sections by name. */
    public java.util.Map<String, GroupConfig> groupsByName() {
        java.util.Map<String, GroupConfig> out = new java.util.LinkedHashMap<>();
        for (GroupConfig g : groups) {
            out.put(g.name(), g);
        }
        return out;
    }

    /** Each node's role by name. */
    public java.util.Map<String, Role> rolesByName() {
        java.util.Map<String, Role> out = new java.util.LinkedHashMap<>();
        for (NodeConfig n : nodes) {
            out.put(n.name(), n.role());
        }
        return out;
    }

    public Optional<VipConfig> vip(String vipName) {
        for (VipConfig v : vips) {
            if (v.name().equals(vipName)) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }

    /** @return all votes in the cluster: one per configured node, full member or quorum-only */
    public int totalVotes() {
        return nodes.size();
    }

    /** @return votes needed for quorum: more than half of {@link #totalVotes()} */
    public int quorumSize() {
        return totalVotes() / 2 + 1;
    }

    /**
     * A stable 64-bit hash of what every node of the cluster must agree on: cluster name,
     * {@code lease_ms}, and the nodes (name, role, address, port) sorted by name. It does not cover
     * this node's name, {@code bind}, VIPs, hooks, secrets or metrics/admin settings, which legitimately
     * differ between nodes or can change without a cluster-wide restart. Peers whose hash differs are
     * not counted toward quorum, so two differing configs can never form two majorities.
     *
     * @return the first 8 bytes (big-endian) of SHA-256 over a canonical text encoding
     */
    public long membershipHash() {
        byte[] digest = membershipDigest();
        long h = 0;
        for (int i = 0; i < 8; i++) {
            h = (h << 8) | (digest[i] & 0xff);
        }
        return h;
    }

    /** @return {@link #membershipHash()} as 16 lower-case hex digits */
    public String membershipHashHex() {
        return HexFormat.of().formatHex(membershipDigest(), 0, 8);
    }

    private byte[] membershipDigest() {
        StringBuilder canonical = new StringBuilder(64 + 64 * nodes.size());
        canonical.append("lcs-membership-v1\n");
        canonical.append("cluster=").append(name).append('\n');
        canonical.append("lease_ms=").append(leaseMillis).append('\n');
        List<NodeConfig> sorted = new ArrayList<>(nodes);
        sorted.sort(Comparator.comparing(NodeConfig::name));
        for (NodeConfig n : sorted) {
            canonical.append("node=").append(n.name()).append(',').append(n.role().label()).append(',')
                    .append(n.address().toLowerCase(Locale.ROOT)).append(',').append(n.port()).append('\n');
        }
        try {
            return MessageDigest.getInstance("SHA-256").digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    /** @return {@code host:port}; IPv6 literals in brackets; "" host shown as {@code *} (all addresses) */
    static String endpoint(String host, int port) {
        if (host.isEmpty()) {
            return "*:" + port;
        }
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
