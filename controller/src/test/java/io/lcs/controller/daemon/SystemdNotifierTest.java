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
    void watchdogPingsGoThroughOneLongLivedPingerAsDatagrams() throws Exception {
        // a receiver on a Unix datagram socket, as systemd's notify socket (perl: JDK 17 cannot bind one);
        // it ends after 10 s (alarm), so a pinger that sends nothing fails the reads below, not hangs them
        Path sock = dir.resolve("notify");
        Process receiver = new ProcessBuilder("perl", "-e", "use Socket; $| = 1; alarm 10; socket(my $s, PF_UNIX, SOCK_DGRAM, 0)"
                + " or die; bind($s, pack_sockaddr_un($ARGV[0])) or die \"bind: $!\"; print \"ready\\n\";"
                + " for (1..3) { recv($s, my $m, 100, 0); print \"$m\\n\" }", sock.toString())
                .redirectErrorStream(true).start();
        SystemdNotifier n = new SystemdNotifier(sock.toString(), fakeNotify(0).toString(), 7);
        try (java.io.BufferedReader got = new java.io.BufferedReader(new java.io.InputStreamReader(
                receiver.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
            assertEquals("ready", got.readLine());
            for (int i = 0; i < 3; i++) {
                assertTrue(n.watchdog(), "ping " + i);
            }
            assertEquals(List.of("WATCHDOG=1", "WATCHDOG=1", "WATCHDOG=1"),
                    java.util.Arrays.asList(got.readLine(), got.readLine(), got.readLine()), "datagrams received");
            assertTrue(n.pingerRunning(), "one pinger for every ping");
            assertFalse(Files.exists(dir.resolve("seen")), "no systemd-notify process ran");
        } finally {
            n.close();
            receiver.destroyForcibly();
        }
    }

    @Test
    void withoutPerlTheWatchdogIsPingedBySystemdNotify() throws IOException {
        SystemdNotifier n = new SystemdNotifier("/run/systemd/notify", fakeNotify(0).toString(),
                dir.resolve("no-such-perl").toString(), 9);
        assertTrue(n.watchdog());
        assertEquals(List.of("/run/systemd/notify", "--pid=9", "WATCHDOG=1"), Files.readAllLines(dir.resolve("seen")));
        Files.delete(dir.resolve("seen"));
        assertTrue(n.watchdog(), "still pinged while the pinger is not tried again");
        assertTrue(Files.exists(dir.resolve("seen")));
        assertFalse(n.pingerRunning());
    }

    @Test
    void aPingerThatEndsIsReplacedBySystemdNotify() throws Exception {
        // "perl" that ends at once: the pings after its end go through systemd-notify
        SystemdNotifier n = new SystemdNotifier("/run/systemd/notify", fakeNotify(0).toString(), "false", 9);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!Files.exists(dir.resolve("seen")) && System.nanoTime() < deadline) {
            assertTrue(n.watchdog() || !Files.exists(dir.resolve("seen")));
            Thread.sleep(20);
        }
        assertEquals(List.of("/run/systemd/notify", "--pid=9", "WATCHDOG=1"), Files.readAllLines(dir.resolve("seen")));
        assertFalse(n.pingerRunning());
    }

    @Test
    void failingOrMissingHelperIsReportedNotThrown() throws IOException {
        assertFalse(new SystemdNotifier("/run/systemd/notify", fakeNotify(1).toString(), 1).ready("x"));
        assertFalse(new SystemdNotifier("/run/systemd/notify", dir.resolve("no-such-program").toString(), 1)
                .ready("x"));
    }
}
