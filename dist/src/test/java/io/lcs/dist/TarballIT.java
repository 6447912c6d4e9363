package io.lcs.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tarball that `package` built, unpacked somewhere else and run from there. */
class TarballIT {
    @TempDir
    Path scratch;

    @Test
    void unpackedTarballHasItsLayoutAndRuns() throws Exception {
        Path tarball = Path.of(System.getProperty("lcs.tarball"));
        assertTrue(Files.isRegularFile(tarball), "no tarball at " + tarball);
        Run.of(List.of("tar", "-xzf", tarball.toString(), "-C", scratch.toString()), Map.of(), scratch).ok("tar");
        String dir = tarball.getFileName().toString().replace(".tar.gz", "");
        Path home = scratch.resolve(dir);
        for (String exe : List.of("bin/lcs", "bin/lcsd", "bin/lcs-make-cds")) {
            assertTrue(Files.isExecutable(home.resolve(exe)), exe + " executable");
        }
        for (String f : List.of("etc/lcs.conf.example", "systemd/lcsd.service", "man/lcs.8", "man/lcsd.8",
                "completion/lcs.bash", "cds/lcs.classlist", "examples/three-full-members.conf")) {
            assertTrue(Files.isRegularFile(home.resolve(f)), f + " in the tarball");
        }
        try (var jars = Files.list(home.resolve("lib"))) {
            assertTrue(jars.anyMatch(p -> p.getFileName().toString().startsWith("lcs-cli-")));
        }
        boolean bundled = Files.isExecutable(home.resolve("runtime/bin/java"));
        if (!Boolean.getBoolean("lcs.skipDist")) {
            assertTrue(bundled, "the tarball bundles the jlink runtime");
        }
        if (bundled) {
            // launchers found through a symlink from elsewhere, as /usr/bin would hold them; no LCS_HOME
            Run.of(List.of(home.resolve("bin/lcs-make-cds").toString()), Map.of(), scratch).ok("lcs-make-cds");
        }
        Path link = scratch.resolve("lcs-link");
        Files.createSymbolicLink(link, home.resolve("bin/lcs"));
        Run v = Run.of(List.of(link.toString(), "--version"), bundled ? Map.of("LCS_JAVA_OPTS", "-Xshare:on")
                : Map.of(), scratch).ok("lcs --version");
        assertTrue(v.out().startsWith("lcs "), v.out());
        Run check = Run.of(List.of(home.resolve("bin/lcsd").toString(), "--check-config", "-c",
                home.resolve("etc/lcs.conf.example").toString()), Map.of(), scratch).ok("lcsd --check-config");
        assertTrue(check.out().contains(": OK"), check.out());
    }

    @Test
    void manPagesAndCompletionComeFromThePicocliModels() throws Exception {
        Path home = Path.of(System.getProperty("lcs.home"));
        String lcs = Files.readString(home.resolve("man/lcs.8"));
        assertTrue(lcs.contains(".TH LCS 8"), lcs);
        for (String verb : List.of("status", "get", "describe", "apply", "delete", "move", "ack", "cordon", "uncordon",
                "drain", "version", "completion", "stop", "start", "clear", "reload", "nrpe", "resource",
                "resource list", "resource move", "resource clear\\-conflict")) { // roff escapes the dash
            assertTrue(lcs.contains(".SS \"lcs " + verb + "\""), "lcs(8) documents lcs " + verb);
        }
        String lcsd = Files.readString(home.resolve("man/lcsd.8"));
        assertTrue(lcsd.contains("\\fB\\-\\-check\\-config\\fR") && lcsd.contains("EXIT STATUS")
                && lcsd.contains("SIGHUP") && lcsd.contains("\\fB\\-\\-no\\-timestamp\\fR")
                && lcsd.contains("\\fB\\-\\-daemonize\\fR") && lcsd.contains("LOGGING"), lcsd);
        assertTrue(lcs.contains("C LCS COMPATIBILITY") && lcs.contains("\\fB\\-\\-socket\\fR"), lcs);
        String completion = Files.readString(home.resolve("completion/lcs.bash"));
        assertTrue(completion.contains("complete -F") && completion.contains("uncordon"), "bash completion for lcs");
        String unit = Files.readString(home.resolve("systemd/lcsd.service"));
        for (String line : List.of("Type=notify", "NotifyAccess=all", "ExecReload=/bin/kill -HUP $MAINPID",
                "Restart=on-failure", "CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW",
                "AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW", "NoNewPrivileges=yes", "ProtectSystem=strict",
                "ProtectHome=yes", "PrivateTmp=yes", "StateDirectory=lcs")) {
            assertTrue(unit.lines().anyMatch(line::equals), "unit has " + line);
        }
        assertTrue(unit.lines().noneMatch(l -> l.startsWith("MemoryDenyWriteExecute")), "the JIT needs W+X");
    }

    /**
     * The simulated network actuator is reachable only through test-harness's LoopbackLcsd, which
     * is not shipped: no lcs jar holds a harness class or reads an LCS_FAKE_ACTUATOR_* variable, the
     * launchers name neither, and the CDS class list (trained with LoopbackLcsd) lists no harness class.
     */
    @Test
    void packagedLcsdHasNoSwitchToTheSimulatedActuator() throws Exception {
        Path home = Path.of(System.getProperty("lcs.home"));
        byte[] fakeEnv = "LCS_FAKE_ACTUATOR".getBytes(StandardCharsets.US_ASCII);
        List<String> offenders = new ArrayList<>();
        List<Path> jars;
        try (var lib = Files.list(home.resolve("lib"))) {
            jars = lib.filter(p -> p.getFileName().toString().startsWith("lcs-")).sorted().toList();
        }
        assertTrue(jars.size() >= 4, "the lcs jars are in lib/: " + jars);
        for (Path jar : jars) {
            if (jar.getFileName().toString().startsWith("lcs-test-harness")) {
                offenders.add(jar.getFileName().toString());
            }
            try (JarFile j = new JarFile(jar.toFile())) {
                for (JarEntry e : Collections.list(j.entries())) {
                    if (e.getName().startsWith("io/lcs/harness/")) {
                        offenders.add(jar.getFileName() + "!" + e.getName());
                    } else if (e.getName().endsWith(".class")
                            && indexOf(j.getInputStream(e).readAllBytes(), fakeEnv) >= 0) {
                        offenders.add(jar.getFileName() + "!" + e.getName() + " names LCS_FAKE_ACTUATOR");
                    }
                }
            }
        }
        for (String launcher : List.of("bin/lcsd", "bin/lcs")) {
            String text = Files.readString(home.resolve(launcher));
            if (text.contains("LCS_FAKE_ACTUATOR") || text.contains("io.lcs.harness")) {
                offenders.add(launcher);
            }
        }
        Path classList = home.resolve("cds/lcs.classlist");
        if (Files.exists(classList)) {
            Files.readAllLines(classList).stream().filter(l -> l.contains("io/lcs/harness/")).limit(5)
                    .forEach(l -> offenders.add("cds/lcs.classlist: " + l));
        }
        assertEquals(List.of(), offenders);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (haystack[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
