package io.lcs.reconcilers.hook;

import io.lcs.model.config.HookPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Where hook fixtures live: a fresh directory whose every ancestor may hold hooks. That is this
 * module's {@code target/} when the checkout is in a safe place (a home directory, /work, /srv);
 * a checkout under a directory that others may write ({@code /tmp}) cannot hold a hook lcsd would
 * run, so root's tests then use a fresh directory under {@code /run} (root's, mode 755) instead.
 */
final class HookFixtureDir {
    private static final Path FALLBACK_ROOT = Path.of("/run");

    private HookFixtureDir() {
    }

    /**
     * A new, empty directory (mode 755) named {@code kind/UUID}; the caller deletes it and then
     * {@link #deleteEmpty} its parent.
     */
    static Path create(String kind, HookFileCheck check) throws IOException {
        Path inTarget = fresh(Path.of("target").toAbsolutePath(), kind);
        Path probe = inTarget.resolve("probe");
        Files.writeString(probe, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(probe, PosixFilePermissions.fromString("rwxr-xr-x"));
        boolean safe = check.check(probe.toString(), new HookPolicy(List.of(inTarget.toString()), Set.of())) == null;
        Files.delete(probe);
        if (safe || !root() || !Files.isDirectory(FALLBACK_ROOT)) {
            return inTarget;
        }
        deleteEmpty(inTarget);
        return fresh(FALLBACK_ROOT, "lcs-test-" + kind);
    }

    private static Path fresh(Path root, String kind) throws IOException {
        Path parent = Files.createDirectories(root.resolve(kind));
        Path dir = Files.createDirectory(parent.resolve(UUID.randomUUID().toString()));
        for (Path p : new Path[] {parent, dir}) { // whatever the umask: only the owner writes
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return dir;
    }

    static void deleteEmpty(Path dir) throws IOException {
        Files.deleteIfExists(dir);
        try (var left = Files.list(dir.getParent())) {
            if (left.findAny().isEmpty()) {
                Files.delete(dir.getParent());
            }
        }
    }

    static boolean root() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
    }
}
