package io.lcs.dist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs one command (argv, no shell) with a time limit; output captured through a file, so it never blocks. */
record Run(int exit, String out) {
    static final long TIMEOUT_SECONDS = 120;

    static Run of(List<String> argv, Map<String, String> env, Path scratch) throws IOException, InterruptedException {
        Path log = Files.createTempFile(scratch, "run", ".log");
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().remove("LCS_HOME");
        pb.environment().remove("LCS_JAVA_OPTS");
        pb.environment().remove("LCSD_JAVA_OPTS");
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(argv + " did not finish in " + TIMEOUT_SECONDS + " s");
        }
        return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    Run ok(String what) {
        if (exit != 0) {
            throw new AssertionError(what + ": exit " + exit + "\n" + out);
        }
        return this;
    }
}
