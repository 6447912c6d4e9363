package io.lcs.harness.loopback;

import io.lcs.cli.AdminEndpoint;
import io.lcs.cli.Environment;
import io.lcs.cli.Lcs;
import io.lcs.harness.loopback.LoopbackCluster.Node;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The {@code lcs} CLI run in-process against one node of a {@link LoopbackCluster}, as root would run it there. */
final class InProcessLcs {
    private InProcessLcs() {
    }

    /** One CLI invocation's outcome. */
    record Run(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /**
     * Runs {@code lcs --server URL-of-n ARGS} in-process with n's admin token (as root would); never
     * reads /etc/lcs/lcs.conf.
     */
    static Run lcs(Node n, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> argv = new ArrayList<>(List.of("--server", n.adminUrl()));
        argv.addAll(List.of(args));
        Environment env = new Environment(InputStream.nullInputStream(), Clock.systemUTC(), System::nanoTime,
                Duration.ofMillis(100), (config, explicit) -> new AdminEndpoint(URI.create(n.adminUrl()),
                n.adminTokenFile(), false, config));
        int exit = Lcs.run(argv.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err), env);
        return new Run(exit, out.toString(), err.toString());
    }
}
