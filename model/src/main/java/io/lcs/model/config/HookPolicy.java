package io.lcs.model.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Which programs this node lets run as hooks, by path alone (pure: no file is looked at; the
 * ownership and permission checks made before a hook runs are the hook runner's).
 *
 * <p>A hook written in a {@code [vip]} section of lcs.conf is allowed wherever it lives: root wrote
 * it there. A hook named by an object applied through the API ({@code lcs apply}) is allowed only
 * if it is one of those same paths, or lies inside one of the {@code hook_dirs} directories once
 * {@code .} and {@code ..} are resolved: a manifest cannot introduce an executable path that
 * lcs.conf did not allow. Symbolic links are not resolved here; the runner checks the real path
 * again before it runs anything.
 *
 * @param dirs        normalised absolute directories ({@code hook_dirs})
 * @param configHooks normalised paths of every hook the {@code [vip]} sections name
 */
public record HookPolicy(List<String> dirs, Set<String> configHooks) {
    public HookPolicy {
        dirs = List.copyOf(dirs);
        configHooks = Set.copyOf(configHooks);
    }

    /**
     * The policy {@code config} sets: its {@code hook_dirs}, the hooks of its {@code [vip]} sections
     * and the programs of its {@code exec} checks (they run as root the same way).
     */
    public static HookPolicy of(ClusterConfig config) {
        Set<String> hooks = new LinkedHashSet<>();
        for (VipConfig v : config.vips()) {
            for (String path : v.hooks().values()) {
                hooks.add(normalize(path));
            }
        }
        for (CheckConfig c : config.checks()) {
            if (c.type() == CheckConfig.Type.EXEC) {
                hooks.add(normalize(c.command().get(0)));
            }
        }
        return new HookPolicy(config.hookDirs(), hooks);
    }

    /**
     * @return null if an API object may name {@code path} as a hook, otherwise why not (a sentence
     *     naming the allowed directories, without location: callers add the field)
     */
    public String problem(String path) {
        if (path == null || !path.startsWith("/")) {
            return "'" + shown(String.valueOf(path)) + "' is not an absolute path";
        }
        String normal = normalize(path);
        if (configHooks.contains(normal) || insideAny(normal)) {
            return null;
        }
        return "'" + shown(path) + "'" + (normal.equals(path) ? "" : " (" + shown(normal) + ")")
                + " is not inside the allowed hook directories (" + String.join(", ", dirs)
                + ") and is not a hook lcs.conf names; put the program there, or add its directory to"
                + " [cluster] hook_dirs in lcs.conf on every node";
    }

    /**
     * A path as messages show it: whole (a refusal must name the file, and paths are bounded by the
     * config parser's line limit and {@code ObjectValidator}'s PATH_MAX), control characters as
     * {@code ?} so a crafted name cannot forge a log line.
     */
    static String shown(String path) {
        StringBuilder sb = new StringBuilder(path.length());
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            sb.append(Character.isISOControl(c) ? '?' : c);
        }
        return sb.toString();
    }

    /** True if {@code path}, normalised, is a hook a {@code [vip]} section names. */
    public boolean namedInConfig(String path) {
        return path != null && path.startsWith("/") && configHooks.contains(normalize(path));
    }

    private boolean insideAny(String normal) {
        for (String dir : dirs) {
            if (inside(normal, dir)) {
                return true;
            }
        }
        return false;
    }

    /** True if normalised {@code path} lies strictly below normalised directory {@code dir}. */
    public static boolean inside(String path, String dir) {
        return dir.equals("/") ? path.length() > 1 : path.startsWith(dir + "/") && path.length() > dir.length() + 1;
    }

    /**
     * Resolves {@code .}, {@code ..} and repeated or trailing slashes of an absolute path lexically
     * ({@code /a/./b/../c//} → {@code /a/c}; {@code ..} above the root stays at the root), as the
     * kernel would if no component were a symbolic link.
     */
    public static String normalize(String absolutePath) {
        Objects.requireNonNull(absolutePath, "absolutePath");
        List<String> parts = new ArrayList<>();
        for (String part : absolutePath.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!parts.isEmpty()) {
                    parts.remove(parts.size() - 1);
                }
            } else {
                parts.add(part);
            }
        }
        return "/" + String.join("/", parts);
    }
}
