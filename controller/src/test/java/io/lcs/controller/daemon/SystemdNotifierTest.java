package io.lcs.controller.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SystemdNotifierTest {
    @TempDir
    Path dir;

    /** A stand-in for systemd-notify that records its argv and NOTIFY_SOCKET, then exits with {@code code}. */
    private Path fakeNotify(int code) throws IOException {
        Path script = dir.resolve("fake-notify");
        Files.writeString(script, "#!/bin/sh\nprintf '%s\\n' \"$NOTIFY_SOCKET\" \"$@\" > " + dir.resolve("seen")
                + "\nexit " + code + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    @Test
    void withoutNotifySocketNothingRuns() throws IOException {
        SystemdNotifier n = new SystemdNotifier(null, fakeNotify(0).toString(), 42);
        assertFalse(n.enabled());
        assertFalse(n.ready("up"));
        assertFalse(Files.exists(dir.resolve("seen")));
        assertFalse(new SystemdNotifier("", fakeNotify(0).toString(), 42).enabled());
    }

    @Test
    void readyRunsSystemdNotifyWithThePidStatusAndSocket() throws IOException {
        SystemdNotifier n = new SystemdNotifier("/run/systemd/notify", fakeNotify(0).toString(), 4242);
        assertTrue(n.ready("node a of cluster web, 2 VIPs"));
        assertEquals(List.of("/run/systemd/notify", "--ready", "--pid=4242", "--status=node a of cluster web, 2 VIPs"),
                Files.readAllLines(dir.resolve("seen")));
    }

    @Test
    void failingOrMissingHelperIsReportedNotThrown() throws IOException {
        assertFalse(new SystemdNotifier("/run/systemd/notify", fakeNotify(1).toString(), 1).ready("x"));
        assertFalse(new SystemdNotifier("/run/systemd/notify", dir.resolve("no-such-program").toString(), 1)
                .ready("x"));
    }
}
