package io.lcs.harness.netns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Records, in {@code /tmp/lcs-harness/<run id>.state}, every namespace and every process a run
 * creates, so that {@link #cleanup} can remove the leftovers of an interrupted run (kill -9 of the
 * harness, a power cut of the JVM) and nothing else: a process is killed only if its PID still
 * belongs to the same process (same start instant, recorded at start), a namespace only if its
 * name carries the harness prefix. Lines are appended and flushed as things are created.
 *
 * <p>Thread-safe (appends are synchronized).
 */
public final class RunRegistry {
    public static final Path STATE_DIR = Path.of("/tmp/lcs-harness");
    private final Path file;

    private RunRegistry(Path file) {
        this.file = file;
    }

    /** Opens (creates) the state file of run {@code runId}. */
    public static RunRegistry open(String runId) {
        try {
            Files.createDirectories(STATE_DIR);
            Path f = STATE_DIR.resolve(runId + ".state");
            if (!Files.exists(f)) {
                Files.createFile(f);
            }
            return new RunRegistry(f);
        } catch (IOException e) {
            throw new HarnessException("cannot create the run state file under " + STATE_DIR + ": " + e.getMessage(), e);
        }
    }

    public synchronized void namespace(String ns) {
        append("ns " + Netns.checkName(ns));
    }

    /** Records a process we started; {@code what} is a free-form label for the report. */
    public synchronized void process(Process p, String what) {
        long startMillis = p.info().startInstant().map(Instant::toEpochMilli).orElse(-1L);
        append("pid " + p.pid() + " " + startMillis + " " + what.replaceAll("\\s+", "_"));
    }

    /** Records a process we started that is not a {@link Process} of ours (e.g. a daemon's child). */
    public synchronized void process(ProcessHandle p, String what) {
        long startMillis = p.info().startInstant().map(Instant::toEpochMilli).orElse(-1L);
        append("pid " + p.pid() + " " + startMillis + " " + what.replaceAll("\\s+", "_"));
    }

    private void append(String line) {
        try {
            Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND,
                    StandardOpenOption.SYNC);
        } catch (IOException e) {
            throw new HarnessException("cannot record '" + line + "' in " + file + ": " + e.getMessage(), e);
        }
    }

    /** The run finished its own cleanup: forget it. */
    public synchronized void finished() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // the next cleanup finds nothing to do for it
        }
    }

    /** What {@link #cleanup} did. */
    public record CleanupResult(List<String> killed, List<String> namespaces, List<String> errors) {
    }

    /**
     * Kills every recorded process that is still the same process (SIGKILL, by PID), deletes every
     * recorded namespace and every other namespace named {@code lcsh-*}, and removes the state
     * files. Safe to run while no harness runs; it must not run while one does.
     */
    public static CleanupResult cleanup() {
        List<String> killed = new ArrayList<>();
        List<String> namespaces = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        List<String> recordedNs = new ArrayList<>();
        if (Files.isDirectory(STATE_DIR)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(STATE_DIR, "*.state")) {
                for (Path f : ds) {
                    for (String line : Files.readAllLines(f)) {
                        String[] w = line.strip().split(" ");
                        if (w.length >= 3 && w[0].equals("pid")) {
                            killIfSame(w, killed, errors);
                        } else if (w.length == 2 && w[0].equals("ns")) {
                            recordedNs.add(w[1]);
                        }
                    }
                    Files.deleteIfExists(f);
                }
            } catch (IOException e) {
                errors.add("reading " + STATE_DIR + ": " + e.getMessage());
            }
        }
        List<String> all = new ArrayList<>(recordedNs);
        for (String ns : Netns.listHarness()) {
            if (!all.contains(ns)) {
                all.add(ns);
            }
        }
        for (String ns : all) {
            try {
                Netns.checkName(ns);
                if (Netns.delete(ns)) {
                    namespaces.add(ns);
                }
            } catch (HarnessException e) {
                errors.add(e.getMessage());
            }
        }
        return new CleanupResult(killed, namespaces, errors);
    }

    private static void killIfSame(String[] w, List<String> killed, List<String> errors) {
        long pid;
        long startMillis;
        try {
            pid = Long.parseLong(w[1]);
            startMillis = Long.parseLong(w[2]);
        } catch (NumberFormatException e) {
            errors.add("bad state line: " + String.join(" ", w));
            return;
        }
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().isAlive()) {
            return;
        }
        long actual = h.get().info().startInstant().map(Instant::toEpochMilli).orElse(-2L);
        if (startMillis < 0 || actual != startMillis) {
            return; // the PID was reused by some other process: not ours
        }
        h.get().destroyForcibly();
        killed.add(pid + " (" + (w.length > 3 ? w[3] : "?") + ")");
    }
}
