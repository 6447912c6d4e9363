package io.lcs.reconcilers.net;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One long-lived {@code ip [-n NS] -j -force -batch -} process fed requests on its standard input,
 * so reading and changing addresses every lease renewal spawns no process (a spawn from the JVM
 * costs about 2.4 ms of CPU here; a request through the pipe a small fraction of that).
 *
 * <p>Protocol (iproute2 6.1, checked): standard output and standard error are merged
 * ({@code redirectErrorStream}) so they arrive in execution order; {@code ip} flushes after each
 * command; with the global {@code -j} every {@code show} prints one JSON array on one line; a change
 * prints nothing on success; a failing command prints its message line(s) and then
 * {@code Command failed -:N}, N the line number counted from the start of the process. A request is
 * its command lines followed by a sentinel line {@code lcs-sync-SEQ}, an unknown object that always
 * fails ({@code Object "lcs-sync-SEQ" is unknown...} then {@code Command failed -:M}); the reply is
 * read up to the sentinel's failure line, recognized by its number M (the name in the message is not
 * reliable: after long batches ip has printed it as NUL bytes). Error lines before a {@code Command failed -:N} belong to
 * line N; JSON lines belong to the {@code show} commands in order (a show that failed printed none).
 * No {@code link} command is ever sent: in batch mode {@code ip link show} leaves a static set that
 * makes every later {@code addr show} of the process print links without their addresses.
 *
 * <p>Bounds: requests are serialized (one at a time; waiting for the session counts against the
 * caller's timeout); every wait has a deadline; a line is at most {@link #MAX_LINE_BYTES}, a request
 * at most {@link #MAX_REQUEST_BYTES}; at most {@link #MAX_QUEUED_LINES} reply lines are buffered.
 * On a timeout, an early exit, an over-long line or output that does not fit the protocol the
 * process is destroyed (SIGKILL) and the next request starts a fresh one; the request's commands that
 * did not report a failure are then {@link LineResult.Unknown} — never assumed to have succeeded.
 * When the JVM exits, {@code ip} reads end of file on its standard input and exits by itself.
 *
 * <p>Thread-safe.
 */
final class IpSession implements AutoCloseable {
    /** Longest reply line: a listing of every interface with 10,000 addresses is about 1.5 MB. */
    static final int MAX_LINE_BYTES = 4 * 1024 * 1024;
    /** Largest request: {@link NetworkActuator#MAX_BATCH} changes of about 100 bytes, plus listings. */
    static final int MAX_REQUEST_BYTES = 2 * 1024 * 1024;
    /** Reply lines buffered between the reading thread and the caller (at most 3 per command line). */
    static final int MAX_QUEUED_LINES = 4 * NetworkActuator.MAX_BATCH;
    /** Bound on the error text kept for one command line. */
    static final int MAX_MESSAGE_CHARS = 4096;
    private static final String PATH = "/usr/sbin:/usr/bin:/sbin:/bin";
    /**
     * A session process is retired (and a fresh one started by the next request) once it has run
     * this many change lines: iproute2 6.1's batch mode keeps about 4 KiB per {@code addr change}
     * for the life of the process (measured: 20,000 changes grew it by 80 MiB), so one VIP renewed
     * twice a second would cost ~700 MiB a day. 1,000 changes cap it at ~4 MiB; one VIP then
     * starts a new ip every ~8 minutes, 1,000 VIPs once per renewal (as without a session).
     */
    static final int RECYCLE_AFTER_CHANGES = 1_000;
    private static final Pattern FAILED = Pattern.compile("^Command failed -:(\\d+)$");
    private static final String SENTINEL = "lcs-sync-";

    /** One command line of a request: {@code show} commands print one JSON line on success. */
    record Command(String line, boolean show) {
        Command {
            Objects.requireNonNull(line, "line");
            if (line.isBlank() || line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0 || line.indexOf('#') >= 0
                    || line.indexOf('\\') >= 0 || line.indexOf('"') >= 0) {
                throw new IllegalArgumentException("ip batch line '" + line + "' is empty or has a newline, '#', '\\' or '\"'");
            }
            if (line.startsWith("link") || line.startsWith("l ")) {
                // "ip link show" in batch mode sets a static (do_link) that is never reset: every later
                // "addr show" of the process prints links without addresses (iproute2 6.1, measured)
                throw new IllegalArgumentException("ip batch line '" + line + "': no link commands in a session"
                        + " (they break later address listings); use addr show");
            }
        }

        static Command change(List<String> args) {
            return new Command(String.join(" ", args), false);
        }

        static Command show(List<String> args) {
            return new Command(String.join(" ", args), true);
        }
    }

    /** What happened to one command line. */
    sealed interface LineResult {
        /** A change that ran and succeeded (a show never ends here). */
        record Done() implements LineResult {
        }

        /** The line failed; {@code message} is what ip printed before {@code Command failed}. */
        record Failed(String message) implements LineResult {
        }

        /** A show that succeeded, with its one JSON line. */
        record Shown(String json) implements LineResult {
        }

        /** The request did not finish cleanly and ip said nothing about this line. */
        record Unknown() implements LineResult {
        }
    }

    /**
     * The reply to a request.
     *
     * @param results one per command, in order
     * @param problem why the request did not finish cleanly (then some results may be
     *                {@link LineResult.Unknown}), or null if ip reported on every line
     * @param timedOut true if the problem is that no reply came within the timeout
     */
    record Reply(List<LineResult> results, String problem, boolean timedOut) {
        boolean complete() {
            return problem == null;
        }
    }

    /** Output that does not fit the protocol: the session is out of step and must be restarted. */
    static final class ProtocolException extends Exception {
        ProtocolException(String message) {
            super(message);
        }
    }

    /**
     * Pure: reads the merged reply lines of one request. Feed lines with {@link #accept} until it
     * returns true, then {@link #finish}; or {@link #abandon} if the stream broke off.
     */
    static final class ReplyParser {
        private final List<Command> commands;
        private final long firstLine;
        private final long sentinelLine;
        private final String sentinelToken;
        private final LineResult[] results;
        private final StringBuilder pending = new StringBuilder();
        /** Index of the last command known to have run (-1: none yet). */
        private int lastRan = -1;
        private boolean done;

        ReplyParser(List<Command> commands, long firstLine, String sentinelToken) {
            this.commands = commands;
            this.firstLine = firstLine;
            this.sentinelLine = firstLine + commands.size();
            this.sentinelToken = sentinelToken;
            this.results = new LineResult[commands.size()];
        }

        /** Takes one line (without its newline); true when the sentinel's failure line was read. */
        boolean accept(String line) throws ProtocolException {
            if (done) {
                throw new ProtocolException("output after the end of the request: " + quote(line));
            }
            Matcher m = FAILED.matcher(line);
            if (m.matches()) {
                long n;
                try {
                    n = Long.parseLong(m.group(1));
                } catch (NumberFormatException e) {
                    throw new ProtocolException("bad line number in " + quote(line));
                }
                String message = pending.toString();
                pending.setLength(0);
                if (n == sentinelLine) {
                    // found by its line number alone: ip sometimes prints the unknown object's name as NUL
                    // bytes after a long batch (iproute2 6.1, seen with 1,000-line requests)
                    done = true;
                    return true;
                }
                int i = (int) Math.max(-1, Math.min(Integer.MAX_VALUE, n - firstLine));
                // lines run in order: a failure of an earlier line, or a second failure of one line, is out of step
                // (a listing may print JSON and then fail, so the last line run may fail once)
                if (n < firstLine || n > sentinelLine || i < lastRan
                        || (i == lastRan && results[i] instanceof LineResult.Failed)) {
                    throw new ProtocolException("unexpected " + quote(line) + " (this request is lines " + firstLine
                            + ".." + sentinelLine + ")");
                }
                results[i] = new LineResult.Failed(message.isEmpty() ? "failed (no message)" : message);
                lastRan = i;
                return false;
            }
            if (line.startsWith("[") || line.startsWith("{")) {
                for (int i = lastRan + 1; i < commands.size(); i++) {
                    if (commands.get(i).show()) {
                        results[i] = new LineResult.Shown(line);
                        lastRan = i;
                        return false;
                    }
                }
                throw new ProtocolException("JSON output with no listing left to read it: " + quote(line));
            }
            if (!line.isBlank() && pending.length() < MAX_MESSAGE_CHARS) {
                pending.append(pending.length() == 0 ? "" : "; ").append(line.strip());
                if (pending.length() > MAX_MESSAGE_CHARS) {
                    pending.setLength(MAX_MESSAGE_CHARS);
                    pending.append(" [...]");
                }
            }
            return false;
        }

        /** The reply once {@link #accept} returned true: every line ran. */
        Reply finish() throws ProtocolException {
            if (!done) {
                throw new IllegalStateException("the request has not ended");
            }
            List<LineResult> out = new ArrayList<>(results.length);
            for (int i = 0; i < results.length; i++) {
                LineResult r = results[i];
                if (r == null) {
                    if (commands.get(i).show()) {
                        throw new ProtocolException("the listing '" + commands.get(i).line()
                                + "' printed nothing and did not fail");
                    }
                    r = new LineResult.Done();
                }
                out.add(r);
            }
            return new Reply(List.copyOf(out), null, false);
        }

        /**
         * The reply of a request cut short by a timeout or the end of the stream: what ip said is kept
         * (failures, listings); every other line is {@link LineResult.Unknown}.
         */
        Reply abandon(String problem, boolean timedOut) {
            return abandon(problem, timedOut, true);
        }

        /**
         * @param keepReceived false when the output did not fit the protocol: then nothing read can be
         *                     trusted to belong to this request and every line is Unknown
         */
        Reply abandon(String problem, boolean timedOut, boolean keepReceived) {
            List<LineResult> out = new ArrayList<>(results.length);
            for (LineResult r : results) {
                out.add(r == null || !keepReceived ? new LineResult.Unknown() : r);
            }
            return new Reply(List.copyOf(out), problem, timedOut);
        }

        private static String quote(String s) {
            return "'" + (s.length() > 200 ? s.substring(0, 200) + "..." : s) + "'";
        }
    }

    /** The request text: each command, then the sentinel. */
    static byte[] requestText(List<Command> commands, String sentinelToken) {
        StringBuilder sb = new StringBuilder(commands.size() * 80 + 32);
        for (Command c : commands) {
            sb.append(c.line()).append('\n');
        }
        sb.append(sentinelToken).append('\n');
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** End of the merged stream (the process exited or was destroyed). */
    private static final Object EOF = new Object();
    /** A line longer than {@link #MAX_LINE_BYTES}. */
    private static final Object OVERLONG = new Object();

    /** One running {@code ip} process with its reading and writing threads. */
    private static final class Running {
        final Process process;
        final BlockingQueue<Object> lines = new LinkedBlockingQueue<>(MAX_QUEUED_LINES);
        final BlockingQueue<byte[]> input = new ArrayBlockingQueue<>(1);
        final Thread reader;
        final Thread writer;
        volatile boolean closed;
        /** Lines written so far: ip numbers lines from the start of the process. */
        long linesSent;
        /** Change (non-show) lines written so far: see {@link #RECYCLE_AFTER_CHANGES}. */
        long changesSent;

        Running(Process process) {
            this.process = process;
            this.reader = new Thread(this::readLines, "lcs-ip-session-out");
            this.writer = new Thread(this::writeRequests, "lcs-ip-session-in");
            reader.setDaemon(true);
            writer.setDaemon(true);
            reader.start();
            writer.start();
        }

        private void readLines() {
            InputStream in = process.getInputStream();
            byte[] buf = new byte[16 * 1024];
            byte[] line = new byte[4096];
            int length = 0;
            boolean overlong = false;
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    for (int i = 0; i < n; i++) {
                        byte b = buf[i];
                        if (b == '\n') {
                            if (!put(overlong ? OVERLONG : new String(line, 0, length, StandardCharsets.UTF_8))) {
                                return;
                            }
                            length = 0;
                            overlong = false;
                        } else if (!overlong) {
                            if (length == MAX_LINE_BYTES) {
                                overlong = true;
                                continue;
                            }
                            if (length == line.length) {
                                line = java.util.Arrays.copyOf(line, Math.min(MAX_LINE_BYTES, line.length * 2));
                            }
                            line[length++] = b;
                        }
                    }
                    if (length < 4096 && line.length > 4096) {
                        line = new byte[4096]; // do not keep a megabyte buffer after one big listing
                    }
                }
            } catch (IOException e) {
                // destroyed under us: end of stream
            }
            put(EOF);
        }

        private boolean put(Object item) {
            try {
                while (!closed) {
                    if (lines.offer(item, 100, TimeUnit.MILLISECONDS)) {
                        return true;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return false;
        }

        private void writeRequests() {
            try (OutputStream out = process.getOutputStream()) {
                while (!closed) {
                    byte[] request = input.take();
                    out.write(request);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // destroyed, or ip exited: the reader sees the end of the stream
            }
        }

        void destroy() {
            closed = true;
            process.destroyForcibly();
            reader.interrupt();
            writer.interrupt();
            lines.clear();
        }
    }

    private final List<String> argv;
    private final ReentrantLock lock = new ReentrantLock();
    private Running running;
    private long sequence;
    private long starts;

    /** @param netns a network namespace name for {@code ip -n}, or null */
    IpSession(String netns) {
        this(ipArgv(netns));
    }

    /** A session over another program speaking the same protocol (tests: a stand-in for ip). */
    IpSession(List<String> argv) {
        this.argv = List.copyOf(argv);
    }

    private static List<String> ipArgv(String netns) {
        List<String> a = new ArrayList<>(List.of("ip"));
        if (netns != null) {
            a.add("-n");
            a.add(netns);
        }
        a.addAll(List.of("-j", "-force", "-batch", "-"));
        return a;
    }

    /** The command line of the session process, e.g. {@code ip -j -force -batch -}. */
    String commandLine() {
        return String.join(" ", argv);
    }

    /** How many times a process was started (for tests and measurements). */
    long starts() {
        lock.lock();
        try {
            return starts;
        } finally {
            lock.unlock();
        }
    }

    /** The PID of the current process, or -1 if none is running (for tests and measurements). */
    long pid() {
        lock.lock();
        try {
            return running != null && running.process.isAlive() ? running.process.pid() : -1;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs {@code commands} and waits for their reply at most {@code timeout} (including the wait
     * for an earlier request to finish).
     *
     * @throws IOException if {@code ip} cannot be started (e.g. not installed)
     * @throws InterruptedException if interrupted; the process is then destroyed (out of step)
     */
    Reply execute(List<Command> commands, Duration timeout) throws IOException, InterruptedException {
        if (commands.isEmpty()) {
            return new Reply(List.of(), null, false);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        if (!lock.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            return new ReplyParser(commands, 0, "").abandon("another ip request held the session for "
                    + timeout.toMillis() + " ms", true);
        }
        try {
            String token = SENTINEL + (++sequence);
            byte[] text = requestText(commands, token);
            if (text.length > MAX_REQUEST_BYTES) {
                throw new IllegalArgumentException("ip request of " + text.length + " bytes is over "
                        + MAX_REQUEST_BYTES);
            }
            if (running != null && (!running.process.isAlive() || !running.lines.isEmpty()
                    || running.changesSent >= RECYCLE_AFTER_CHANGES)) {
                // exited, output nobody asked for (out of step), or retired (its memory grows with
                // every change); between requests it is idle, so ending it loses nothing
                running.destroy();
                running = null;
            }
            if (running == null) {
                running = new Running(start());
                starts++;
            }
            Running r = running;
            ReplyParser parser = new ReplyParser(commands, r.linesSent + 1, token);
            r.linesSent += commands.size() + 1;
            for (Command c : commands) {
                if (!c.show()) {
                    r.changesSent++;
                }
            }
            if (!r.input.offer(text)) {
                return fail(r, parser, "the previous request to ip was still being written", false);
            }
            try {
                while (true) {
                    long left = deadline - System.nanoTime();
                    Object item = left > 0 ? r.lines.poll(left, TimeUnit.NANOSECONDS) : null;
                    if (item == null) {
                        return fail(r, parser, "no reply from " + commandLine() + " within " + timeout.toMillis()
                                + " ms", true);
                    }
                    if (item == EOF) {
                        String exit = r.process.waitFor(100, TimeUnit.MILLISECONDS)
                                ? "exit " + r.process.exitValue() : "closed its output";
                        return fail(r, parser, commandLine() + " ended before answering (" + exit + ")", false);
                    }
                    if (item == OVERLONG) {
                        return fail(r, parser, commandLine() + " printed a line longer than " + MAX_LINE_BYTES
                                + " bytes", false);
                    }
                    try {
                        if (parser.accept((String) item)) {
                            return parser.finish();
                        }
                    } catch (ProtocolException e) {
                        return fail(r, parser, "unexpected output from " + commandLine() + ": " + e.getMessage(), false,
                                false);
                    }
                }
            } catch (InterruptedException e) {
                r.destroy();
                running = null;
                throw e;
            }
        } finally {
            lock.unlock();
        }
    }

    private Reply fail(Running r, ReplyParser parser, String problem, boolean timedOut) {
        return fail(r, parser, problem, timedOut, true);
    }

    private Reply fail(Running r, ReplyParser parser, String problem, boolean timedOut, boolean keepReceived) {
        r.destroy();
        if (running == r) {
            running = null;
        }
        return parser.abandon(problem + "; restarting ip", timedOut, keepReceived);
    }

    private Process start() throws IOException {
        ProcessBuilder pb = new ProcessBuilder(argv).directory(new File("/")).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", PATH);
        env.put("LC_ALL", "C");
        return pb.start();
    }

    /** Destroys the process, if any; a later request starts a new one. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (running != null) {
                running.destroy();
                running = null;
            }
        } finally {
            lock.unlock();
        }
    }
}
