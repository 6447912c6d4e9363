package io.lcs.model.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The one-screen text {@code lcsd --check-config} prints for a valid config: cluster, self, nodes
 * with roles and votes, quorum, timing, VIPs with hooks and preferences, endpoints, warnings.
 * Pure function of the config; ends with a newline.
 */
public final class ConfigSummary {
    private ConfigSummary() {
    }

    public static String render(ClusterConfig config) {
        return render(config, List.of());
    }

    /**
     * As {@link #render(ClusterConfig)}, with {@code moreWarnings} (found by checks outside the
     * parser, e.g. of hook files) listed and counted after the parser's own.
     */
    public static String render(ClusterConfig config, List<ConfigError> moreWarnings) {
        List<ConfigError> all = new ArrayList<>(config.warnings());
        all.addAll(moreWarnings);
        StringBuilder out = new StringBuilder(1024);
        int warnings = all.size();
        out.append(config.file()).append(": OK");
        if (warnings > 0) {
            out.append(" (").append(warnings).append(warnings == 1 ? " warning)" : " warnings)");
        }
        out.append('\n');
        out.append("Cluster ").append(config.name()).append('\n');
        out.append("  membership hash: ").append(config.membershipHashHex())
                .append(" (must be the same on every node)\n");
        NodeConfig self = config.self();
        out.append("  self: ").append(self.name()).append(" (").append(self.role().label()).append(")")
                .append(", listening on ").append(ClusterConfig.endpoint(config.bind(), self.port()))
                .append(config.bind().isEmpty() ? " (all addresses)" : "").append('\n');
        out.append("  quorum: ").append(config.quorumSize()).append(" of ").append(config.totalVotes())
                .append(config.totalVotes() == 1 ? " vote" : " votes").append('\n');
        out.append("  secret: ").append(config.secretFile() != null ? "from " + config.secretFile()
                : config.secret() != null ? "inline" : "none (messages not authenticated)").append('\n');
        out.append("  state_dir: ").append(config.stateDir()).append('\n');

        out.append("Timing\n");
        out.append("  lease: ").append(config.leaseMillis()).append(" ms, renew every ").append(config.renewMillis())
                .append(" ms\n");
        out.append("  hook timeout: ").append(config.hookTimeoutMillis()).append(" ms, duplicate probe: ")
                .append(config.probeMillis()).append(" ms\n");
        out.append("Hooks\n");
        out.append("  hook_dirs (for hooks of applied VIPs): ").append(String.join(", ", config.hookDirs())).append('\n');

        out.append("Nodes (").append(config.nodes().size()).append(")\n");
        int width = 0;
        for (NodeConfig n : config.nodes()) {
            width = Math.max(width, n.name().length());
        }
        for (NodeConfig n : config.nodes()) {
            out.append("  ").append(pad(n.name(), width)).append("  role=").append(pad(n.role().label(), 11))
                    .append("  votes=1  address=").append(n.endpoint());
            if (n.name().equals(config.nodeName())) {
                out.append("  (self)");
            }
            out.append('\n');
        }

        out.append("VIPs (").append(config.vips().size()).append(")\n");
        if (config.vips().isEmpty()) {
            out.append("  none (add [vip NAME] sections or use lcs apply)\n");
        }
        for (VipConfig v : config.vips()) {
            out.append("  ").append(v.name()).append(' ');
            if (v.hookOnly()) {
                out.append("service hook-only (no unit, no address)");
            } else if (v.isService()) {
                out.append("service unit=").append(v.systemdUnit());
            } else {
                out.append(v.address()).append(" dev=").append(v.interfaceName());
                if (!v.announce()) {
                    out.append(" announce=false");
                }
            }
            out.append(" preferred=").append(v.preferredNodes().isEmpty() ? "any" : String.join(",", v.preferredNodes()))
                    .append('\n');
            hook(out, "pre_start", v.preStart());
            hook(out, "post_start", v.postStart());
            hook(out, "pre_stop", v.preStop());
            hook(out, "post_stop", v.postStop());
        }

        out.append("Endpoints\n");
        out.append("  metrics: ").append(config.metrics()
                ? "http://" + ClusterConfig.endpoint(config.metricsBind(), config.metricsPort()) + "/metrics"
                : "disabled (metrics = false)").append('\n');
        out.append("  admin: http://").append(ClusterConfig.endpoint(config.adminBind(), config.adminPort()))
                .append(" (changes need the token of ").append(config.adminTokenPath()).append(')')
                .append('\n');
        out.append("  console: ").append(config.console() == ConsoleMode.OFF ? "disabled (console = off)"
                : "http://" + ClusterConfig.endpoint(config.adminBind(), config.adminPort()) + "/ui/ ("
                        + config.console().label() + ")").append('\n');

        if (warnings > 0) {
            out.append("Warnings\n");
            for (ConfigError w : all) {
                out.append("  ").append(w).append('\n');
            }
        }
        return out.toString();
    }

    private static void hook(StringBuilder out, String name, String path) {
        if (path != null) {
            out.append("    ").append(name).append(": ").append(path).append('\n');
        }
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }
}
