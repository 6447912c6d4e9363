package io.lcs.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The .deb that `package` built: control fields, file list, conffiles, maintainer scripts; then
 * unpacked into a scratch root (dpkg-deb -x), where lcs and lcsd run from it on the bundled runtime.
 */
class DebPackageIT {
    @TempDir
    Path scratch;
    Path deb;

    @BeforeEach
    void built() {
        assumeFalse(Boolean.getBoolean("lcs.skipDist"), "-Dlcs.skipDist=true: no .deb built");
        deb = Path.of(System.getProperty("lcs.deb"));
        assertTrue(Files.isRegularFile(deb), "no package at " + deb);
    }

    private String field(String name) throws Exception {
        return Run.of(List.of("dpkg-deb", "-f", deb.toString(), name), Map.of(), scratch).ok("dpkg-deb -f").out().strip();
    }

    @Test
    void controlDependsOnIproute2AndArpingAndOnNoJavaRuntime() throws Exception {
        assertEquals("lcs", field("Package"));
        assertEquals("amd64", field("Architecture"));
        String depends = field("Depends");
        assertTrue(depends.contains("iproute2") && depends.contains("iputils-arping")
                && depends.contains("arp-scan"), depends);
        assertFalse(depends.matches("(?i).*(java|jre|jdk).*"), "no JRE dependency: " + depends);
        assertTrue(field("Recommends").contains("ndisc6"));
        assertTrue(field("Description").contains("neither enables nor starts"));
    }

    @Test
    void fileListHasLaunchersRuntimeUnitManPagesCompletionAndConffile() throws Exception {
        String listing = Run.of(List.of("dpkg-deb", "-c", deb.toString()), Map.of(), scratch).ok("dpkg-deb -c").out();
        Set<String> paths = new TreeSet<>();
        for (String line : listing.split("\n")) {
            String[] cols = line.trim().split("\\s+");
            if (cols.length >= 6) {
                paths.add(cols[5].replaceFirst("^\\./", "/"));
            }
        }
        for (String p : List.of("/usr/bin/lcs", "/usr/bin/lcsd", "/usr/share/lcs/bin/lcs", "/usr/share/lcs/bin/lcsd",
                "/usr/share/lcs/bin/lcs-make-cds", "/usr/share/lcs/runtime/bin/java",
                "/usr/share/lcs/runtime/lib/modules",
                "/usr/share/lcs/cds/lcs.classlist", "/etc/lcs/lcs.conf", "/lib/systemd/system/lcsd.service",
                "/usr/share/man/man8/lcs.8.gz", "/usr/share/man/man8/lcsd.8.gz",
                "/usr/share/bash-completion/completions/lcs", "/usr/share/doc/lcs/examples/two-nodes-witness.conf")) {
            assertTrue(paths.contains(p), p + " missing from the package:\n" + listing);
        }
        assertTrue(paths.stream().anyMatch(p -> p.matches("/usr/share/lcs/lib/lcs-controller-.*\\.jar")), listing);
        assertTrue(listing.contains("./usr/bin/lcs -> ../share/lcs/bin/lcs"), listing);
        assertTrue(listing.lines().anyMatch(l -> l.startsWith("-rwxr-xr-x") && l.endsWith("/usr/share/lcs/runtime/bin/java")),
                "java is executable");
        assertFalse(listing.contains(".jsa"), "CDS archives are made at install time, not shipped");
    }

    @Test
    void conffilesAndMaintainerScripts() throws Exception {
        Path control = scratch.resolve("DEBIAN");
        Run.of(List.of("dpkg-deb", "-e", deb.toString(), control.toString()), Map.of(), scratch).ok("dpkg-deb -e");
        assertEquals(List.of("/etc/lcs/lcs.conf"), Files.readAllLines(control.resolve("conffiles")));
        String postinst = Files.readString(control.resolve("postinst"));
        assertTrue(postinst.contains("lcs-make-cds") && postinst.contains("daemon-reload"), postinst);
        assertFalse(postinst.contains("enable") && postinst.contains("systemctl enable"), "postinst must not enable");
        assertTrue(Files.isExecutable(control.resolve("postinst")) && Files.isExecutable(control.resolve("prerm")));
        assertTrue(Files.readString(control.resolve("prerm")).contains("systemctl stop lcsd.service"));
    }

    @Test
    void unpackedIntoAScratchRootLcsAndLcsdRunOnTheBundledRuntime() throws Exception {
        Path root = scratch.resolve("root");
        Run.of(List.of("dpkg-deb", "-x", deb.toString(), root.toString()), Map.of(), scratch).ok("dpkg-deb -x");
        Path home = root.resolve("usr/share/lcs");
        Map<String, String> env = Map.of("LCS_HOME", home.toString());
        // what postinst does, in the scratch root
        Run.of(List.of(home.resolve("bin/lcs-make-cds").toString()), env, scratch).ok("lcs-make-cds");
        // one archive, mapped by both launchers
        assertTrue(Files.size(home.resolve("cds/lcs.jsa")) > 0);
        assertFalse(Files.exists(home.resolve("cds/lcsd.jsa")));
        assertEquals(classPath(home.resolve("bin/lcs")), classPath(home.resolve("bin/lcsd")),
                "both launchers map cds/lcs.jsa, so they need the class path it was dumped with");

        // -Xshare:on fails the JVM unless the archive is valid for this runtime and class path
        Run version = Run.of(List.of(home.resolve("bin/lcs").toString(), "--version"),
                Map.of("LCS_HOME", home.toString(), "LCS_JAVA_OPTS", "-Xshare:on"), scratch).ok("lcs --version");
        assertTrue(version.out().matches("lcs \\d+\\.\\d+\\.\\d+.*\\s*"), version.out());
        assertFalse(version.out().contains("dev"), version.out());

        Run check = Run.of(List.of(home.resolve("bin/lcsd").toString(), "--check-config", "-c",
                root.resolve("etc/lcs/lcs.conf").toString()), Map.of("LCS_HOME", home.toString(), "LCSD_JAVA_OPTS",
                "-Xshare:on"), scratch).ok("lcsd --check-config");
        assertTrue(check.out().contains(": OK"), check.out());

        Run lcsdVersion = Run.of(List.of(home.resolve("bin/lcsd").toString(), "--version"), env, scratch)
                .ok("lcsd --version");
        // the launcher picked the bundled runtime, whose release file names the jlink modules
        String release = Files.readString(home.resolve("runtime/release"));
        assertTrue(release.contains("java.base") && !release.contains("java.desktop"), release);
        assertTrue(lcsdVersion.out().startsWith("lcsd "), lcsdVersion.out());

        // the launcher found through the /usr/bin symlink resolves LCS_HOME by itself
        Path viaLink = root.resolve("usr/bin/lcs");
        assertTrue(Files.isSymbolicLink(viaLink));
        assertEquals(Path.of("../share/lcs/bin/lcs"), Files.readSymbolicLink(viaLink));
    }

    /** The {@code -cp "..."} argument of a launcher script. */
    private static String classPath(Path launcher) throws java.io.IOException {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("-cp \"([^\"]+)\"").matcher(Files.readString(launcher));
        assertTrue(m.find(), launcher + " has no -cp");
        return m.group(1);
    }
}
