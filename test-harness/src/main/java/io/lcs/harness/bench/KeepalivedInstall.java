package io.lcs.harness.bench;

import io.lcs.harness.netns.HarnessException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * keepalived from Debian's packages: installs it when missing ({@code apt-get install -y
 * keepalived}, bounded), reports its version and its installed size with the dependencies it
 * pulls in beyond the base system. Every command is bounded.
 */
public final class KeepalivedInstall {

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
     * {@code pkg} and the packages apt installed along with it that nothing else needs: the
     * {@code Remv} lines of {@code apt-get -s remove --auto-remove PKG} (a simulation: it changes
     * nothing). On a system where keepalived was installed by this benchmark that is keepalived,
     * its libraries beyond the base system and the Recommends apt installed (ipvsadm).
     */
    public static List<String> removalSet(String pkg) {
        Bench.Timed r = Bench.timed(List.of("apt-get", "-s", "remove", "--auto-remove", pkg), Duration.ofSeconds(60));
        return parseRemovals(r.output());
    }

    /** The package names of the {@code Remv NAME [VERSION]} lines of an apt-get simulation. */
    static List<String> parseRemovals(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = REMV.matcher(text);
        while (m.find()) {
            out.add(m.group(1).split(":")[0]);
        }
        return out;
    }

    private static final Pattern REMV = Pattern.compile("^Remv ([a-z0-9][a-z0-9+.:-]*)", Pattern.MULTILINE);

    /** The sum of dpkg's Installed-Size of the installed packages among {@code pkgs}, KiB (one dpkg-query). */
    public static long installedSizeKb(List<String> pkgs) {
        if (pkgs.isEmpty()) {
            return 0;
        }
        List<String> argv = new ArrayList<>(List.of("dpkg-query", "-W", "-f=${db:Status-Abbrev} ${Installed-Size}\n"));
        argv.addAll(pkgs);
        Bench.Timed r = Bench.timed(argv, Duration.ofSeconds(30));
        long kb = 0;
        for (String line : r.output().split("\n")) {
            String[] w = line.strip().split("\\s+");
            if (w.length == 2 && w[0].startsWith("ii")) {
                try {
                    kb += Long.parseLong(w[1]);
                } catch (NumberFormatException e) {
                    // a package without the field: counts 0
                }
            }
        }
        return kb;
    }

    private static String tail(String s) {
        return s.length() > 600 ? "..." + s.substring(s.length() - 600) : s;
    }
}
