package io.lcs.model.config;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One health check: a {@code [check NAME]} section of lcs.conf (and, with the same fields, what a
 * resource's {@code checks} list names). Parsed and validated by {@link CheckFields}; immutable.
 *
 * <p>A node is eligible for a resource only while every check the resource lists passes there
 * (docs/architecture.md, "Health checks and eligibility").
 *
 * @param name           the check's name ({@link io.lcs.model.Names} rules)
 * @param type           what it runs
 * @param url            {@code http}: the URL fetched (plain {@code http://}), else null
 * @param expectStatus   {@code http}: the status that passes; 0 means any 2xx
 * @param command        {@code exec}: argv (split on whitespace, no shell), the program an absolute path; else empty
 * @param host           {@code tcp}: the host or IP literal connected to, else null
 * @param port           {@code tcp}: the port, else 0
 * @param interfaceName  {@code interface}: the link that must be up with carrier, else null
 * @param intervalMillis time from one run's start to the next, at least {@link CheckFields#MIN_INTERVAL_MILLIS}
 * @param timeoutMillis  a run taking longer fails (an exec check's process group is killed); at most the interval
 * @param fall           consecutive failures before a passing check fails
 * @param rise           consecutive successes before a failing check passes again
 * @param holdMillis     a check that failed passes again no sooner than this after it failed, so a
 *                       flapping check cannot move a resource more than once per hold period
 * @param line           the section's line in lcs.conf, 0 if not from a file
 */
public record CheckConfig(String name, Type type, String url, int expectStatus, List<String> command, String host,
                          int port, String interfaceName, int intervalMillis, int timeoutMillis, int fall, int rise,
                          int holdMillis, int line) {

    /** The kinds of check, by their lcs.conf word. */
    public enum Type {
        EXEC, TCP, HTTP, INTERFACE;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** @return the type {@code label} names (case-sensitive), or null */
        public static Type fromLabel(String label) {
            for (Type t : values()) {
                if (t.label().equals(label)) {
                    return t;
                }
            }
            return null;
        }
    }

    public CheckConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        command = List.copyOf(command);
    }

    /** What the check looks at, for status and describe: the URL, command, address or interface. */
    public String target() {
        return switch (type) {
            case EXEC -> String.join(" ", command);
            case TCP -> (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
            case HTTP -> url;
            case INTERFACE -> interfaceName;
        };
    }
}
