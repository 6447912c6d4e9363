package io.lcs.model.api;

import io.lcs.model.Names;
import io.lcs.model.codec.ManifestError;
import io.lcs.model.config.ClusterConfig;
import io.lcs.model.config.ConfigError;
import io.lcs.model.config.GroupRules;
import io.lcs.model.config.Grouping;
import io.lcs.model.config.HookPolicy;
import io.lcs.model.config.NodeConfig;
import io.lcs.model.config.Role;
import io.lcs.model.config.VipConfig;
import io.lcs.model.net.Cidr;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The one check of the whole desired state, shared by {@code lcs apply}, {@code lcs delete} and a
 * reload of lcs.conf: a change is accepted only if the state it leads to is consistent. Pure (no
 * I/O, no clock) and thread-safe; every problem is reported, each naming where it is (the document
 * and field of a manifest, the {@code FILE:LINE} of lcs.conf) in the config parser's words.
 *
 * <p>Rules (checked against the state as it is plus the whole change, so a multi-document apply is
 * all-or-nothing):
 * <ul>
 *   <li>one IP, one VIP: no two VIPs (lcs.conf {@code [vip]} sections and {@code VirtualIP}s applied
 *       through the API together) have the same IP; the prefix length does not count
 *       ({@code 198.18.0.1/24} and {@code 198.18.0.1/32} are the same address) and IPv6 addresses
 *       compare as addresses, not as text. A VIP is not the address of a node either;</li>
 *   <li>an API object never shadows lcs.conf: a {@code VirtualIP} named like a {@code [vip]}
 *       section is refused, and such a VIP cannot be deleted through the API;</li>
 *   <li>references resolve: {@code VirtualIP.spec.preferredNodes} are configured full members;
 *       {@code Move.spec.vip} and {@code ConflictAck.spec.vip} name a VIP (existing or in the same
 *       change); {@code Move.spec.to} is a full member; a {@code NodeIntent} names a node, and
 *       cordoning or draining a quorum-only node (which never holds a VIP) is refused;</li>
 *   <li>a hook of an API {@code VirtualIP} is allowed by lcs.conf ({@link HookPolicy});</li>
 *   <li>groups, home nodes and dependencies of all VIPs together obey {@link GroupRules#check} (a
 *       group exists in lcs.conf, no dependency cycle, ...), and a {@code ResourceIntent} names a VIP;
 *       a VIP another depends on cannot be deleted.</li>
 * </ul>
 * Per-object rules (types, names, CIDR syntax) are {@link ObjectValidator}'s: objects given here have
 * passed it.
 *
 * <p>Two nodes may still accept two colliding VIPs at the same moment (each write is its own
 * replicated register, there is no transaction across objects), and a node without this check may
 * have stored one: the daemon resolves what slipped through with one rule every node computes alike,
 * see {@link #addressConflicts}.
 */
public final class DesiredStateValidator {
    private DesiredStateValidator() {
    }

    /**
     * A {@code VirtualIP} or a {@code Service} applied through the API, as the desired state holds it
     * now (every one, including any an lcs.conf section of the same name hides).
     *
     * @param address the VIP's address; null for a Service (which has a unit instead)
     * @param creationTimestamp ISO-8601 text the accepting node stamped at creation, or null if unknown
     * @param unit a Service's systemd unit; null for a VirtualIP and a hook-only Service
     */
    public record ApiVip(String name, Cidr address, String creationTimestamp, Grouping grouping, List<String> checks,
                         String unit) {
        public ApiVip {
            grouping = grouping == null ? Grouping.NONE : grouping;
            checks = checks == null ? List.of() : List.copyOf(checks);
            unit = unit == null || unit.isEmpty() ? null : unit;
        }

        public ApiVip(String name, Cidr address, String creationTimestamp, Grouping grouping, List<String> checks) {
            this(name, address, creationTimestamp, grouping, checks, null);
        }

        /** True for a {@code Service} (no address). */
        public boolean isService() {
            return address == null;
        }

        /** {@code VirtualIP} or {@code Service}. */
        public String kind() {
            return isService() ? Service.KIND : VirtualIP.KIND;
        }

        public ApiVip(String name, Cidr address, String creationTimestamp, Grouping grouping) {
            this(name, address, creationTimestamp, grouping, List.of());
        }

        public ApiVip(String name, Cidr address, String creationTimestamp) {
            this(name, address, creationTimestamp, Grouping.NONE);
        }

        public ApiVip(String name, Cidr address) {
            this(name, address, null);
        }
    }

    /**
     * The desired state a change is checked against: this node's lcs.conf, the API's VIPs and the
     * names of the API's {@code HealthCheck}s.
     */
    public record State(ClusterConfig config, List<ApiVip> apiVips, Set<String> apiChecks) {
        public State {
            apiVips = List.copyOf(apiVips);
            apiChecks = Set.copyOf(apiChecks);
        }

        public State(ClusterConfig config, List<ApiVip> apiVips) {
            this(config, apiVips, Set.of());
        }
    }

    /** What a reload check found: errors refuse the reload; warnings are logged and it goes ahead. */
    public record ReloadCheck(List<ConfigError> errors, List<ConfigError> warnings) {
        public ReloadCheck {
            errors = List.copyOf(errors);
            warnings = List.copyOf(warnings);
        }
    }

    /** One VIP that holds an address, and how a message names it. */
    private record Holder(String name, Cidr address, String description) {
    }

    /** One service that holds a unit, and how a message names it. */
    private record UnitHolder(String name, String description) {
    }

    // ------------------------------------------------------------------ apply

    /**
     * Checks applying {@code proposed} (document {@code i + 1} is {@code proposed.get(i)}) to
     * {@code state}.
     *
     * @param source how problems name the input, e.g. {@code request body}
     * @return every problem, in document order; empty if the change may be written
     */
    public static List<ManifestError> validateApply(State state, String source, List<LcsObject> proposed) {
        ClusterConfig config = state.config();
        Map<String, NodeConfig> nodes = nodesByName(config);
        HookPolicy hooks = HookPolicy.of(config);
        List<ManifestError> out = new ArrayList<>();

        // the VIPs and services after the change: lcs.conf, then the API's, each replaced by the document
        // that changes it
        Map<String, Integer> documentOf = new HashMap<>();
        Map<String, String> kindOf = new HashMap<>();
        for (ApiVip a : state.apiVips()) {
            kindOf.put(a.name(), a.kind());
        }
        for (int i = 0; i < proposed.size(); i++) {
            LcsObject o = proposed.get(i);
            if (isResource(o) && o.metadata() != null && o.metadata().name() != null) {
                documentOf.putIfAbsent(o.metadata().name(), i + 1);
            }
        }
        Map<InetAddress, List<Holder>> holders = new LinkedHashMap<>();
        for (VipConfig v : config.vips()) {
            if (!v.isService()) {
                add(holders, new Holder(v.name(), v.address(), configVip(config, v, "address")));
            }
        }
        for (ApiVip a : state.apiVips()) {
            if (!a.isService() && !documentOf.containsKey(a.name()) && config.vip(a.name()).isEmpty()) {
                add(holders, new Holder(a.name(), a.address(), "VirtualIP " + a.name()));
            }
        }
        // one unit, one service: each service has its own lease, so two naming one unit would run it on two nodes
        Map<String, UnitHolder> unitHolders = new HashMap<>();
        for (VipConfig v : config.vips()) {
            if (v.isService() && !v.hookOnly()) {
                unitHolders.putIfAbsent(v.systemdUnit(), new UnitHolder(v.name(), "[service " + v.name() + "] ("
                        + at(config, v.line()) + ")"));
            }
        }
        for (ApiVip a : state.apiVips()) {
            if (a.unit() != null && !documentOf.containsKey(a.name()) && config.vip(a.name()).isEmpty()) {
                unitHolders.putIfAbsent(a.unit(), new UnitHolder(a.name(), "Service " + a.name()));
            }
        }
        Set<String> vipNames = new HashSet<>(documentOf.keySet());
        for (VipConfig v : config.vips()) {
            vipNames.add(v.name());
        }
        for (ApiVip a : state.apiVips()) {
            vipNames.add(a.name());
        }
        // the checks after the change: lcs.conf's [check] sections, the API's HealthChecks and this change's
        Set<String> checkNames = new HashSet<>(state.apiChecks());
        config.checks().forEach(c -> checkNames.add(c.name()));
        Set<String> newChecks = new HashSet<>();
        for (LcsObject o : proposed) {
            if (o instanceof HealthCheck c && c.metadata() != null && c.metadata().name() != null) {
                checkNames.add(c.metadata().name());
                if (!state.apiChecks().contains(c.metadata().name())) {
                    newChecks.add(c.metadata().name());
                }
            }
        }
        int checksAfter = config.checks().size() + state.apiChecks().size() + newChecks.size();

        for (int i = 0; i < proposed.size(); i++) {
            LcsObject o = proposed.get(i);
            int document = i + 1;
            String name = o.metadata() == null ? null : o.metadata().name();
            String what = o.kind() + (name == null ? "" : " " + name);
            List<FieldProblem> problems = new ArrayList<>();
            if (isResource(o)) {
                checkResourceName(config, kindOf, o, problems);
                if (o instanceof VirtualIP v) {
                    checkVirtualIP(config, holders, v, document, problems);
                }
                if (o instanceof Service svc) {
                    checkUnit(unitHolders, svc, document, problems);
                }
                checkResource(config, nodes, hooks, o, problems);
                checkCheckReferences(checkNames, resourceSpec(o), problems);
            } else if (o instanceof HealthCheck c) {
                checkHealthCheck(config, hooks, c, checksAfter, problems);
            } else if (o instanceof Move m && m.spec() != null) {
                checkVipReference(vipNames, "spec.vip", m.spec().vip(), problems);
                if (m.spec().to() != null) {
                    checkFullMember(config, nodes, "spec.to", m.spec().to(), "never holds a VIP", problems);
                }
            } else if (o instanceof ConflictAck a && a.spec() != null) {
                checkVipReference(vipNames, "spec.vip", a.spec().vip(), problems);
            } else if (o instanceof ResourceIntent && name != null) {
                checkVipReference(vipNames, "metadata.name", name, problems);
            } else if (o instanceof NodeIntent n && name != null) {
                NodeConfig node = nodes.get(name);
                if (node == null) {
                    problems.add(new FieldProblem("metadata.name", noSuchNode(config, name)));
                } else if (node.role() != Role.FULL_MEMBER && n.spec() != null
                        && (n.spec().cordoned() || n.spec().drain())) {
                    problems.add(new FieldProblem("metadata.name", "node '" + name + "' is " + node.role().label()
                            + " and never holds a VIP: cordoning or draining it changes nothing"));
                }
            }
            for (FieldProblem p : problems) {
                out.add(new ManifestError(source, document, what, p.fieldPath(), p.message(), 0, 0));
            }
        }
        checkGroupRules(state, source, proposed, documentOf, out);
        return out;
    }

    /**
     * Groups, home nodes and dependencies of every VIP after the change; a problem is reported on the
     * document of the VIP it is about, or, when that VIP is not in the change (a cycle this change
     * closes through an existing VIP), on the change's first VirtualIP.
     */
    private static void checkGroupRules(State state, String source, List<LcsObject> proposed,
                                        Map<String, Integer> documentOf, List<ManifestError> out) {
        if (documentOf.isEmpty()) {
            return;
        }
        Map<String, String> kindOf = new HashMap<>();
        for (ApiVip a : state.apiVips()) {
            kindOf.put(a.name(), a.kind());
        }
        for (LcsObject o : proposed) {
            if (isResource(o) && o.metadata() != null && o.metadata().name() != null) {
                kindOf.put(o.metadata().name(), o.kind());
            }
        }
        ClusterConfig config = state.config();
        List<GroupRules.Member> configMembers = new ArrayList<>();
        for (VipConfig v : config.vips()) {
            configMembers.add(new GroupRules.Member(v.name(), v.grouping()));
        }
        List<GroupRules.Member> members = new ArrayList<>(configMembers);
        for (ApiVip a : state.apiVips()) {
            if (!documentOf.containsKey(a.name()) && config.vip(a.name()).isEmpty()) {
                members.add(new GroupRules.Member(a.name(), a.grouping()));
            }
        }
        for (LcsObject o : proposed) {
            ResourceSpec spec = resourceSpec(o);
            if (spec != null && o.metadata() != null && o.metadata().name() != null
                    && config.vip(o.metadata().name()).isEmpty()) {
                members.add(new GroupRules.Member(o.metadata().name(), spec.grouping()));
            }
        }
        int first = documentOf.values().stream().min(Integer::compare).orElse(1);
        // lcs.conf's own problems are the parser's; one that a lcs.conf resource has only with the
        // change (an applied resource depending on two of a strict anti-affinity group ties them
        // into one lease) is the change's, reported on its first document
        Set<String> configOwn = new HashSet<>();
        for (GroupRules.Problem p : GroupRules.check(configMembers, config.groupsByName(), config.rolesByName())) {
            configOwn.add(p.resource() + "\n" + p.message());
        }
        String firstName = documentOf.entrySet().stream().filter(e -> e.getValue() == first).map(Map.Entry::getKey)
                .findFirst().orElse(null);
        for (GroupRules.Problem p : GroupRules.check(members, config.groupsByName(), config.rolesByName())) {
            Integer document = documentOf.get(p.resource());
            if (config.vip(p.resource()).isPresent() && document == null) {
                if (configOwn.contains(p.resource() + "\n" + p.message()) || firstName == null) {
                    continue;
                }
                out.add(new ManifestError(source, first, kindOf.getOrDefault(firstName, VirtualIP.KIND) + " "
                        + firstName, p.field().manifestField(), "with this change, lcs.conf's " + p.resource() + ": "
                        + p.message(), 0, 0));
                continue;
            }
            out.add(new ManifestError(source, document == null ? first : document, kindOf.getOrDefault(p.resource(),
                    VirtualIP.KIND) + " " + p.resource(), p.field().manifestField(), p.message(), 0, 0));
        }
    }

    /**
     * One name, one resource: a VirtualIP or Service is not named like a {@code [vip]} or
     * {@code [service]} of lcs.conf (an API object never shadows lcs.conf), nor like an applied
     * resource of the other kind, nor like an earlier document of the other kind in this change.
     */
    private static void checkResourceName(ClusterConfig config, Map<String, String> kindOf, LcsObject o,
                                          List<FieldProblem> problems) {
        String name = o.metadata() == null ? null : o.metadata().name();
        if (name == null) {
            return;
        }
        VipConfig shadowed = config.vip(name).orElse(null);
        if (shadowed != null) {
            problems.add(new FieldProblem("metadata.name", o.kind() + " " + name + " is defined in lcs.conf ("
                    + configVip(config, shadowed, null) + "); change it there, or pick another name"));
            return;
        }
        String other = kindOf.putIfAbsent(name, o.kind());
        if (other != null && !other.equals(o.kind())) {
            problems.add(new FieldProblem("metadata.name", name + " is already a " + other + "; a VIP and a service"
                    + " share one name space (one lease per name): pick another name, or delete the " + other
                    + " first"));
        }
    }

    /** The fields a VirtualIP and a Service share: placement on full members, hooks lcs.conf allows, checks. */
    private static void checkResource(ClusterConfig config, Map<String, NodeConfig> nodes, HookPolicy hooks,
                                      LcsObject o, List<FieldProblem> problems) {
        ResourceSpec spec = resourceSpec(o);
        if (spec == null) {
            return;
        }
        List<String> preferred = spec.preferredNodes();
        if (preferred != null) {
            for (int i = 0; i < preferred.size(); i++) {
                checkFullMember(config, nodes, "spec.preferredNodes[" + i + "]", preferred.get(i),
                        "never holds a VIP or a service; list only full-member nodes", problems);
            }
        }
        VirtualIP.Hooks h = spec.hooks();
        if (h != null) {
            checkHook(hooks, "spec.hooks.preStart", h.preStart(), problems);
            checkHook(hooks, "spec.hooks.postStart", h.postStart(), problems);
            checkHook(hooks, "spec.hooks.preStop", h.preStop(), problems);
            checkHook(hooks, "spec.hooks.postStop", h.postStop(), problems);
        }
    }

    /** One unit, one service (lcs.conf's, the API's others, and the change's earlier documents). */
    private static void checkUnit(Map<String, UnitHolder> unitHolders, Service s, int document,
                                  List<FieldProblem> problems) {
        String unit = s.spec() == null ? null : s.spec().systemdUnit();
        String name = s.metadata() == null ? null : s.metadata().name();
        if (unit == null || unit.isEmpty() || name == null) {
            return;
        }
        UnitHolder holder = unitHolders.putIfAbsent(unit, new UnitHolder(name, "Service " + name + " (document "
                + document + ")"));
        if (holder != null && !holder.name().equals(name)) {
            problems.add(new FieldProblem("spec.systemdUnit", unit + " is already the unit of " + holder.description()
                    + ": each service has its own lease, so two nodes would run the unit at once; give each unit one"
                    + " service"));
        }
    }

    /** One IP, one VIP, and not a node's own address. */
    private static void checkVirtualIP(ClusterConfig config, Map<InetAddress, List<Holder>> holders, VirtualIP v, int document,
                                       List<FieldProblem> problems) {
        String name = v.metadata() == null ? null : v.metadata().name();
        VirtualIP.Spec spec = v.spec();
        if (spec == null) {
            return;
        }
        Cidr address = parseOrNull(spec.address());
        if (address != null) {
            for (Holder h : holders.getOrDefault(address.address(), List.of())) {
                if (!h.name().equals(name)) {
                    problems.add(new FieldProblem("spec.address", address + " is the same IP as " + h.description()
                            + " (" + h.address() + "); one IP can be only one VIP"));
                }
            }
            NodeConfig node = nodeWithAddress(config, address.address());
            if (node != null) {
                problems.add(new FieldProblem("spec.address", address.addressText() + " is the address of [node "
                        + node.name() + "] (" + at(config, node.line()) + "); a VIP must be an address no node owns"
                        + " permanently"));
            }
            if (name != null) {
                add(holders, new Holder(name, address, "document " + document + " (VirtualIP " + name + ")"));
            }
        }
    }

    /** True for the kinds that are resources: a VirtualIP or a Service. */
    static boolean isResource(LcsObject o) {
        return o instanceof VirtualIP || o instanceof Service;
    }

    /** The spec of a VirtualIP or Service, or null (another kind, or no spec). */
    static ResourceSpec resourceSpec(LcsObject o) {
        if (o instanceof VirtualIP v) {
            return v.spec();
        }
        return o instanceof Service svc ? svc.spec() : null;
    }

    private static boolean isResourceKind(String kind) {
        return kind.equals(VirtualIP.KIND) || kind.equals(Service.KIND);
    }

    /** Every check a VIP lists exists: an lcs.conf {@code [check]}, an applied HealthCheck or one in the change. */
    private static void checkCheckReferences(Set<String> checkNames, ResourceSpec spec, List<FieldProblem> problems) {
        List<String> checks = spec == null || spec.checks() == null ? List.of() : spec.checks();
        for (int i = 0; i < checks.size(); i++) {
            String check = checks.get(i);
            if (check != null && Names.isValid(check) && !checkNames.contains(check)) {
                problems.add(new FieldProblem("spec.checks[" + i + "]", "there is no check '" + check
                        + "' (a [check] section of lcs.conf, a HealthCheck applied, or one in this manifest)"));
            }
        }
    }

    /**
     * A HealthCheck does not shadow an lcs.conf {@code [check]}, an {@code exec} check runs a program
     * lcs.conf allows (the hook rules: it runs as root on every full-member), and the cluster stays
     * within {@link io.lcs.model.config.CheckFields#MAX_CHECKS}.
     */
    private static void checkHealthCheck(ClusterConfig config, HookPolicy hooks, HealthCheck c, int checksAfter,
                                         List<FieldProblem> problems) {
        String name = c.metadata() == null ? null : c.metadata().name();
        for (io.lcs.model.config.CheckConfig own : config.checks()) {
            if (own.name().equals(name)) {
                problems.add(new FieldProblem("metadata.name", "check " + name + " is defined in lcs.conf ([check "
                        + name + "] at " + at(config, own.line()) + "); change it there, or pick another name"));
            }
        }
        io.lcs.model.config.CheckConfig parsed = c.spec() == null ? null : c.toCheckConfig();
        if (parsed != null && !parsed.command().isEmpty()) {
            checkHook(hooks, "spec.command", parsed.command().get(0), problems);
        }
        if (checksAfter > io.lcs.model.config.CheckFields.MAX_CHECKS) {
            problems.add(new FieldProblem("metadata.name", "the cluster would have " + checksAfter
                    + " checks (lcs.conf and HealthChecks); the limit is " + io.lcs.model.config.CheckFields.MAX_CHECKS));
        }
    }

    private static void checkHook(HookPolicy hooks, String field, String path, List<FieldProblem> problems) {
        if (path != null && !path.isEmpty()) {
            String problem = hooks.problem(path);
            if (problem != null) {
                problems.add(new FieldProblem(field, problem));
            }
        }
    }

    private static void checkVipReference(Set<String> vipNames, String field, String vip,
                                          List<FieldProblem> problems) {
        if (vip != null && !vipNames.contains(vip)) {
            problems.add(new FieldProblem(field, "there is no VirtualIP or Service '" + Names.abbreviate(vip)
                    + "' (in lcs.conf, applied, or in this manifest)"));
        }
    }

    private static void checkFullMember(ClusterConfig config, Map<String, NodeConfig> nodes, String field,
                                        String node, String why, List<FieldProblem> problems) {
        if (node == null || !Names.isValid(node)) {
            return; // ObjectValidator's
        }
        NodeConfig n = nodes.get(node);
        if (n == null) {
            problems.add(new FieldProblem(field, noSuchNode(config, node)));
        } else if (n.role() != Role.FULL_MEMBER) {
            problems.add(new FieldProblem(field, "node '" + node + "' is " + n.role().label() + " and " + why));
        }
    }

    // ------------------------------------------------------------------ delete

    /**
     * Checks deleting {@code keys} (document {@code i + 1} is {@code keys.get(i)}; pass a null
     * {@code source} for a single delete by name, and the problems carry no location).
     *
     * @return every problem; empty if every key may be deleted (absent objects are not a problem
     *     here: the delete reports them as not found)
     */
    public static List<ManifestError> validateDelete(State state, String source, List<ObjectKey> keys) {
        ClusterConfig config = state.config();
        List<ManifestError> out = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            ObjectKey key = keys.get(i);
            if (key.kind().equals(HealthCheck.KIND)) {
                checkCheckDelete(state, source, keys, i, out);
                continue;
            }
            if (!isResourceKind(key.kind())) {
                continue;
            }
            for (ApiVip a : state.apiVips()) {
                if (!a.name().equals(key.name()) && a.grouping().dependsOn().contains(key.name())
                        && keys.stream().noneMatch(k -> isResourceKind(k.kind()) && k.name().equals(a.name()))) {
                    out.add(new ManifestError(source == null ? "" : source, source == null ? 0 : i + 1,
                            key.kind() + " " + key.name(), "metadata.name", a.kind() + " " + a.name()
                            + " depends on it (spec.dependsOn); delete or change " + a.name() + " first", 0, 0));
                }
            }
            VipConfig v = config.vip(key.name()).orElse(null);
            boolean hiddenApiObject = state.apiVips().stream().anyMatch(a -> a.name().equals(key.name()));
            if (v != null && !hiddenApiObject) {
                out.add(new ManifestError(source == null ? "" : source, source == null ? 0 : i + 1,
                        key.kind() + " " + key.name(), "metadata.name", key.kind() + " " + key.name()
                        + " is defined in lcs.conf (" + configVip(config, v, null) + "); remove its ["
                        + v.sectionKind() + "] section there", 0, 0));
            }
        }
        return out;
    }

    /** A HealthCheck a VIP lists (one not deleted in the same request) stays. */
    private static void checkCheckDelete(State state, String source, List<ObjectKey> keys, int i,
                                         List<ManifestError> out) {
        ObjectKey key = keys.get(i);
        for (ApiVip a : state.apiVips()) {
            if (a.checks().contains(key.name()) && state.config().vip(a.name()).isEmpty()
                    && keys.stream().noneMatch(k -> isResourceKind(k.kind()) && k.name().equals(a.name()))) {
                out.add(new ManifestError(source == null ? "" : source, source == null ? 0 : i + 1,
                        key.kind() + " " + key.name(), "metadata.name", a.kind() + " " + a.name()
                        + " lists it in spec.checks; remove it there (or delete " + a.name() + ") first", 0, 0));
            }
        }
        if (state.config().checks().stream().anyMatch(c -> c.name().equals(key.name()))
                && !state.apiChecks().contains(key.name())) {
            out.add(new ManifestError(source == null ? "" : source, source == null ? 0 : i + 1,
                    key.kind() + " " + key.name(), "metadata.name", "check " + key.name()
                    + " is defined in lcs.conf; remove its [check] section there", 0, 0));
        }
    }

    // ------------------------------------------------------------------ reload

    /**
     * Checks running with {@code reread} (a re-read lcs.conf) while {@code apiVips} are applied: a
     * {@code [vip]} section with the IP of an API VIP is an error naming its line and the API
     * object; one with the name of an API VIP hides that object on this node (the lease is per name,
     * so the address does not move): a warning.
     *
     * @param sections the {@code [vip]} sections to check (those the reload adds or changes: a clash
     *     the running configuration already had is not the reload's doing)
     */
    public static ReloadCheck validateReload(ClusterConfig reread, List<ApiVip> apiVips, Collection<String> sections) {
        List<ConfigError> errors = new ArrayList<>();
        List<ConfigError> warnings = new ArrayList<>();
        for (VipConfig v : reread.vips()) {
            if (!sections.contains(v.name())) {
                continue;
            }
            for (ApiVip a : apiVips) {
                if (a.name().equals(v.name())) {
                    warnings.add(new ConfigError(reread.file(), v.line(), "[" + v.sectionKind() + " " + v.name() + "] hides "
                            + a.kind() + " " + a.name() + " applied through the API: this node runs the lcs.conf one;"
                            + " delete the API object (lcs delete " + (a.isService() ? "service " : "vip ") + a.name()
                            + ") once every node has this lcs.conf"));
                } else if (v.isService() && !v.hookOnly() && v.systemdUnit().equals(a.unit())) {
                    errors.add(new ConfigError(reread.file(), v.lineOf(v.keyLines().containsKey("unit") ? "unit"
                            : "systemd_unit"), "[service " + v.name() + "] unit " + v.systemdUnit() + " is already the unit of"
                            + " Service " + a.name() + " applied through the API: each service has its own lease, so two"
                            + " nodes would run the unit at once; give it another unit, or delete the API object first"
                            + " (lcs delete service " + a.name() + ")"));
                } else if (!v.isService() && !a.isService() && a.address().address().equals(v.address().address())) {
                    errors.add(new ConfigError(reread.file(), v.lineOf("address"), "[vip " + v.name() + "] address "
                            + v.address() + " is the same IP as VirtualIP " + a.name() + " (" + a.address()
                            + ") applied through the API; one IP can be only one VIP: change the address, or delete"
                            + " the API object first (lcs delete vip " + a.name() + ")"));
                }
            }
        }
        return new ReloadCheck(errors, warnings);
    }

    // ------------------------------------------------------------------ what slipped through

    /**
     * The rule every node applies alike when the desired state nevertheless holds two VIPs with one
     * IP (two nodes accepted them at the same moment, or a node without these checks did): per IP,
     * the winner is the lcs.conf VIP if there is one (lcs.conf is root's file, and every path through
     * the API refuses to collide with it), else the API VIP created first ({@code creationTimestamp},
     * ISO-8601 UTC text as the accepting node stamped it, so it compares as text; unknown counts as
     * last), ties broken by name. A winner that is already live is therefore never displaced by a
     * newcomer. Pure and independent of the order of its inputs.
     *
     * @param configVips the lcs.conf VIPs: name to address
     * @param apiVips the API's VIPs that lcs.conf does not hide (no {@code [vip]} of the same name)
     * @return per losing VIP name, the name of the VIP that keeps the address; empty when all IPs are unique
     */
    public static Map<String, String> addressConflicts(Map<String, Cidr> configVips, List<ApiVip> apiVips) {
        Map<String, InetAddress> configIps = new HashMap<>();
        configVips.forEach((name, cidr) -> configIps.put(name, cidr.address()));
        return keepers(configIps, apiVips, a -> a.isService() ? null : a.address().address());
    }

    /**
     * The same rule for services that name one systemd unit (two nodes accepted them at the same
     * moment; every path through the API refuses it otherwise): per unit, the lcs.conf service keeps
     * it if there is one (the first by name), else the API Service created first, ties broken by
     * name; the others are held out of placement. Pure and independent of the order of its inputs.
     *
     * @param configUnits the lcs.conf services with a unit: name to unit
     * @param apiVips the API's VIPs and Services that lcs.conf does not hide
     * @return per losing service name, the name of the service that keeps the unit
     */
    public static Map<String, String> unitConflicts(Map<String, String> configUnits, List<ApiVip> apiVips) {
        return keepers(configUnits, apiVips, ApiVip::unit);
    }

    /**
     * The rule of {@link #addressConflicts} and {@link #unitConflicts} over any one thing two
     * resources may not share ({@code keyOf}: null for a resource without one): per key, the first
     * lcs.conf resource by name keeps it, else the API resource created first.
     *
     * @return per losing resource name, the name of the one that keeps its key
     */
    private static <K> Map<String, String> keepers(Map<String, K> config, List<ApiVip> apiVips,
                                                   java.util.function.Function<ApiVip, K> keyOf) {
        Map<K, String> winners = new HashMap<>();
        Map<K, ApiVip> apiWinners = new HashMap<>();
        for (Map.Entry<String, K> v : new TreeMap<>(config).entrySet()) {
            winners.putIfAbsent(v.getValue(), v.getKey());
        }
        for (ApiVip a : apiVips) {
            K key = keyOf.apply(a);
            if (key == null || winners.containsKey(key) && !apiWinners.containsKey(key)) {
                continue; // none, or an lcs.conf resource has it
            }
            ApiVip best = apiWinners.get(key);
            if (best == null || earlier(a, best)) {
                apiWinners.put(key, a);
                winners.put(key, a.name());
            }
        }
        Map<String, String> losers = new TreeMap<>();
        for (Map.Entry<String, K> v : config.entrySet()) {
            String w = winners.get(v.getValue());
            if (!w.equals(v.getKey())) {
                losers.put(v.getKey(), w);
            }
        }
        for (ApiVip a : apiVips) {
            K key = keyOf.apply(a);
            if (key != null && !winners.get(key).equals(a.name())) {
                losers.put(a.name(), winners.get(key));
            }
        }
        return losers;
    }

    private static boolean earlier(ApiVip a, ApiVip b) {
        String ta = a.creationTimestamp();
        String tb = b.creationTimestamp();
        if (ta != null && tb != null && !ta.equals(tb)) {
            return ta.compareTo(tb) < 0;
        }
        if ((ta == null) != (tb == null)) {
            return ta != null;
        }
        return a.name().compareTo(b.name()) < 0;
    }

    // ------------------------------------------------------------------ helpers

    private static void add(Map<InetAddress, List<Holder>> holders, Holder h) {
        holders.computeIfAbsent(h.address().address(), k -> new ArrayList<>(1)).add(h);
    }

    private static Map<String, NodeConfig> nodesByName(ClusterConfig config) {
        Map<String, NodeConfig> m = new HashMap<>();
        for (NodeConfig n : config.nodes()) {
            m.put(n.name(), n);
        }
        return m;
    }

    private static String noSuchNode(ClusterConfig config, String node) {
        List<String> names = new ArrayList<>();
        for (NodeConfig n : config.nodes()) {
            names.add(n.name());
        }
        return "there is no [node " + Names.abbreviate(node) + "] in lcs.conf (nodes: " + String.join(", ", names) + ")";
    }

    private static NodeConfig nodeWithAddress(ClusterConfig config, InetAddress address) {
        for (NodeConfig n : config.nodes()) {
            try {
                if (Cidr.parseAddress(n.address()).equals(address)) {
                    return n;
                }
            } catch (IllegalArgumentException hostName) {
                // a host name: never resolved here (the parser does not either)
            }
        }
        return null;
    }

    /** {@code [vip NAME] at FILE:LINE}, the line of {@code key} when given. */
    private static String configVip(ClusterConfig config, VipConfig v, String key) {
        return "[" + v.sectionKind() + " " + v.name() + "] at " + at(config, key == null ? v.line() : v.lineOf(key));
    }

    private static String at(ClusterConfig config, int line) {
        return line > 0 ? config.file() + ":" + line : config.file();
    }

    private static Cidr parseOrNull(String text) {
        try {
            return text == null ? null : Cidr.parse(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
