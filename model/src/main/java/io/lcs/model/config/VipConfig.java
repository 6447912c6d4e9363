package io.lcs.model.config;

import io.lcs.model.net.Cidr;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One {@code [vip NAME]} or {@code [service NAME]} section: both are resources with the same placement,
 * group and hook keys; a VIP has an address and an interface, a service a systemd unit instead.
 *
 * @param name           the VIP name ({@link io.lcs.model.Names} rules)
 * @param address        the address with prefix, as {@code ip addr add} takes it
 * @param interfaceName  the Linux interface to put it on (1..15 characters)
 * @param preStart       absolute path of the hook run before the address is added, or null
 * @param postStart      absolute path of the hook run after the address is added, or null
 * @param preStop        absolute path of the hook run before the address is removed, or null
 * @param postStop       absolute path of the hook run after the address is removed, or null
 * @param preferredNodes full-member node names in order of preference; empty means no preference
 * @param line           the line of the section header, 0 if not from a file
 * @param keyLines       the line of each key written in the section (e.g. {@code address}), so that
 *                       checks made later (an address another VIP has, a hook file's owner) can name it
 * @param grouping       its group, priority, home node and dependencies ({@link Grouping#NONE} if none)
 * @param checks         names of the {@code [check]} sections that must pass on a node for it to be
 *                       eligible ({@code checks}); empty means none
 * @param stopWhenNoHealthyNode {@code on_no_healthy_node = stop}: when no node passes the checks the
 *                       VIP runs nowhere; false ({@code keep}, the default): it stays where it is
 * @param systemdUnit    for a {@code [service]}: the systemd unit it runs ({@code systemd_unit}, alias
 *                       {@code unit}; always ending in {@code .service}), and then {@code address} and
 *                       {@code interfaceName} are null; the empty string for a hook-only {@code [service]}
 *                       (no unit: the resource is its hooks, see {@link #hookOnly()}); null for a {@code [vip]}
 * @param announce       {@code announce} of a {@code [vip]}: true (the default) sends gratuitous ARP /
 *                       unsolicited NA after the address is added; false adds it without (a provider's
 *                       API, called by the hooks, moves the address). Always true for a service.
 */
public record VipConfig(String name, Cidr address, String interfaceName, String preStart, String postStart,
                        String preStop, String postStop, List<String> preferredNodes, int line,
                        Map<String, Integer> keyLines, Grouping grouping, List<String> checks,
                        boolean stopWhenNoHealthyNode, String systemdUnit, boolean announce) {
    public VipConfig {
        Objects.requireNonNull(name, "name");
        if (systemdUnit == null) {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(interfaceName, "interfaceName");
        } else if (address != null || interfaceName != null) {
            throw new IllegalArgumentException("a service has no address or interface");
        }
        preferredNodes = List.copyOf(preferredNodes);
        keyLines = Map.copyOf(keyLines);
        grouping = grouping == null ? Grouping.NONE : grouping;
        checks = checks == null ? List.of() : List.copyOf(checks);
        if (!announce && systemdUnit != null) {
            throw new IllegalArgumentException("a service has no address to announce");
        }
    }

    /** A VIP or a service, announced (a VIP's default). */
    public VipConfig(String name, Cidr address, String interfaceName, String preStart, String postStart,
                     String preStop, String postStop, List<String> preferredNodes, int line,
                     Map<String, Integer> keyLines, Grouping grouping, List<String> checks,
                     boolean stopWhenNoHealthyNode, String systemdUnit) {
        this(name, address, interfaceName, preStart, postStart, preStop, postStop, preferredNodes, line, keyLines,
                grouping, checks, stopWhenNoHealthyNode, systemdUnit, true);
    }

    /** A VIP (no systemd unit). */
    public VipConfig(String name, Cidr address, String interfaceName, String preStart, String postStart,
                     String preStop, String postStop, List<String> preferredNodes, int line,
                     Map<String, Integer> keyLines, Grouping grouping, List<String> checks,
                     boolean stopWhenNoHealthyNode) {
        this(name, address, interfaceName, preStart, postStart, preStop, postStop, preferredNodes, line, keyLines,
                grouping, checks, stopWhenNoHealthyNode, null);
    }

    /** True for a {@code [service]}: a systemd unit, no address. */
    public boolean isService() {
        return systemdUnit != null;
    }

    /**
     * True for a hook-only {@code [service]}: no unit and no address; its hooks are the resource
     * ({@code pre_start} attaches it at a provider, {@code post_stop} detaches it).
     */
    public boolean hookOnly() {
        return systemdUnit != null && systemdUnit.isEmpty();
    }

    /** The section kind as lcs.conf spells it: {@code vip} or {@code service}. */
    public String sectionKind() {
        return isService() ? "service" : "vip";
    }

    /** A VIP in no group. */
    public VipConfig(String name, Cidr address, String interfaceName, String preStart, String postStart,
                     String preStop, String postStop, List<String> preferredNodes, int line,
                     Map<String, Integer> keyLines, List<String> checks, boolean stopWhenNoHealthyNode) {
        this(name, address, interfaceName, preStart, postStart, preStop, postStop, preferredNodes, line, keyLines,
                Grouping.NONE, checks, stopWhenNoHealthyNode);
    }

    /** A VIP without health checks. */
    public VipConfig(String name, Cidr address, String interfaceName, String preStart, String postStart,
                     String preStop, String postStop, List<String> preferredNodes, int line,
                     Map<String, Integer> keyLines, Grouping grouping) {
        this(name, address, interfaceName, preStart, postStart, preStop, postStop, preferredNodes, line, keyLines,
                grouping, List.of(), false);
    }

    /** A VIP without group or health checks. */
    public VipConfig(String name, Cidr address, String interfaceName, String preStart, String postStart,
                     String preStop, String postStop, List<String> preferredNodes, int line,
                     Map<String, Integer> keyLines) {
        this(name, address, interfaceName, preStart, postStart, preStop, postStop, preferredNodes, line, keyLines,
                Grouping.NONE, List.of(), false);
    }

    /** A VIP not read from a file line by line: every key is placed on the section's {@code line}. */
    public VipConfig(String name, Cidr address, String interfaceName, String preStart, String postStart,
                     String preStop, String postStop, List<String> preferredNodes, int line) {
        this(name, address, interfaceName, preStart, postStart, preStop, postStop, preferredNodes, line, Map.of());
    }

    /** @return the line {@code key} was written on, else the section's line */
    public int lineOf(String key) {
        return keyLines.getOrDefault(key, line);
    }

    /** The hooks this section names, by lcs.conf key ({@code pre_start} ...), in run order; absent ones left out. */
    public Map<String, String> hooks() {
        Map<String, String> hooks = new LinkedHashMap<>();
        putIfSet(hooks, "pre_start", preStart);
        putIfSet(hooks, "post_start", postStart);
        putIfSet(hooks, "pre_stop", preStop);
        putIfSet(hooks, "post_stop", postStop);
        return hooks;
    }

    private static void putIfSet(Map<String, String> hooks, String key, String path) {
        if (path != null) {
            hooks.put(key, path);
        }
    }
}
