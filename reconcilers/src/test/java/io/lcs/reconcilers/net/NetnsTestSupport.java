package io.lcs.reconcilers.net;

import io.lcs.reconcilers.process.CommandResult;
import io.lcs.reconcilers.process.ProcessCommandRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** What the root ITs of this package share: who runs them, and a command that must succeed. */
final class NetnsTestSupport {
    /** Under CI every test runs: a root test that cannot must fail, not skip. */
    static final boolean CI = "true".equals(System.getenv("CI"));
    static final ProcessCommandRunner RUNNER = new ProcessCommandRunner();

    private NetnsTestSupport() {
    }

    /** True if this process runs as root (real uid 0 in /proc/self/status). */
    static boolean root() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /** Runs {@code argv} (10 s at most) and fails the test with its stderr unless it exits 0. */
    static void run(String... argv) throws Exception {
        CommandResult r = RUNNER.run(List.of(argv), Duration.ofSeconds(10));
        if (!r.ok()) {
            throw new AssertionError(String.join(" ", argv) + ": exit " + r.exitCode() + ": " + r.stderr());
        }
    }
}
