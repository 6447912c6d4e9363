package io.lcs.harness.bench;

import io.lcs.harness.netns.HarnessException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * keepalived from Debian's packages: installs it when missing ({@code apt-get install -y
 * keepalived}, bounded), reports its version and its installed size with the dependencies it
 * pulls in beyond the base system. Every command is bounded.
 */
public final class KeepalivedInstall {
    private static final Pattern DEPENDS = Pattern.compile("^\\s*(?:\\|)?(?:Pre)?Depends:\\s*<?([a-z0-9][a-z0-9+.-]*)",
            Pattern.MULTILINE);

    private KeepalivedInstall() {
    }

    /** Makes {@code keepalived} runnable, installing it from Debian's packages first if needed; throws if it cannot. */
    public static void ensureInstalled(java.io.PrintStream log) {
        if (Bench.timed(List.of("keepalived", "--version"), Duration.ofSeconds(10)).ok()) {
            return;
        }
        log.println("keepalived is missing: apt-get install -y keepalived");
        Bench.Timed r = Bench.timed(List.of("env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-q",
                "keepalived"), Duration.ofMinutes(5));
        if (!r.ok()) {
            throw new HarnessException("cannot install keepalived (apt-get install -y keepalived): " + tail(r.output()));
        }
        // a package install starts the service on the host; the benchmark runs its own instances only
        Bench.timed(List.of("systemctl", "disable", "--now", "keepalived"), Duration.ofSeconds(30));
    }

    /** "Keepalived v2.2.7 (...)" or "unknown". */
    public static String version() {
        Bench.Timed r = Bench.timed(List.of("keepalived", "--version"), Duration.ofSeconds(10));
        String first = r.output().split("\n")[0].strip();
        return first.isEmpty() ? "unknown" : first;
    }

    /**
     * {@code pkg} and the installed packages it depends on, transitively, that are not of priority
     * required or important (the base system), at most {@code max} packages.
     */
    public static List<String> closure(String pkg, int max) {
        Set<String> seen = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(pkg));
        while (!todo.isEmpty() && seen.size() < max) {
            String p = todo.poll();
            if (seen.contains(p) || !p.equals(pkg) && isBase(p)) {
                continue;
            }
            if (installedSizeKb(p) <= 0) {
                continue; // not installed (an alternative or a virtual package)
            }
            seen.add(p);
            Bench.Timed r = Bench.timed(List.of("apt-cache", "depends", "--installed", "--no-recommends", "--no-suggests",
                    "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances", p), Duration.ofSeconds(30));
            todo.addAll(parseDepends(r.output()));
        }
        return new ArrayList<>(seen);
    }

    /** The package names on Depends/PreDepends lines of {@code apt-cache depends} output. */
    static List<String> parseDepends(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = DEPENDS.matcher(text);
        while (m.find()) {
            String name = m.group(1).split(":")[0];
            if (!out.contains(name)) {
                out.add(name);
            }
        }
        return out;
    }

    private static boolean isBase(String p) {
        Bench.Timed r = Bench.timed(List.of("dpkg-query", "-W", "-f=${Priority}", p), Duration.ofSeconds(10));
        String prio = r.output().strip();
        return prio.equals("required") || prio.equals("important");
    }

    /** dpkg's Installed-Size of {@code p} in KiB, or 0 if not installed. */
    public static long installedSizeKb(String p) {
        Bench.Timed r = Bench.timed(List.of("dpkg-query", "-W", "-f=${db:Status-Abbrev} ${Installed-Size}", p),
                Duration.ofSeconds(10));
        if (!r.ok() || !r.output().startsWith("ii")) {
            return 0;
        }
        try {
            return Long.parseLong(r.output().substring(2).strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String tail(String s) {
        return s.length() > 600 ? "..." + s.substring(s.length() - 600) : s;
    }
}
