package io.lcs.controller.check;

import io.lcs.model.config.CheckConfig;
import io.lcs.reconcilers.hook.HookInvocation;
import io.lcs.reconcilers.hook.HookResult;
import io.lcs.reconcilers.hook.HookRunner;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The real checks:
 * <ul>
 *   <li>{@code exec}: the command through the (guarded) hook runner, so it obeys the hook rules
 *       (lcs.conf names it, or it lies in {@code hook_dirs}; root-owned file and directories), runs
 *       as argv without a shell in a clean environment ({@code LCS_CLUSTER LCS_NODE LCS_CHECK}) in
 *       its own process group, is killed with that whole group at {@code timeout_ms}, and its output
 *       is capped; passes on exit 0;</li>
 *   <li>{@code tcp}: a connect within {@code timeout_ms};</li>
 *   <li>{@code http}: a GET without proxy or redirects (the JDK's client), connect and read each
 *       bounded by what is left of {@code timeout_ms}, and the whole exchange cut at
 *       {@code timeout_ms} (the connection is closed from the {@code lcs-check-deadline} thread, so a
 *       server trickling its headers or body a byte at a time cannot hold the run); passes on
 *       {@code expect_status}, else any 2xx; at most {@value #MAX_BODY_BYTES} bytes of the body are
 *       read;</li>
 *   <li>{@code interface}: {@code /sys/class/net/IF}: administratively up ({@code flags} & IFF_UP) and
 *       carrier.</li>
 * </ul>
 */
public final class SystemCheckProbe implements CheckProbe {
    /** The body of a health URL is read (so the server is not cut off mid-reply) up to this much. */
    static final int MAX_BODY_BYTES = 64 * 1024;
    /** Closes an HTTP check's connection at its deadline; its one thread ends after 30 s without work. */
    private static final java.util.concurrent.ScheduledThreadPoolExecutor DEADLINES = deadlineTimer();

    private static java.util.concurrent.ScheduledThreadPoolExecutor deadlineTimer() {
        java.util.concurrent.ScheduledThreadPoolExecutor t = new java.util.concurrent.ScheduledThreadPoolExecutor(1,
                r -> {
                    Thread th = new Thread(r, "lcs-check-deadline");
                    th.setDaemon(true);
                    return th;
                });
        t.setRemoveOnCancelPolicy(true);
        t.setKeepAliveTime(30, java.util.concurrent.TimeUnit.SECONDS);
        t.allowCoreThreadTimeOut(true);
        return t;
    }
    private static final int IFF_UP = 0x1;

    private final HookRunner exec;
    private final String cluster;
    private final String node;
    private final Path sysClassNet;

    public SystemCheckProbe(HookRunner exec, String cluster, String node) {
        this(exec, cluster, node, Path.of("/sys/class/net"));
    }

    SystemCheckProbe(HookRunner exec, String cluster, String node, Path sysClassNet) {
        this.exec = exec;
        this.cluster = cluster;
        this.node = node;
        this.sysClassNet = sysClassNet;
    }

    @Override
    public CheckOutcome run(CheckConfig c) throws InterruptedException {
        long start = System.nanoTime();
        return switch (c.type()) {
            case EXEC -> exec(c, start);
            case TCP -> tcp(c, start);
            case HTTP -> http(c, start);
            case INTERFACE -> link(c, start);
        };
    }

    private CheckOutcome exec(CheckConfig c, long start) throws InterruptedException {
        List<String> argv = c.command();
        HookResult r = exec.run(new HookInvocation("check", Path.of(argv.get(0)),
                Map.of("LCS_CLUSTER", cluster, "LCS_NODE", node, "LCS_CHECK", c.name()),
                Duration.ofMillis(c.timeoutMillis()), argv.subList(1, argv.size())));
        String tail = CheckRunner.tail(r.output());
        String message;
        if (r.refusal() != null) {
            message = "refused: " + r.refusal().message();
        } else if (r.timedOut()) {
            message = "timed out after " + c.timeoutMillis() + " ms (its process group was killed)";
        } else {
            String last = lastLine(tail);
            message = "exit " + r.exitCode() + (last.isEmpty() ? "" : ": " + last);
        }
        return new CheckOutcome(r.succeeded(), message, tail, System.nanoTime() - start);
    }

    private static CheckOutcome tcp(CheckConfig c, long start) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(c.host(), c.port()), c.timeoutMillis());
            return new CheckOutcome(true, "connected to " + c.target(), null, System.nanoTime() - start);
        } catch (SocketTimeoutException e) {
            return new CheckOutcome(false, "no connection within " + c.timeoutMillis() + " ms", null,
                    System.nanoTime() - start);
        } catch (IOException | IllegalArgumentException e) {
            return new CheckOutcome(false, reason(e), null, System.nanoTime() - start);
        }
    }

    private static CheckOutcome http(CheckConfig c, long start) {
        long deadline = start + c.timeoutMillis() * 1_000_000L;
        HttpURLConnection conn = null;
        java.util.concurrent.atomic.AtomicBoolean cut = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.ScheduledFuture<?> cutter = null;
        try {
            conn = (HttpURLConnection) new URL(c.url()).openConnection(Proxy.NO_PROXY);
            HttpURLConnection watched = conn;
            cutter = DEADLINES.schedule(() -> {
                cut.set(true);
                watched.disconnect(); // a read blocked on it fails at once
            }, Math.max(1, (deadline - System.nanoTime()) / 1_000_000L), java.util.concurrent.TimeUnit.MILLISECONDS);
            conn.setInstanceFollowRedirects(false);
            conn.setUseCaches(false);
            conn.setConnectTimeout(c.timeoutMillis());
            conn.setReadTimeout(c.timeoutMillis());
            conn.setRequestProperty("User-Agent", "lcsd-health-check");
            conn.connect();
            conn.setReadTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000L));
            int status = conn.getResponseCode();
            drain(status >= 400 ? conn.getErrorStream() : conn.getInputStream(), deadline);
            boolean passed = c.expectStatus() == 0 ? status >= 200 && status <= 299 : status == c.expectStatus();
            String expected = c.expectStatus() == 0 ? "2xx" : Integer.toString(c.expectStatus());
            return new CheckOutcome(passed, "HTTP " + status + (passed ? "" : ", expected " + expected), null,
                    System.nanoTime() - start);
        } catch (SocketTimeoutException e) {
            return new CheckOutcome(false, "no answer within " + c.timeoutMillis() + " ms", null,
                    System.nanoTime() - start);
        } catch (IOException | RuntimeException e) {
            return new CheckOutcome(false, cut.get() ? "no answer within " + c.timeoutMillis() + " ms"
                    : reason(e), null, System.nanoTime() - start);
        } finally {
            if (cutter != null) {
                cutter.cancel(false);
            }
            if (conn != null) {
                conn.disconnect();
            }
        }
    }

    private CheckOutcome link(CheckConfig c, long start) {
        Path dir = sysClassNet.resolve(c.interfaceName());
        try {
            int flags = Integer.decode(Files.readString(dir.resolve("flags"), StandardCharsets.US_ASCII).strip());
            if ((flags & IFF_UP) == 0) {
                return new CheckOutcome(false, "link " + c.interfaceName() + " is down", null, System.nanoTime() - start);
            }
            String carrier = Files.readString(dir.resolve("carrier"), StandardCharsets.US_ASCII).strip();
            boolean up = carrier.equals("1");
            return new CheckOutcome(up, "link " + c.interfaceName() + (up ? " up with carrier" : " has no carrier"),
                    null, System.nanoTime() - start);
        } catch (NoSuchFileException e) {
            return new CheckOutcome(false, "no interface " + c.interfaceName() + " on this node", null,
                    System.nanoTime() - start);
        } catch (IOException | NumberFormatException e) {
            // reading carrier of a link that is down fails with EINVAL
            return new CheckOutcome(false, "link " + c.interfaceName() + ": " + reason(e), null,
                    System.nanoTime() - start);
        }
    }

    /**
     * Reads up to {@link #MAX_BODY_BYTES} of the body, but not past {@code deadline}: each read has
     * its own timeout, so a server trickling a byte at a time would otherwise hold the run far
     * beyond timeout_ms.
     */
    static void drain(InputStream in, long deadline) throws IOException {
        if (in == null) {
            return;
        }
        try (in) {
            byte[] buf = new byte[8192];
            int total = 0;
            int n;
            while (total < MAX_BODY_BYTES && (n = in.read(buf)) > 0) {
                total += n;
                if (System.nanoTime() - deadline > 0) {
                    throw new SocketTimeoutException("body not read within the timeout");
                }
            }
        }
    }

    private static String lastLine(String text) {
        if (text == null) {
            return "";
        }
        String s = text.strip();
        int nl = s.lastIndexOf('\n');
        return nl < 0 ? s : s.substring(nl + 1).strip();
    }

    /** An exception as one line: its message (lower case first letter as the OS says it), else its type. */
    private static String reason(Exception e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return e.getClass().getSimpleName();
        }
        m = m.replace('\n', ' ');
        return Character.toLowerCase(m.charAt(0)) + m.substring(1);
    }
}
