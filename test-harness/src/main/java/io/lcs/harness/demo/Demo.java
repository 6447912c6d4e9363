package io.lcs.harness.demo;

import io.lcs.cli.Environment;
import io.lcs.cli.Lcs;
import io.lcs.harness.loopback.LoopbackCluster;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The quick-start demo: a 3-node cluster (two full-members and a witness) with one VIP, shows
 * {@code lcs status}, kills the owner with SIGKILL, shows the VIP failing over with its timing, and
 * cleans up. This class runs the loopback variant (three real lcsd processes on 127.0.0.1-3, the
 * VIP simulated in memory), used when the demo cannot create network namespaces.
 */
public final class Demo {
    private Demo() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Files.createTempDirectory("lcs-demo-");
        System.out.println("lcs demo (loopback): 3 lcsd processes on 127.0.0.1-3, nodes a and b (full-member) and"
                + " c (quorum-only witness); VIP web 198.18.0.100/24, simulated (no interface is touched)");
        try (LoopbackCluster cluster = new LoopbackCluster(root, List.of("a", "b", "c*"),
                "[vip web]\naddress = 198.18.0.100/24\ninterface = eth0\n", "")) {
            long t0 = System.nanoTime();
            cluster.startAll();
            LoopbackCluster.Node a = cluster.node("a");
            LoopbackCluster.Node c = cluster.node("c");
            if (!LoopbackCluster.await(Duration.ofSeconds(30), () -> cluster.owner(c, "web") != null)) {
                System.out.println("the cluster did not form in 30 s; logs:\n" + cluster.logs());
                System.exit(1);
            }
            System.out.printf(Locale.ROOT, "%nquorum formed and web is active after %.2f s (includes JVM start-up and"
                    + " the %d ms restart wait every node observes before voting)%n", secondsSince(t0), 2000);
            System.out.println("\n$ lcs status   (asked on " + a.name + ")");
            System.out.print(lcs(a, "status"));

            String owner = cluster.owner(c, "web");
            long epoch = cluster.epoch(c, "web");
            LoopbackCluster.Node victim = cluster.node(owner);
            LoopbackCluster.Node other = cluster.nodes().stream()
                    .filter(n -> !n.witness && !n.name.equals(owner)).findFirst().orElseThrow();
            System.out.println("\n$ kill -9 <lcsd of " + owner + ">   (the owner of web, epoch " + epoch + ")");
            long killed = System.nanoTime();
            cluster.kill(victim);
            boolean moved = LoopbackCluster.await(Duration.ofSeconds(15),
                    () -> other.name.equals(cluster.owner(other, "web")));
            double failover = secondsSince(killed);
            if (!moved) {
                System.out.println("web did not fail over within 15 s; logs:\n" + cluster.logs());
                System.exit(1);
            }
            System.out.printf(Locale.ROOT, "web is active on %s %.2f s after the kill (lease 2.0 s: %s's lease"
                    + " had to run out on a majority first; then a 250 ms duplicate-address probe)%n", other.name,
                    failover, owner);
            System.out.println("\n$ lcs status   (asked on " + other.name + ")");
            System.out.print(lcs(other, "status"));
            System.out.printf(Locale.ROOT, "%nsummary: failover after kill -9 took %.2f s; epoch %d -> %d%n", failover,
                    epoch, cluster.epoch(other, "web"));
        } finally {
            deleteTree(root);
        }
    }

    private static String lcs(LoopbackCluster.Node n, String... verb) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] args = new String[verb.length + 2];
        args[0] = "--server";
        args[1] = n.adminUrl();
        System.arraycopy(verb, 0, args, 2, verb.length);
        Lcs.run(args, new PrintWriter(out, true), new PrintWriter(err, true), Environment.system());
        return out.toString() + err;
    }

    private static double secondsSince(long t) {
        return (System.nanoTime() - t) / 1e9;
    }

    private static void deleteTree(Path root) throws java.io.IOException {
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
