package io.lcs.harness.loopback;

import static io.lcs.harness.loopback.InProcessLcs.lcs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.harness.loopback.InProcessLcs.Run;
import io.lcs.harness.loopback.LoopbackCluster.Node;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lcsd -d} (the C lcs's {@code --daemonize}) outside systemd: the command returns 0 once a
 * background lcsd runs in its own session, and that lcsd is a working member of the cluster.
 */
class LoopbackDaemonizeIT {
    private static final Pattern PID = Pattern.compile("running in the background as PID (\\d+)");

    @TempDir
    static Path tmp;
    static LoopbackCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = new LoopbackCluster(tmp, List.of("a", "b", "c*"),
                "[vip web]\naddress = 198.18.0.90/24\ninterface = eth0\n", "");
        cluster.start(cluster.node("a"));
        cluster.start(cluster.node("c"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void daemonizeReturnsOnceABackgroundLcsdRunsInItsOwnSessionAndThatLcsdJoins() throws Exception {
        Node b = cluster.node("b");
        List<String> argv = cluster.command(b);
        argv.add("-d");
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        pb.environment().put(LoopbackLcsd.JOURNAL_ENV, b.journal.toAbsolutePath().toString());
        Process foreground = pb.start();
        assertTrue(foreground.waitFor(60, TimeUnit.SECONDS), "lcsd -d returned");
        String out = new String(foreground.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, foreground.exitValue(), out);
        Matcher m = PID.matcher(out);
        assertTrue(m.find(), out);
        ProcessHandle background = ProcessHandle.of(Long.parseLong(m.group(1))).orElseThrow();
        try {
            assertTrue(background.isAlive(), "the background lcsd runs after the command returned");
            assertTrue(background.parent().map(p -> p.pid() != foreground.pid()).orElse(true),
                    "no longer the child of the command that started it");
            Run[] last = new Run[1];
            boolean joined = LoopbackCluster.await(Duration.ofSeconds(30),
                    () -> (last[0] = lcs(cluster.node("a"), "nrpe")).exit() == 0);
            assertTrue(joined, "the cluster with the background lcsd is healthy: " + last[0] + "\n" + cluster.logs());
            assertTrue(last[0].out().contains("nodes=3/3"), last[0].out());
        } finally {
            background.destroy(); // SIGTERM, by its PID
            background.onExit().get(20, TimeUnit.SECONDS);
        }
    }
}
