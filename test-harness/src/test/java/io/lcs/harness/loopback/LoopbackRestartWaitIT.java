package io.lcs.harness.loopback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.harness.loopback.LoopbackCluster.Node;
import io.lcs.harness.netns.Cluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The post-restart wait across real processes (a, b full members, c a witness; lease 2 s, so a
 * whole wait is 2,040 ms): lcsd votes on no lease after a start until any grant its previous run
 * may have forgotten has ended. A clean stop (SIGTERM) records when that is, so a start well after
 * it votes at once and a start soon after it waits only what is left; a kill -9 leaves no record and
 * the next start waits the whole lease. Each start says which in its log.
 */
class LoopbackRestartWaitIT {
    private static final Duration FORM = Duration.ofSeconds(20);
    private static final long WHOLE_WAIT_MILLIS = 2_040;

    @TempDir
    Path tmp;
    LoopbackCluster cluster;

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aCleanStopShortensTheNextStartsWaitAKillDoesNot() throws Exception {
        cluster = new LoopbackCluster(tmp, List.of("a", "b", "c*"), "[vip web]\naddress = 198.18.0.201/24\n"
                + "interface = eth0\n", "");
        cluster.startAll();
        for (Node n : cluster.nodes()) {
            assertTrue(LoopbackCluster.await(FORM, () -> cluster.quorumWithEveryNodeOnline(n)),
                    "node " + n.name + " never saw quorum with every node online\n" + cluster.logs());
        }
        Node c = cluster.node("c");
        assertEquals(List.of(WHOLE_WAIT_MILLIS), waits(c), "a first start knows nothing of a previous run");

        // 1. stopped cleanly, started again after more than a whole wait: it votes at once
        cluster.stop(c);
        Thread.sleep(WHOLE_WAIT_MILLIS + 200);
        cluster.start(c);
        long second = awaitStart(c, 2);
        assertEquals(0, second, cluster.logOf(c));
        assertTrue(cluster.logOf(c).contains("restart wait: stopped cleanly"), cluster.logOf(c));
        awaitVoter(c);

        // 2. stopped cleanly and started at once: it waits what is left of its last grant's lease
        cluster.stop(c);
        cluster.start(c);
        long third = awaitStart(c, 3);
        // how long ago the stop was, as the new run measured it on the boot clock
        java.util.regex.Matcher ago = java.util.regex.Pattern.compile("restart wait: stopped cleanly ([0-9.]+) s ago")
                .matcher(cluster.logOf(c));
        double agoSeconds = -1;
        while (ago.find()) {
            agoSeconds = Double.parseDouble(ago.group(1)); // the last: this start's
        }
        long agoMillis = Math.round(agoSeconds * 1000);
        assertTrue(agoSeconds >= 0 && third < WHOLE_WAIT_MILLIS && Math.abs(third - Math.max(0, WHOLE_WAIT_MILLIS
                - agoMillis)) <= 30, "a start right after a clean stop waits only what is left of the whole wait (the"
                + " stop and the JVM's start took " + agoMillis + " ms of it; 0 on a machine slow enough to take it"
                + " all), not " + third + " ms\n" + cluster.logOf(c));
        awaitVoter(c);

        // 3. kill -9: no record, the whole wait
        cluster.kill(c);
        cluster.start(c);
        assertEquals(WHOLE_WAIT_MILLIS, awaitStart(c, 4), cluster.logOf(c));
        assertTrue(cluster.logOf(c).contains("restart wait: no record of a clean stop"), cluster.logOf(c));
        System.out.println("restart waits of c (first start, clean stop + 2.2 s, clean stop + start at once,"
                + " kill -9): " + waits(c) + " ms");
        awaitVoter(c);
    }

    /** Waits (bounded) until {@code n} is back in quorum and out of its restart wait. */
    private void awaitVoter(Node n) throws InterruptedException {
        assertTrue(LoopbackCluster.await(FORM, () -> cluster.quorumWithEveryNodeOnline(n)
                && !cluster.restarting(n, n.name)), n.name + " did not rejoin as a voter\n" + cluster.logs());
    }

    /** The restart wait of each start of {@code n} so far, in order, from its log. */
    private List<Long> waits(Node n) {
        List<Long> out = new ArrayList<>();
        Matcher m = Cluster.VOTING_WAIT.matcher(cluster.logOf(n));
        while (m.find()) {
            out.add(Long.parseLong(m.group(1)));
        }
        return out;
    }

    /** Waits (bounded) for the {@code count}-th start line of {@code n} and returns its wait. */
    private long awaitStart(Node n, int count) throws InterruptedException {
        assertTrue(LoopbackCluster.await(FORM, () -> waits(n).size() >= count), "start " + count + " of " + n.name
                + " never logged its start\n" + cluster.logOf(n));
        return waits(n).get(count - 1);
    }
}
