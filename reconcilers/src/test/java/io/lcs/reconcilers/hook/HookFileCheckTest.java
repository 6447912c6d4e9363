package io.lcs.reconcilers.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lcs.model.config.HookPolicy;
import io.lcs.reconcilers.hook.HookRefusal.Reason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file rules a hook must pass before it runs, on real files. The hooks live under this module's
 * {@code target/} (whose directories up to {@code /} must themselves pass, which a checkout in a
 * user's home or in /work does); the cases that hand a file to another owner need root (chown) and
 * are skipped for other users, except under {@code CI=true}, where they must run.
 */
class HookFileCheckTest {
    private static final boolean CI = "true".equals(System.getenv("CI"));
    /** nobody: an unprivileged uid present on every Debian system. */
    private static final int OTHER_UID = 65534;

    private HookFileCheck check;
    private Path base;
    private Path hooks;

    @BeforeEach
    void setUp() throws IOException {
        check = HookFileCheck.forThisProcess();
        base = HookFixtureDir.create("hook-check", check);
        hooks = Files.createDirectories(base.resolve("hooks"));
        for (Path p : List.of(hooks)) { // whatever the umask: only the owner writes
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        HookRefusal ancestors = check.check(script(hooks, "probe").toString(), policy());
        if (CI) {
            assertNull(ancestors, "the build directory must itself be a safe place for hooks under CI");
        }
        assumeTrue(ancestors == null, () -> "the build directory is not a safe place for hooks here: " + ancestors);
    }

    @AfterEach
    void tearDown() throws IOException {
        if (base != null && Files.exists(base)) {
            try (Stream<Path> all = Files.walk(base)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        if (base != null) {
            HookFixtureDir.deleteEmpty(base);
        }
    }

    private HookPolicy policy(String... configHooks) {
        return new HookPolicy(List.of(hooks.toString()), Set.of(configHooks));
    }

    private static Path script(Path dir, String name) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    private static boolean root() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
    }

    private static void requireRoot() throws IOException {
        if (CI) {
            assertEquals(true, root(), "under CI=true the tests that chown run as root");
        }
        assumeTrue(root(), "chown to another user needs root");
    }

    private static void chown(Path p, int uid) throws IOException {
        Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
    }

    private HookRefusal refusal(Path program, HookPolicy policy, Reason reason, String message) {
        HookRefusal r = check.check(program.toString(), policy);
        assertNotNull(r, program + " was allowed");
        assertEquals(reason, r.reason(), r.message());
        assertEquals("hook " + program + " refused: " + message, r.message());
        return r;
    }

    @Test
    void aHookOwnedByRootInSafeDirectoriesMayRun() throws IOException {
        assertNull(check.check(script(hooks, "up").toString(), policy()));
    }

    @Test
    void aHookWritableByOthersOrItsGroupIsRefused() throws IOException {
        Path p = script(hooks, "up");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xrwx"));
        refusal(p, policy(), Reason.WRITABLE, p + " is writable by others");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxrwxr-x"));
        refusal(p, policy(), Reason.WRITABLE, p + " is writable by its group");
    }

    @Test
    void aHookInADirectoryWritableByOthersIsRefusedNamingTheDirectory() throws IOException {
        Path sub = Files.createDirectories(hooks.resolve("shared"));
        Path p = script(sub, "up");
        Files.setPosixFilePermissions(sub, PosixFilePermissions.fromString("rwxrwxrwx"));
        refusal(p, policy(), Reason.DIRECTORY_WRITABLE, "directory " + sub + " on its path is writable by others");
    }

    @Test
    void aHookUnderTmpIsRefused(@TempDir Path tmp) throws IOException {
        Path p = script(tmp, "up");
        HookRefusal r = check.check(p.toString(), policy(p.toString()));
        assertNotNull(r, "a hook under the world-writable /tmp must not run");
        assertEquals(Reason.DIRECTORY_WRITABLE, r.reason(), r.message());
    }

    @Test
    void aHookOwnedByAnotherUserIsRefused() throws IOException {
        requireRoot();
        Path p = script(hooks, "up");
        chown(p, OTHER_UID);
        refusal(p, policy(), Reason.OWNER, p + " is owned by uid " + OTHER_UID + ", not root");
    }

    @Test
    void aHookInADirectoryOwnedByAnotherUserIsRefused() throws IOException {
        requireRoot();
        Path sub = Files.createDirectories(hooks.resolve("theirs"));
        Path p = script(sub, "up");
        chown(sub, OTHER_UID);
        refusal(p, policy(), Reason.DIRECTORY_OWNER, "directory " + sub + " on its path is owned by uid " + OTHER_UID
                + ", not root");
    }

    @Test
    void aSymbolicLinkOwnedByAnotherUserOnThePathIsRefused() throws IOException {
        requireRoot();
        Path target = script(hooks, "real");
        Path link = Files.createSymbolicLink(hooks.resolve("link"), target);
        chown(link, OTHER_UID);
        refusal(link, policy(), Reason.OWNER, "symbolic link " + link + " on its path is owned by uid " + OTHER_UID
                + ", not root");
    }

    @Test
    void aManifestHookOutsideHookDirsIsRefusedAlsoThroughASymbolicLink() throws IOException {
        Path outside = Files.createDirectories(base.resolve("elsewhere"));
        Files.setPosixFilePermissions(outside, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path p = script(outside, "x");
        refusal(p, policy(), Reason.NOT_ALLOWED, "'" + p + "' is not inside the allowed hook directories (" + hooks
                + ") and is not a hook lcs.conf names; put the program there, or add its directory to [cluster]"
                + " hook_dirs in lcs.conf on every node");
        Path link = Files.createSymbolicLink(hooks.resolve("escape"), p);
        refusal(link, policy(), Reason.NOT_ALLOWED, "it resolves to " + p + ", which is not inside the allowed hook"
                + " directories (" + hooks + ")");
        assertNull(check.check(p.toString(), policy(p.toString())), "a hook lcs.conf names may live anywhere safe");
    }

    @Test
    void aDirectoryIsNotAHook() throws IOException {
        Path dir = Files.createDirectories(hooks.resolve("d"));
        refusal(dir, policy(), Reason.NOT_REGULAR_FILE, dir + " is not a regular file");
    }

    @Test
    void aMissingHookIsLeftToTheRunnerToReport() {
        assertNull(check.check(hooks.resolve("absent").toString(), policy()));
    }
}
