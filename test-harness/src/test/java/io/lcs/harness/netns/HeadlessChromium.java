package io.lcs.harness.netns;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A headless Chromium (Debian package {@code chromium}) run inside a network namespace and driven
 * over the Chrome DevTools Protocol. The protocol goes through {@code --remote-debugging-pipe}
 * (file descriptors 3 and 4, here two FIFOs in the file system): the test JVM lives in the host's
 * namespace and could not reach a debugging port inside the browser's. Messages are JSON (the
 * project's Jackson) separated by NUL bytes. One page; commands are bounded by {@link #COMMAND_TIMEOUT}.
 */
final class HeadlessChromium implements AutoCloseable {
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    /** JavaScript errors and console errors of the page kept for failure messages (the last ones). */
    static final int MAX_PAGE_ERRORS = 50;
    /** Flags that work here as root in a container: no sandbox, nothing fetched from the network. */
    static final List<String> FLAGS = List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", "--remote-debugging-pipe");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final OutputStream toBrowser;
    private final InputStream fromBrowser;
    private final Thread reader;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final Deque<String> pageErrors = new ArrayDeque<>();
    private final Path dir;
    private volatile String session;

    private HeadlessChromium(Process process, OutputStream toBrowser, InputStream fromBrowser, Path dir) {
        this.process = process;
        this.toBrowser = toBrowser;
        this.fromBrowser = fromBrowser;
        this.dir = dir;
        this.reader = new Thread(this::readLoop, "cdp-reader");
        this.reader.setDaemon(true);
    }

    /** Whether {@code chromium} is installed. */
    static boolean available() {
        return HarnessMain.onPath("chromium");
    }

    /**
     * Starts the browser in namespace {@code ns} with a fresh profile under {@code dir}, and opens one
     * page (about:blank) of {@code width} x {@code height} CSS pixels.
     */
    static HeadlessChromium start(String ns, Path dir, RunRegistry registry, int width, int height) throws IOException {
        Files.createDirectories(dir);
        Path in = dir.resolve("cdp-in");
        Path out = dir.resolve("cdp-out");
        for (Path fifo : List.of(in, out)) {
            Netns.must(List.of("mkfifo", fifo.toString()));
        }
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns, "bash", "-c",
                "exec 3<\"$0\" 4>\"$1\"; shift; exec chromium \"$@\"", in.toString(), out.toString()));
        argv.addAll(FLAGS);
        argv.add("--user-data-dir=" + dir.resolve("profile"));
        argv.add("--window-size=" + width + "," + height);
        argv.add("about:blank");
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("chromium.log").toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("HOME", dir.toString());
        Process p = pb.start();
        registry.process(p, "chromium in " + ns);
        // read-write opens of a FIFO never block (Linux), so a browser that fails to start cannot hang us
        @SuppressWarnings("resource")
        RandomAccessFile w = new RandomAccessFile(in.toFile(), "rw");
        @SuppressWarnings("resource")
        RandomAccessFile r = new RandomAccessFile(out.toFile(), "rw");
        HeadlessChromium c = new HeadlessChromium(p, new FileOutputStream(w.getFD()), new FileInputStream(r.getFD()), dir);
        c.reader.start();
        String target = c.command("Target.createTarget", Map.of("url", "about:blank")).get("targetId").asText();
        c.session = c.command("Target.attachToTarget", Map.of("targetId", target, "flatten", true))
                .get("sessionId").asText();
        c.send("Page.enable", Map.of());
        c.send("Runtime.enable", Map.of());
        c.send("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", height,
                "deviceScaleFactor", 1, "mobile", false));
        return c;
    }

    /** A command to the browser itself (no page session). */
    JsonNode command(String method, Map<String, ?> params) {
        return call(null, method, params);
    }

    /** A command to the page. */
    JsonNode send(String method, Map<String, ?> params) {
        return call(session, method, params);
    }

    private JsonNode call(String sessionId, String method, Map<String, ?> params) {
        int id = ids.incrementAndGet();
        ObjectNode msg = JSON.createObjectNode().put("id", id).put("method", method);
        msg.set("params", JSON.valueToTree(params));
        if (sessionId != null) {
            msg.put("sessionId", sessionId);
        }
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        try {
            synchronized (toBrowser) {
                toBrowser.write(JSON.writeValueAsBytes(msg));
                toBrowser.write(0);
                toBrowser.flush();
            }
            JsonNode r = reply.get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (r.has("error")) {
                throw new HarnessException("chromium: " + method + " failed: " + r.get("error"));
            }
            return r.get("result");
        } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new HarnessException("chromium: " + method + " got no answer within " + COMMAND_TIMEOUT + ": " + e
                    + (process.isAlive() ? "" : " (the browser exited " + process.exitValue() + "; see "
                    + dir.resolve("chromium.log") + ")"), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HarnessException("interrupted", e);
        } finally {
            pending.remove(id);
        }
    }

    private void readLoop() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] chunk = new byte[65536];
        try {
            int n;
            while ((n = fromBrowser.read(chunk)) > 0) {
                for (int i = 0; i < n; i++) {
                    if (chunk[i] != 0) {
                        buf.write(chunk[i]);
                        continue;
                    }
                    JsonNode m = JSON.readTree(buf.toByteArray());
                    buf.reset();
                    if (m.has("id")) {
                        CompletableFuture<JsonNode> f = pending.get(m.get("id").asInt());
                        if (f != null) {
                            f.complete(m);
                        }
                    } else {
                        event(m);
                    }
                }
            }
        } catch (IOException e) {
            // the browser is gone; pending commands time out with its exit status
        }
    }

    private void event(JsonNode m) {
        String method = m.path("method").asText();
        JsonNode p = m.path("params");
        String error = null;
        if (method.equals("Runtime.exceptionThrown")) {
            error = "exception: " + p.path("exceptionDetails").path("exception").path("description").asText(
                    p.path("exceptionDetails").path("text").asText());
        } else if (method.equals("Runtime.consoleAPICalled") && p.path("type").asText().equals("error")) {
            error = "console.error: " + p.path("args").toString();
        }
        if (error != null) {
            synchronized (pageErrors) {
                pageErrors.addLast(error);
                if (pageErrors.size() > MAX_PAGE_ERRORS) {
                    pageErrors.removeFirst();
                }
            }
        }
    }

    /** The page's JavaScript errors so far (the last {@link #MAX_PAGE_ERRORS}). */
    List<String> pageErrors() {
        synchronized (pageErrors) {
            return List.copyOf(pageErrors);
        }
    }

    /** Evaluates {@code js} in the page (awaiting a promise) and returns its value as JSON. */
    JsonNode eval(String js) {
        JsonNode r = send("Runtime.evaluate", Map.of("expression", js, "awaitPromise", true, "returnByValue", true));
        if (r.has("exceptionDetails")) {
            throw new HarnessException("chromium: " + js + " threw " + r.get("exceptionDetails").path("exception")
                    .path("description").asText(r.get("exceptionDetails").toString()));
        }
        return r.path("result").path("value");
    }

    /** Loads {@code url} and waits (bounded) until the document has loaded. */
    void navigate(String url) {
        JsonNode r = send("Page.navigate", Map.of("url", url));
        if (r.has("errorText")) {
            throw new HarnessException("chromium: cannot load " + url + ": " + r.get("errorText").asText());
        }
        if (!await(Duration.ofSeconds(20), "document.readyState === 'complete'")) {
            throw new HarnessException("chromium: " + url + " did not finish loading in 20 s");
        }
    }

    /**
     * Evaluates {@code condition} every 50 ms until it is true, or {@code timeout} passes.
     *
     * @return whether it became true
     */
    boolean await(Duration timeout, String condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        do {
            if (eval("!!(" + condition + ")").asBoolean()) {
                return true;
            }
            Harness.sleep(50);
        } while (System.nanoTime() < deadline);
        return false;
    }

    /** Renders the page at {@code width} x {@code height} ({@code mobile}: a phone's viewport) and writes a PNG. */
    void screenshot(Path png, int width, int height, boolean mobile) throws IOException {
        send("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", height, "deviceScaleFactor", 1,
                "mobile", mobile));
        Harness.sleep(300); // one layout after the resize
        String data = send("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", false))
                .get("data").asText();
        Files.createDirectories(png.getParent());
        Files.write(png, Base64.getDecoder().decode(data.getBytes(StandardCharsets.US_ASCII)));
    }

    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                try {
                    command("Browser.close", Map.of());
                } catch (RuntimeException e) {
                    // killed below
                }
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            toBrowser.close();
            fromBrowser.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }
}
