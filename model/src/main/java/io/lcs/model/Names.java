package io.lcs.model;

import java.util.regex.Pattern;

/**
 * The one rule for names of clusters, nodes, VIPs and objects: {@code [A-Za-z0-9_.-]}, 1 to 63
 * characters, and not {@code .} or {@code ..} (names become file names under {@code state_dir}).
 */
public final class Names {
    /** 63: the DNS label limit; names end up in metric labels, file names and hook environments. */
    public static final int MAX_LENGTH = 63;
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_.-]{1," + MAX_LENGTH + "}");

    private Names() {
    }

    /** @return null when {@code name} is valid, otherwise why it is not (no location: callers add it) */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "name is empty";
        }
        if (name.length() > MAX_LENGTH) {
            return "name '" + abbreviate(name) + "' is longer than " + MAX_LENGTH + " characters";
        }
        if (!VALID.matcher(name).matches()) {
            return "name '" + abbreviate(name) + "' may only contain letters, digits, '_', '.' and '-'";
        }
        if (name.equals(".") || name.equals("..")) {
            return "name '" + name + "' is reserved";
        }
        return null;
    }

    public static boolean isValid(String name) {
        return problem(name) == null;
    }

    /** Shortens user input quoted in error messages so one bad line cannot flood a log. */
    public static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
