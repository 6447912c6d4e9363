package io.lcs.reconcilers.process;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link CommandRunner} over {@link ProcessBuilder}: argv only, a fixed minimal environment
 * ({@code PATH=/usr/sbin:/usr/bin:/sbin:/bin}, {@code LC_ALL=C} so error messages are parseable),
 * working directory {@code /}, stdin from /dev/null (or the given text, written by a short-lived daemon thread). Standard output and standard error are drained
 * by two short-lived daemon threads while the calling thread waits for the timeout, so neither pipe
 * can fill up and block the child. On timeout the process is killed with SIGKILL (the commands run here, {@code ip},
 * {@code arping}, {@code ndisc6}, {@code na6}, hold no state worth a graceful stop), or, with
 * {@link #runTerminating}, first sent SIGTERM so it can report what it did.
 */
public final class ProcessCommandRunner implements CommandRunner {
    static final String PATH = "/usr/sbin:/usr/bin:/sbin:/bin";
    /** After a kill, how long to wait for the process to be reaped and pipes to close. */
    private static final long REAP_MILLIS = 1_000;

    @Override
    public CommandResult run(List<String> argv, Duration timeout) throws IOException, InterruptedException {
        return run(argv, null, MAX_STDERR_BYTES, timeout, null);
    }

    @Override
    public CommandResult run(List<String> argv, String stdin, Duration timeout) throws IOException, InterruptedException {
        return run(argv, stdin, MAX_BATCH_STDERR_BYTES, timeout, null);
    }

    @Override
    public CommandResult runTerminating(List<String> argv, Duration timeout, Duration grace)
            throws IOException, InterruptedException {
        if (grace == null || grace.isNegative() || grace.compareTo(Duration.ofSeconds(5)) > 0) {
            throw new IllegalArgumentException("grace " + grace + " must be 0..5 s");
        }
        return run(argv, null, MAX_STDERR_BYTES, timeout, grace);
    }

    /** @param grace null to kill at the timeout; else SIGTERM at the timeout and SIGKILL this much later */
    private CommandResult run(List<String> argv, String stdin, int stderrBytes, Duration timeout, Duration grace)
            throws IOException, InterruptedException {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("empty argv");
        }
        byte[] input = stdin == null ? null : stdin.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (input != null && input.length > MAX_STDIN_BYTES) {
            throw new IllegalArgumentException("standard input for " + argv.get(0) + " is " + input.length
                    + " bytes, more than " + MAX_STDIN_BYTES);
        }
        ProcessBuilder pb = new ProcessBuilder(argv)
                .directory(new File("/"))
                .redirectInput(input == null ? ProcessBuilder.Redirect.from(new File("/dev/null"))
                        : ProcessBuilder.Redirect.PIPE);
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", PATH);
        env.put("LC_ALL", "C");
        long start = System.nanoTime();
        Process p = pb.start();
        if (input != null) {
            // a separate thread: a child that stops reading must not block us past the timeout
            Thread in = new Thread(() -> {
                try (java.io.OutputStream o = p.getOutputStream()) {
                    o.write(input);
                } catch (IOException e) {
                    // the child exited or closed its input early: its exit status tells what happened
                }
            }, "lcs-cmd-stdin");
            in.setDaemon(true);
            in.start();
        }
        BoundedCapture err = new BoundedCapture(stderrBytes, 0);
        CompletableFuture<Void> errDrain = new CompletableFuture<>();
        Thread errThread = new Thread(() -> {
            try {
                err.drain(p.getErrorStream());
            } finally {
                errDrain.complete(null);
            }
        }, "lcs-cmd-stderr");
        errThread.setDaemon(true);
        errThread.start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()),
                command -> {
                    Thread t = new Thread(command, "lcs-cmd-stdout");
                    t.setDaemon(true);
                    t.start();
                });
        boolean timedOut = false;
        try {
            if (!p.waitFor(Math.max(timeout.toNanos(), 0), TimeUnit.NANOSECONDS)) {
                timedOut = true;
                if (grace != null) {
                    // SIGTERM through the handle: Process.destroy() would also close our ends of the
                    // pipes at once, losing what the process prints as it stops (measured)
                    p.toHandle().destroy();
                    if (!p.waitFor(grace.toNanos(), TimeUnit.NANOSECONDS)) {
                        p.destroyForcibly();
                    }
                } else {
                    p.destroyForcibly();
                }
                p.waitFor(REAP_MILLIS, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            throw e;
        }
        byte[] stdout;
        try {
            stdout = out.get(REAP_MILLIS, TimeUnit.MILLISECONDS);
            errDrain.get(REAP_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IOException(String.join(" ", argv) + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            // a grandchild still holds the pipes open: close our ends and report what we have
            p.getInputStream().close();
            p.getErrorStream().close();
            stdout = new byte[0];
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        int exit = p.isAlive() ? -1 : p.exitValue();
        return new CommandResult(exit, timedOut, new String(stdout, java.nio.charset.StandardCharsets.UTF_8),
                err.text(), took);
    }

    private static byte[] readAll(InputStream in) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                if (bytes.size() + n > MAX_STDOUT_BYTES) {
                    in.close();
                    throw new IllegalStateException("standard output exceeded " + MAX_STDOUT_BYTES + " bytes");
                }
                bytes.write(buf, 0, n);
            }
        } catch (IOException e) {
            // pipe closed after a kill: return what was read
        }
        return bytes.toByteArray();
    }
}
