package io.lcs.model.api;

import io.lcs.model.config.CheckFields;

import io.lcs.model.Names;
import io.lcs.model.net.Cidr;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Semantic checks of one object, after it was read (types and known fields are the codec's job).
 * Returns every problem found, in document order, each naming its field; an empty list means valid.
 * Pure and thread-safe; never throws for any object, however malformed.
 *
 * <p>Rules, per kind:
 * <ul>
 *   <li>all: {@code metadata.name} is required and a valid name ({@link Names#problem}); labels
 *       have non-empty keys of at most {@value #MAX_LABEL_CHARS} printable characters without
 *       whitespace, non-null values of at most {@value #MAX_LABEL_CHARS} characters, and there are
 *       at most {@value #MAX_LABELS}. With {@link Origin#USER}, server-maintained metadata
 *       ({@code version}, {@code generation}, {@code creationTimestamp}) is <em>not</em> an error: it
 *       is ignored, and so is {@code status} (lcs writes it), see {@link ServerFields#strip}: the
 *       output of {@code lcs get vip web -o yaml} can be applied again, as with kubectl.</li>
 *   <li>{@code VirtualIP}: {@code spec.address} is required and a CIDR ({@link Cidr#parse}) of a
 *       unicast address;
 *       {@code spec.interface} is required and a Linux interface name (1 to
 *       {@value #MAX_IFNAME_BYTES} bytes, not {@code .} or {@code ..}, no {@code /}, {@code :},
 *       whitespace or control characters); {@code spec.preferredNodes} are valid names without
 *       duplicates; each hook is an absolute path.</li>
 *   <li>{@code Service}: {@code spec.systemdUnit} is a {@code .service} unit lcs may manage
 *       ({@link io.lcs.model.config.UnitNames#problem}); without it the service is only its hooks, and
 *       {@code spec.hooks.preStart} is required; the other fields as for a VirtualIP.</li>
 *   <li>{@code Move}: {@code spec.vip} is required and a valid name; {@code spec.to} is optional
 *       (null: any other eligible node) and a valid name; {@code spec.fromEpoch} is optional and ≥ 1.</li>
 *   <li>{@code ConflictAck}: {@code spec.vip} is required and a valid name; {@code spec.epoch} is
 *       <em>required</em> and ≥ 1. There is no "current epoch" default: an acknowledgement names
 *       the conflict the operator looked at, so a stale ack cannot clear a newer conflict.</li>
 *   <li>{@code NodeIntent}: {@code metadata.name} is the node's name; {@code spec} is required;
 *       {@code spec.drain} requires {@code spec.cordoned} (a drained node must not take VIPs back).</li>
 * </ul>
 */
public final class ObjectValidator {
    /** 15: IFNAMSIZ (16) minus the terminating NUL, as the kernel's dev_valid_name checks. */
    public static final int MAX_IFNAME_BYTES = 15;
    /** 4095: PATH_MAX (4096) minus the terminating NUL. */
    public static final int MAX_PATH_CHARS = 4095;
    /** 253: the Kubernetes limit for a label key prefix; labels end up in metric labels. */
    public static final int MAX_LABEL_CHARS = 253;
    /** 64 labels per object: labels select, they are not a database. */
    public static final int MAX_LABELS = 64;

    private ObjectValidator() {
    }

    /** Validates operator input: same as {@code validate(object, Origin.USER)}. */
    public static List<FieldProblem> validate(LcsObject object) {
        return validate(object, Origin.USER);
    }

    public static List<FieldProblem> validate(LcsObject object, Origin origin) {
        List<FieldProblem> problems = new ArrayList<>();
        if (object == null) {
            problems.add(new FieldProblem("", "expected an object, found nothing"));
            return problems;
        }
        checkMetadata(object.metadata(), problems);
        if (object instanceof VirtualIP vip) {
            checkVirtualIP(vip, origin, problems);
        } else if (object instanceof Service service) {
            checkService(service.spec(), problems);
        } else if (object instanceof Move move) {
            checkMove(move.spec(), problems);
        } else if (object instanceof ConflictAck ack) {
            checkConflictAck(ack.spec(), problems);
        } else if (object instanceof NodeIntent intent) {
            checkNodeIntent(intent.spec(), problems);
        } else if (object instanceof ResourceIntent intent && intent.spec() == null) {
            problems.add(new FieldProblem("spec", "is required (stopped, homeBlocked)"));
        } else if (object instanceof HealthCheck check) {
            checkHealthCheck(check, problems);
        }
        return problems;
    }

    /** @return null when {@code name} is a valid Linux interface name, otherwise why it is not */
    public static String interfaceNameProblem(String name) {
        if (name == null || name.isEmpty()) {
            return "interface name is empty";
        }
        String quoted = "'" + Names.abbreviate(name) + "'";
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_IFNAME_BYTES) {
            return "interface name " + quoted + " is longer than " + MAX_IFNAME_BYTES + " bytes";
        }
        if (name.equals(".") || name.equals("..")) {
            return "interface name " + quoted + " is reserved";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == ':' || Character.isWhitespace(c) || Character.isISOControl(c)) {
                return "interface name " + quoted + " may not contain '/', ':', whitespace or control characters";
            }
        }
        return null;
    }

    private static void checkMetadata(ObjectMeta metadata, List<FieldProblem> problems) {
        if (metadata == null) {
            problems.add(new FieldProblem("metadata", "is required (at least metadata.name)"));
            return;
        }
        if (metadata.name() == null) {
            problems.add(new FieldProblem("metadata.name", "is required"));
        } else {
            addIfProblem(problems, "metadata.name", Names.problem(metadata.name()));
        }
        Map<String, String> labels = metadata.labels();
        if (labels == null) {
            return;
        }
        if (labels.size() > MAX_LABELS) {
            problems.add(new FieldProblem("metadata.labels", labels.size() + " labels; at most " + MAX_LABELS));
            return;
        }
        for (Map.Entry<String, String> e : labels.entrySet()) {
            String key = e.getKey();
            String path = "metadata.labels." + Names.abbreviate(printable(key));
            if (key.isEmpty() || key.length() > MAX_LABEL_CHARS || !printableWithoutSpace(key)) {
                problems.add(new FieldProblem(path, "label key must be 1 to " + MAX_LABEL_CHARS
                        + " printable characters without whitespace"));
            }
            String value = e.getValue();
            if (value == null) {
                problems.add(new FieldProblem(path, "label value is null; use \"\" for an empty value"));
            } else if (value.length() > MAX_LABEL_CHARS || !printable(value).equals(value)) {
                problems.add(new FieldProblem(path, "label value must be at most " + MAX_LABEL_CHARS
                        + " printable characters"));
            }
        }
    }

    private static void checkVirtualIP(VirtualIP vip, Origin origin, List<FieldProblem> problems) {
        VirtualIP.Spec spec = vip.spec();
        if (spec == null) {
            problems.add(new FieldProblem("spec", "is required (address and interface)"));
        } else {
            if (spec.address() == null) {
                problems.add(new FieldProblem("spec.address", "is required (e.g. 198.18.0.201/24)"));
            } else {
                try {
                    Cidr cidr = Cidr.parse(spec.address());
                    if (cidr.address().isAnyLocalAddress() || cidr.address().isMulticastAddress()) {
                        // the config parser's rule and words for [vip] address
                        problems.add(new FieldProblem("spec.address", cidr + " is "
                                + (cidr.address().isAnyLocalAddress() ? "the unspecified address" : "a multicast address")
                                + "; a VIP must be a unicast address"));
                    }
                } catch (IllegalArgumentException e) {
                    problems.add(new FieldProblem("spec.address", e.getMessage()));
                }
            }
            if (spec.interfaceName() == null) {
                problems.add(new FieldProblem("spec.interface", "is required (the link to add the address to, e.g. eth0)"));
            } else {
                addIfProblem(problems, "spec.interface", interfaceNameProblem(spec.interfaceName()));
            }
            checkResourceSpec(spec, problems);
        }
    }

    private static void checkService(Service.Spec spec, List<FieldProblem> problems) {
        if (spec == null) {
            problems.add(new FieldProblem("spec", "is required (at least systemdUnit)"));
            return;
        }
        if (spec.systemdUnit() == null) {
            if (spec.hooks() == null || spec.hooks().preStart() == null) {
                problems.add(new FieldProblem("spec.systemdUnit", "is required (the systemd unit lcs starts on the"
                        + " node holding the service's lease and stops everywhere else, e.g. haproxy.service), unless"
                        + " the service is only its hooks: then spec.hooks.preStart (which attaches it, e.g. at a"
                        + " cloud provider) is required"));
            }
        } else {
            addIfProblem(problems, "spec.systemdUnit", io.lcs.model.config.UnitNames.problem(spec.systemdUnit()));
        }
        checkResourceSpec(spec, problems);
    }

    /** What a VirtualIP and a Service share: placement, grouping, checks and hooks. */
    private static void checkResourceSpec(ResourceSpec spec, List<FieldProblem> problems) {
        checkPreferredNodes(spec.preferredNodes(), problems);
        checkGrouping(spec, problems);
        checkCheckList(spec, problems);
        VirtualIP.Hooks hooks = spec.hooks();
        if (hooks != null) {
            checkHook("spec.hooks.preStart", hooks.preStart(), problems);
            checkHook("spec.hooks.postStart", hooks.postStart(), problems);
            checkHook("spec.hooks.preStop", hooks.preStop(), problems);
            checkHook("spec.hooks.postStop", hooks.postStop(), problems);
        }
    }

    /** The fields of one VIP's grouping; whether they resolve is the whole state's check (DesiredStateValidator). */
    private static void checkGrouping(ResourceSpec spec, List<FieldProblem> problems) {
        if (spec.group() != null) {
            addIfProblem(problems, "spec.group", Names.problem(spec.group()));
        }
        if (spec.homeNode() != null) {
            addIfProblem(problems, "spec.homeNode", Names.problem(spec.homeNode()));
        }
        if (spec.priority() != null && (spec.priority() < 1 || spec.priority() > MAX_PRIORITY)) {
            problems.add(new FieldProblem("spec.priority", spec.priority() + " is out of range 1.." + MAX_PRIORITY));
        }
        List<String> deps = spec.dependsOn();
        if (deps == null) {
            return;
        }
        if (deps.size() > io.lcs.model.config.Grouping.MAX_DEPENDENCIES) {
            problems.add(new FieldProblem("spec.dependsOn", deps.size() + " dependencies; the limit is "
                    + io.lcs.model.config.Grouping.MAX_DEPENDENCIES));
            return;
        }
        for (int i = 0; i < deps.size(); i++) {
            String problem = Names.problem(deps.get(i));
            if (problem != null) {
                problems.add(new FieldProblem("spec.dependsOn[" + i + "]", problem));
            }
        }
    }

    /** A VIP's {@code checks}: names, each once, at most {@link CheckFields#MAX_CHECKS_PER_RESOURCE}. */
    private static void checkCheckList(ResourceSpec spec, List<FieldProblem> problems) {
        if (spec.onNoHealthyNode() != null && !List.of("keep", "stop").contains(spec.onNoHealthyNode())) {
            problems.add(new FieldProblem("spec.onNoHealthyNode", "'" + Names.abbreviate(spec.onNoHealthyNode())
                    + "' is not keep or stop"));
        }
        List<String> checks = spec.checks();
        if (checks == null) {
            return;
        }
        if (checks.size() > CheckFields.MAX_CHECKS_PER_RESOURCE) {
            problems.add(new FieldProblem("spec.checks", checks.size() + " checks; the limit is "
                    + CheckFields.MAX_CHECKS_PER_RESOURCE + " per resource"));
            return;
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < checks.size(); i++) {
            String name = checks.get(i);
            String problem = Names.problem(name);
            if (problem != null) {
                problems.add(new FieldProblem("spec.checks[" + i + "]", problem));
            } else if (!seen.add(name)) {
                problems.add(new FieldProblem("spec.checks[" + i + "]", "check '" + name + "' is listed twice"));
            }
        }
    }

    /** A HealthCheck's fields, by the rules and in the words of an lcs.conf {@code [check]} section. */
    private static void checkHealthCheck(HealthCheck check, List<FieldProblem> problems) {
        if (check.spec() == null) {
            problems.add(new FieldProblem("spec", "is required (type and its target: url, command, address or"
                    + " interface)"));
            return;
        }
        if (check.metadata() == null || check.metadata().name() == null || Names.problem(check.metadata().name()) != null) {
            return; // checkMetadata's
        }
        for (CheckFields.Problem p : check.parse().problems()) {
            problems.add(new FieldProblem(HealthCheck.manifestField(p.key()), p.message()));
        }
    }

    /** The highest {@code priority} (lcs.conf and manifests alike). */
    public static final int MAX_PRIORITY = 1_000_000;

    private static void checkPreferredNodes(List<String> nodes, List<FieldProblem> problems) {
        if (nodes == null) {
            return;
        }
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            String path = "spec.preferredNodes[" + i + "]";
            String node = nodes.get(i);
            String problem = Names.problem(node);
            if (problem != null) {
                problems.add(new FieldProblem(path, problem));
                continue;
            }
            Integer first = seen.putIfAbsent(node, i);
            if (first != null) {
                problems.add(new FieldProblem(path, "'" + node + "' is already listed at spec.preferredNodes[" + first + "]"));
            }
        }
    }

    private static void checkHook(String path, String hook, List<FieldProblem> problems) {
        if (hook == null) {
            return;
        }
        if (hook.isEmpty()) {
            problems.add(new FieldProblem(path, "is empty; give an absolute path or remove it"));
        } else if (!hook.startsWith("/")) {
            problems.add(new FieldProblem(path, "'" + Names.abbreviate(printable(hook))
                    + "' is not an absolute path (hooks run without a shell or PATH lookup)"));
        } else if (hook.length() > MAX_PATH_CHARS || hook.indexOf('\0') >= 0) {
            problems.add(new FieldProblem(path, "'" + Names.abbreviate(printable(hook))
                    + "' is not a valid path (at most " + MAX_PATH_CHARS + " characters, no NUL)"));
        }
    }

    private static void checkMove(Move.Spec spec, List<FieldProblem> problems) {
        if (spec == null) {
            problems.add(new FieldProblem("spec", "is required (vip, and optionally to)"));
            return;
        }
        checkRequiredName("spec.vip", spec.vip(), problems);
        if (spec.to() != null) {
            addIfProblem(problems, "spec.to", Names.problem(spec.to()));
        }
        if (spec.fromEpoch() != null && spec.fromEpoch() < 1) {
            problems.add(new FieldProblem("spec.fromEpoch", spec.fromEpoch() + " is not an epoch (epochs start at 1)"));
        }
    }

    private static void checkConflictAck(ConflictAck.Spec spec, List<FieldProblem> problems) {
        if (spec == null) {
            problems.add(new FieldProblem("spec", "is required (vip and epoch)"));
            return;
        }
        checkRequiredName("spec.vip", spec.vip(), problems);
        if (spec.epoch() == null) {
            problems.add(new FieldProblem("spec.epoch", "is required (the epoch of the conflict, see lcs describe vip)"));
        } else if (spec.epoch() < 1) {
            problems.add(new FieldProblem("spec.epoch", spec.epoch() + " is not an epoch (epochs start at 1)"));
        }
    }

    private static void checkNodeIntent(NodeIntent.Spec spec, List<FieldProblem> problems) {
        if (spec == null) {
            problems.add(new FieldProblem("spec", "is required (cordoned, drain)"));
            return;
        }
        if (spec.drain() && !spec.cordoned()) {
            problems.add(new FieldProblem("spec.drain", "requires spec.cordoned: true (a drained node must not take VIPs back)"));
        }
    }

    private static void checkRequiredName(String path, String name, List<FieldProblem> problems) {
        if (name == null) {
            problems.add(new FieldProblem(path, "is required"));
        } else {
            addIfProblem(problems, path, Names.problem(name));
        }
    }

    private static void addIfProblem(List<FieldProblem> problems, String path, String problem) {
        if (problem != null) {
            problems.add(new FieldProblem(path, problem));
        }
    }

    private static boolean printableWithoutSpace(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c)) {
                return false;
            }
        }
        return true;
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), 100));
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(Character.isISOControl(c) ? '?' : c);
        }
        return sb.toString();
    }
}
