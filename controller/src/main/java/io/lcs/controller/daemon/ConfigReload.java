package io.lcs.controller.daemon;

import io.lcs.model.api.DesiredStateValidator;
import io.lcs.model.config.ClusterConfig;
import io.lcs.model.config.ConfigError;
import io.lcs.model.config.NodeConfig;
import io.lcs.model.config.VipConfig;
import io.lcs.reconcilers.vip.VipSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a reload (SIGHUP) does with a re-read lcs.conf, decided from the running and the re-read
 * configuration alone (pure, no I/O). Only the {@code [vip]} sections (addresses, interfaces,
 * preferred nodes, hooks) can change in a running daemon; anything that the peers must agree on or
 * that the daemon bound at start (cluster name, this node's name, the {@code [node]} sections, lease
 * and renewal, ports, bind addresses, secret, admin and metrics endpoints, state directory, hook
 * timeout and probe window, hook directories) makes the reload {@link Refused}: the daemon keeps
 * running on the old configuration and says what needs a restart. So does a {@code [vip]} the
 * reload adds or changes whose IP a VIP applied through the API already has. Line numbers and
 * comments never count as changes.
 */
public final class ConfigReload {
    private ConfigReload() {
    }

    /** The outcome of comparing the running configuration with the re-read one. */
    public sealed interface Decision permits Unchanged, ApplyVips, Refused {
    }

    /** Nothing that matters changed. */
    public record Unchanged() implements Decision {
    }

    /**
     * Only VIPs changed: run with {@code vips} (in file order) from now on. VIPs not named in
     * {@code added}, {@code removed} or {@code changed} are untouched and stay up.
     */
    public record ApplyVips(List<String> added, List<String> removed, List<String> changed, List<VipSpec> vips,
                            List<String> warnings) implements Decision {
        public ApplyVips {
            added = List.copyOf(added);
            removed = List.copyOf(removed);
            changed = List.copyOf(changed);
            vips = List.copyOf(vips);
            warnings = List.copyOf(warnings);
        }

        public ApplyVips(List<String> added, List<String> removed, List<String> changed, List<VipSpec> vips) {
            this(added, removed, changed, vips, List.of());
        }

        /** One line for the log: {@code added [x], removed [y], changed [z]}. */
        public String summary() {
            return "added " + added + ", removed " + removed + ", changed " + changed;
        }
    }

    /**
     * The reload changes nothing: settings that need a restart changed ({@code needsRestart}: each
     * reason names the key and what it changed from and to), or the new {@code [vip]} sections clash
     * with the desired state (each reason is {@code FILE:LINE: message}; a restart would not help).
     */
    public record Refused(List<String> reasons, boolean needsRestart) implements Decision {
        public Refused {
            reasons = List.copyOf(reasons);
        }

        public Refused(List<String> reasons) {
            this(reasons, true);
        }
    }

    /** Decides what a reload does, with no VIP applied through the API. */
    public static Decision decide(ClusterConfig running, ClusterConfig reread) {
        return decide(running, reread, List.of());
    }

    /**
     * Decides what a reload does while {@code apiVips} are applied: VIPs the reload adds or changes
     * are checked against them ({@link DesiredStateValidator#validateReload}), so a {@code [vip]} with
     * the IP of an API VIP refuses the reload, naming its line and the API object.
     */
    public static Decision decide(ClusterConfig running, ClusterConfig reread,
                                  List<DesiredStateValidator.ApiVip> apiVips) {
        List<String> reasons = new ArrayList<>();
        differ(reasons, "[cluster] name", running.name(), reread.name());
        differ(reasons, "[cluster] node", running.nodeName(), reread.nodeName());
        differ(reasons, "[cluster] bind", running.bind(), reread.bind());
        differ(reasons, "[cluster] port", running.port(), reread.port());
        if (!Objects.equals(running.secret(), reread.secret())) {
            reasons.add("[cluster] secret changed (needs a restart)"); // never log a secret
        }
        differ(reasons, "[cluster] secret_file", running.secretFile(), reread.secretFile());
        differ(reasons, "[cluster] lease_ms", running.leaseMillis(), reread.leaseMillis());
        differ(reasons, "[cluster] renew_ms", running.renewMillis(), reread.renewMillis());
        differ(reasons, "[cluster] hook_timeout_ms", running.hookTimeoutMillis(), reread.hookTimeoutMillis());
        differ(reasons, "[cluster] probe_ms", running.probeMillis(), reread.probeMillis());
        differ(reasons, "[cluster] metrics", running.metrics(), reread.metrics());
        differ(reasons, "[cluster] metrics_bind", running.metricsBind(), reread.metricsBind());
        differ(reasons, "[cluster] metrics_port", running.metricsPort(), reread.metricsPort());
        differ(reasons, "[cluster] admin_bind", running.adminBind(), reread.adminBind());
        differ(reasons, "[cluster] admin_port", running.adminPort(), reread.adminPort());
        differ(reasons, "[cluster] admin_token_file", running.adminTokenFile(), reread.adminTokenFile());
        differ(reasons, "[cluster] console", running.console().label(), reread.console().label());
        differ(reasons, "[cluster] state_dir", running.stateDir(), reread.stateDir());
        differ(reasons, "[cluster] failback_settle_ms", running.failbackSettleMillis(), reread.failbackSettleMillis());
        differ(reasons, "[group] sections", groups(running), groups(reread));
        differ(reasons, "[cluster] hook_dirs", String.join(", ", running.hookDirs()), String.join(", ", reread.hookDirs()));
        if (!checksWithoutLines(running).equals(checksWithoutLines(reread))) {
            reasons.add("[check] sections changed (needs a restart)");
        }
        Map<String, String> oldNodes = nodes(running.nodes());
        Map<String, String> newNodes = nodes(reread.nodes());
        if (!oldNodes.equals(newNodes)) {
            reasons.add("[node] sections changed from " + oldNodes.values() + " to " + newNodes.values()
                    + " (membership: needs a restart on every node)");
        }
        if (!reasons.isEmpty()) {
            return new Refused(reasons);
        }
        Map<String, VipSpec> before = byName(vipSpecs(running.vips()));
        List<VipSpec> after = vipSpecs(reread.vips());
        List<String> added = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        for (VipSpec v : after) {
            VipSpec old = before.get(v.name());
            if (old == null) {
                added.add(v.name());
            } else if (!old.equals(v)) {
                changed.add(v.name());
            }
        }
        Map<String, VipSpec> afterByName = byName(after);
        List<String> removed = new ArrayList<>();
        for (String name : before.keySet()) {
            if (!afterByName.containsKey(name)) {
                removed.add(name);
            }
        }
        if (added.isEmpty() && removed.isEmpty() && changed.isEmpty()) {
            return new Unchanged();
        }
        List<String> checked = new ArrayList<>(added);
        checked.addAll(changed);
        DesiredStateValidator.ReloadCheck check = DesiredStateValidator.validateReload(reread, apiVips, checked);
        if (!check.errors().isEmpty()) {
            return new Refused(check.errors().stream().map(ConfigError::toString).toList(), false);
        }
        return new ApplyVips(added, removed, changed, after,
                check.warnings().stream().map(ConfigError::toString).toList());
    }

    /** The {@code [vip]} sections as the daemon runs them (source {@code config}), in file order. */
    public static List<VipSpec> vipSpecs(List<VipConfig> vips) {
        List<VipSpec> out = new ArrayList<>(vips.size());
        for (VipConfig v : vips) {
            out.add(new VipSpec(v.name(), v.address(), v.interfaceName(), v.preferredNodes(), v.preStart(),
                    v.postStart(), v.preStop(), v.postStop(), "config", 0, v.grouping(), v.checks(), v.stopWhenNoHealthyNode(),
                    v.systemdUnit(), v.announce()));
        }
        return out;
    }

    private static List<io.lcs.model.config.CheckConfig> checksWithoutLines(ClusterConfig config) {
        List<io.lcs.model.config.CheckConfig> out = new ArrayList<>();
        for (io.lcs.model.config.CheckConfig c : config.checks()) {
            out.add(new io.lcs.model.config.CheckConfig(c.name(), c.type(), c.url(), c.expectStatus(), c.command(),
                    c.host(), c.port(), c.interfaceName(), c.intervalMillis(), c.timeoutMillis(), c.fall(), c.rise(),
                    c.holdMillis(), 0));
        }
        return out;
    }

    private static String groups(ClusterConfig c) {
        List<String> out = new ArrayList<>();
        for (var g : c.groups()) {
            out.add(g.name() + " " + g.type().label() + " " + g.mode().label());
        }
        return String.join(", ", out);
    }

    private static Map<String, VipSpec> byName(List<VipSpec> vips) {
        Map<String, VipSpec> m = new LinkedHashMap<>();
        for (VipSpec v : vips) {
            m.put(v.name(), v);
        }
        return m;
    }

    private static Map<String, String> nodes(List<NodeConfig> nodes) {
        Map<String, String> m = new LinkedHashMap<>();
        for (NodeConfig n : nodes) {
            m.put(n.name(), n.name() + " " + n.role() + " " + n.address() + ":" + n.port());
        }
        return m;
    }

    private static void differ(List<String> reasons, String key, Object before, Object after) {
        if (!Objects.equals(before, after)) {
            reasons.add(key + " changed from " + show(before) + " to " + show(after) + " (needs a restart)");
        }
    }

    private static String show(Object v) {
        return v == null ? "(unset)" : "'" + v + "'";
    }
}
