package io.lcs.model.config;

import io.lcs.model.Names;
import io.lcs.model.api.ObjectValidator;
import io.lcs.model.net.Cidr;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The fields of one health check and of a resource's check list, parsed and validated in one place
 * for every source: a {@code [check NAME]} section of lcs.conf (and later a {@code HealthCheck}
 * manifest, whose camelCase fields map onto these keys). Pure: no file, socket or process is
 * looked at. Each problem names its key so the caller can add the line (lcs.conf) or the field path
 * (a manifest).
 */
public final class CheckFields {
    /** The keys of a {@code [check NAME]} section. */
    public static final List<String> KEYS = List.of("type", "url", "expect_status", "command", "address", "interface",
            "interval_ms", "timeout_ms", "fall", "rise", "hold_ms");
    public static final int DEFAULT_INTERVAL_MILLIS = 1000;
    /** 100 ms: faster checks would cost more CPU than they save failover time (fall × interval). */
    public static final int MIN_INTERVAL_MILLIS = 100;
    public static final int MAX_INTERVAL_MILLIS = 3_600_000;
    public static final int DEFAULT_TIMEOUT_MILLIS = 1000;
    public static final int DEFAULT_FALL = 3;
    public static final int DEFAULT_RISE = 2;
    public static final int MAX_COUNT = 100;
    /** 10 s: a check that failed passes again no sooner; bounds moves caused by a flapping check. */
    public static final int DEFAULT_HOLD_MILLIS = 10_000;
    public static final int MAX_HOLD_MILLIS = 3_600_000;
    /** 32 arguments: a check is a program and a few options, not a script. */
    public static final int MAX_ARGS = 32;
    /** 16 checks per resource: each runs on every full-member that could hold it. */
    public static final int MAX_CHECKS_PER_RESOURCE = 16;
    /** 256 checks in a cluster: every full-member may run each of them every interval. */
    public static final int MAX_CHECKS = 256;

    private static final Pattern NUMBER = Pattern.compile("[0-9]{1,9}");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    private static final Pattern LIST_SEPARATOR = Pattern.compile("[,\\s]+");
    private static final Map<CheckConfig.Type, String> ONLY_KEY = Map.of(CheckConfig.Type.HTTP, "url",
            CheckConfig.Type.EXEC, "command", CheckConfig.Type.TCP, "address", CheckConfig.Type.INTERFACE, "interface");

    private CheckFields() {
    }

    /** One thing wrong with one key. */
    public record Problem(String key, String message) {
    }

    /** A parsed check, or null with at least one problem. */
    public record Parsed(CheckConfig check, List<Problem> problems) {
    }

    /**
     * @param values the section's keys and values (keys other than {@link #KEYS} are the caller's to report)
     * @param line   the section's line, kept in the result
     */
    public static Parsed parse(String name, Map<String, String> values, int line) {
        List<Problem> problems = new ArrayList<>();
        String typeText = values.get("type");
        CheckConfig.Type type = null;
        if (typeText == null) {
            problems.add(new Problem("type", "[check " + name + "] is missing required key 'type' (exec, tcp, http or interface)"));
        } else {
            type = CheckConfig.Type.fromLabel(typeText);
            if (type == null) {
                problems.add(new Problem("type", "type = '" + Names.abbreviate(typeText)
                        + "' is not a check type; use exec, tcp, http or interface"));
            }
        }
        Integer interval = integer(values, "interval_ms", DEFAULT_INTERVAL_MILLIS, MIN_INTERVAL_MILLIS,
                MAX_INTERVAL_MILLIS, problems);
        Integer timeout = integer(values, "timeout_ms", -1, 1, MAX_INTERVAL_MILLIS, problems);
        Integer fall = integer(values, "fall", DEFAULT_FALL, 1, MAX_COUNT, problems);
        Integer rise = integer(values, "rise", DEFAULT_RISE, 1, MAX_COUNT, problems);
        Integer hold = integer(values, "hold_ms", DEFAULT_HOLD_MILLIS, 0, MAX_HOLD_MILLIS, problems);
        if (interval != null && timeout != null) {
            if (timeout == -1) {
                timeout = Math.min(DEFAULT_TIMEOUT_MILLIS, interval);
            } else if (timeout > interval) {
                problems.add(new Problem("timeout_ms", "timeout_ms (" + timeout + ") must be at most interval_ms ("
                        + interval + "): a check runs once at a time"));
            }
        }
        String url = null;
        int expect = 0;
        List<String> command = List.of();
        String host = null;
        int port = 0;
        String ifname = null;
        if (type != null) {
            for (Map.Entry<CheckConfig.Type, String> only : ONLY_KEY.entrySet()) {
                String key = only.getValue();
                if (only.getKey() != type && values.containsKey(key)) {
                    problems.add(new Problem(key, "'" + key + "' is for type = " + only.getKey().label()
                            + ", not " + type.label()));
                }
            }
            if (type != CheckConfig.Type.HTTP && values.containsKey("expect_status")) {
                problems.add(new Problem("expect_status", "'expect_status' is for type = http, not " + type.label()));
            }
            String own = ONLY_KEY.get(type);
            String value = values.get(own);
            if (value == null) {
                problems.add(new Problem(own, "[check " + name + "] of type " + type.label()
                        + " is missing required key '" + own + "' (" + example(type) + ")"));
            } else {
                switch (type) {
                    case HTTP -> url = url(value, problems);
                    case EXEC -> command = command(value, problems);
                    case TCP -> {
                        String[] hp = hostPort(value, problems);
                        if (hp != null) {
                            host = hp[0];
                            port = Integer.parseInt(hp[1]);
                        }
                    }
                    case INTERFACE -> {
                        String problem = ObjectValidator.interfaceNameProblem(value);
                        if (problem != null) {
                            problems.add(new Problem("interface", problem));
                        } else {
                            ifname = value;
                        }
                    }
                    default -> throw new IllegalStateException();
                }
            }
            if (type == CheckConfig.Type.HTTP) {
                Integer status = integer(values, "expect_status", 0, 100, 599, problems);
                expect = status == null ? 0 : status;
            }
        }
        if (!problems.isEmpty()) {
            return new Parsed(null, List.copyOf(problems));
        }
        return new Parsed(new CheckConfig(name, type, url, expect, command, host, port, ifname, interval, timeout,
                fall, rise, hold, line), List.of());
    }

    /**
     * A resource's {@code checks} value: check names, comma or space separated, each once, each one
     * of {@code known}.
     *
     * @return the names, or null with the problems added (key {@code checks})
     */
    public static List<String> checkList(String value, Set<String> known, List<Problem> problems) {
        Set<String> names = new LinkedHashSet<>();
        int before = problems.size();
        for (String n : LIST_SEPARATOR.split(value.strip())) {
            if (n.isEmpty()) {
                continue;
            }
            String problem = Names.problem(n);
            if (problem != null) {
                problems.add(new Problem("checks", "checks: " + problem));
            } else if (!names.add(n)) {
                problems.add(new Problem("checks", "checks: '" + n + "' is listed twice"));
            } else if (!known.contains(n)) {
                problems.add(new Problem("checks", "checks: there is no [check " + n + "] section"
                        + (known.isEmpty() ? " (define it with [check " + n + "] and type = ...)"
                        : " (checks: " + String.join(", ", known) + ")")));
            }
        }
        if (names.isEmpty() && problems.size() == before) {
            problems.add(new Problem("checks", "checks lists no check names"));
        }
        if (names.size() > MAX_CHECKS_PER_RESOURCE) {
            problems.add(new Problem("checks", "checks lists " + names.size() + " checks; at most "
                    + MAX_CHECKS_PER_RESOURCE));
        }
        return problems.size() == before ? List.copyOf(names) : null;
    }

    private static String example(CheckConfig.Type type) {
        return switch (type) {
            case HTTP -> "e.g. url = http://127.0.0.1:8080/healthz";
            case EXEC -> "e.g. command = /etc/lcs/checks/db-primary --quiet";
            case TCP -> "e.g. address = 127.0.0.1:5432";
            case INTERFACE -> "e.g. interface = eth0";
        };
    }

    private static Integer integer(Map<String, String> values, String key, int fallback, int min, int max,
                                   List<Problem> problems) {
        String v = values.get(key);
        if (v == null) {
            return fallback;
        }
        if (!NUMBER.matcher(v).matches()) {
            problems.add(new Problem(key, key + " = '" + Names.abbreviate(v) + "' is not a whole number; expected "
                    + min + ".." + max));
            return null;
        }
        int n = Integer.parseInt(v);
        if (n < min || n > max) {
            problems.add(new Problem(key, key + " = " + n + " is out of range " + min + ".." + max));
            return null;
        }
        return n;
    }

    /**
     * {@code http://HOST[:PORT][/PATH]}: plain HTTP, a host, no user name or password, no whitespace.
     * Checked here by its shape only (the model does no I/O and names no network API); lcsd's URL
     * parser reads it when the check runs.
     */
    private static String url(String value, List<Problem> problems) {
        String shown = "url = '" + Names.abbreviate(value) + "'";
        if (!value.startsWith("http://")) {
            problems.add(new Problem("url", shown + " must start with http:// "
                    + "(https is not supported: check the service's plain-HTTP port, or use an exec check)"));
            return null;
        }
        if (WHITESPACE.matcher(value).find()) {
            problems.add(new Problem("url", shown + " contains whitespace"));
            return null;
        }
        String rest = value.substring("http://".length());
        int end = rest.length();
        for (char c : new char[] {'/', '?', '#'}) {
            int i = rest.indexOf(c);
            if (i >= 0) {
                end = Math.min(end, i);
            }
        }
        String authority = rest.substring(0, end);
        if (authority.indexOf('@') >= 0) {
            problems.add(new Problem("url", shown + " carries a user name or password; a health URL needs none"));
            return null;
        }
        String host = authority;
        String port = null;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            host = close < 0 ? "" : authority.substring(1, close);
            port = close >= 0 && close + 1 < authority.length() && authority.charAt(close + 1) == ':'
                    ? authority.substring(close + 2) : null;
        } else if (authority.indexOf(':') >= 0) {
            host = authority.substring(0, authority.indexOf(':'));
            port = authority.substring(authority.indexOf(':') + 1);
        }
        if (host.isEmpty()) {
            problems.add(new Problem("url", shown + " has no host"));
            return null;
        }
        if (port != null && (!NUMBER.matcher(port).matches() || Integer.parseInt(port) < 1
                || Integer.parseInt(port) > 65535)) {
            problems.add(new Problem("url", shown + ": port '" + Names.abbreviate(port) + "' is not 1..65535"));
            return null;
        }
        return value;
    }

    private static List<String> command(String value, List<Problem> problems) {
        List<String> argv = Arrays.asList(WHITESPACE.split(value.strip()));
        if (!argv.get(0).startsWith("/")) {
            problems.add(new Problem("command", "command: '" + Names.abbreviate(argv.get(0))
                    + "' must be an absolute path (checks run without a shell or PATH lookup)"));
            return List.of();
        }
        if (argv.size() > MAX_ARGS) {
            problems.add(new Problem("command", "command has " + argv.size() + " words; at most " + MAX_ARGS));
            return List.of();
        }
        return List.copyOf(argv);
    }

    /** @return {host, port} of {@code HOST:PORT} or {@code [IPv6]:PORT}, or null with a problem */
    private static String[] hostPort(String value, List<Problem> problems) {
        String host;
        String port;
        if (value.startsWith("[")) {
            int end = value.indexOf("]:");
            if (end < 0) {
                problems.add(new Problem("address", "address = '" + Names.abbreviate(value)
                        + "' must be HOST:PORT, an IPv6 address in brackets: [2001:db8::1]:5432"));
                return null;
            }
            host = value.substring(1, end);
            port = value.substring(end + 2);
        } else {
            int colon = value.lastIndexOf(':');
            if (colon <= 0 || value.indexOf(':') != colon) {
                problems.add(new Problem("address", "address = '" + Names.abbreviate(value)
                        + "' must be HOST:PORT (e.g. 127.0.0.1:5432; an IPv6 address in brackets)"));
                return null;
            }
            host = value.substring(0, colon);
            port = value.substring(colon + 1);
        }
        if (host.indexOf(':') >= 0) {
            try {
                host = Cidr.formatAddress(Cidr.parseAddress(host));
            } catch (IllegalArgumentException e) {
                problems.add(new Problem("address", "address: " + e.getMessage()));
                return null;
            }
        } else if (host.isEmpty() || !host.toLowerCase(Locale.ROOT).matches("[a-z0-9.-]+")) {
            problems.add(new Problem("address", "address = '" + Names.abbreviate(value) + "': '"
                    + Names.abbreviate(host) + "' is not a host name or IP address"));
            return null;
        }
        if (!NUMBER.matcher(port).matches() || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            problems.add(new Problem("address", "address = '" + Names.abbreviate(value) + "': port '"
                    + Names.abbreviate(port) + "' is not 1..65535"));
            return null;
        }
        return new String[] {host, port};
    }
}
