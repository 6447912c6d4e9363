package io.lcs.harness.netns;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A service behind a VIP for the health-check tests, run as its own process inside a namespace
 * ({@code ip netns exec NS java ... HttpServiceProcess ...}) so the test can kill it by PID:
 * <ul>
 *   <li>{@code serve PORT TEXT}: answers every GET on all addresses with {@code TEXT} (the node's
 *       name, so a client sees who served it);</li>
 *   <li>{@code poll URL INTERVAL_MS SECONDS}: GETs {@code URL} every interval for at most
 *       {@code SECONDS} (bounded), printing {@code EPOCH_MILLIS TEXT} per answer and
 *       {@code EPOCH_MILLIS -} per failure.</li>
 * </ul>
 */
public final class HttpServiceProcess {
    /** JVM flags for these small processes: they must not take the CPU the daemons need. */
    static final List<String> JVM_FLAGS = List.of("-XX:+UseSerialGC", "-Xmx24m", "-XX:TieredStopAtLevel=1",
            "-Xshare:auto");

    private HttpServiceProcess() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 3 && args[0].equals("serve")) {
            byte[] body = args[2].getBytes(StandardCharsets.UTF_8);
            HttpServer server = HttpServer.create(new InetSocketAddress(Integer.parseInt(args[1])), 64);
            server.createContext("/", ex -> {
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
                ex.close();
            });
            server.start();
            System.out.println("serving");
            System.out.flush();
        } else if (args.length == 4 && args[0].equals("poll")) {
            poll(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), System.out);
        } else {
            System.err.println("usage: serve PORT TEXT | poll URL INTERVAL_MS SECONDS");
            System.exit(2);
        }
    }

    private static void poll(String url, int intervalMillis, int seconds, PrintStream out) throws InterruptedException {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            long start = System.nanoTime();
            String answer = "-";
            try {
                HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection(Proxy.NO_PROXY);
                c.setConnectTimeout(300);
                c.setReadTimeout(300);
                if (c.getResponseCode() == 200) {
                    try (InputStream in = c.getInputStream()) {
                        answer = new String(in.readNBytes(64), StandardCharsets.UTF_8).strip();
                    }
                }
                c.disconnect();
            } catch (IOException e) {
                answer = "-";
            }
            out.println(System.currentTimeMillis() + " " + answer);
            out.flush();
            long left = intervalMillis - (System.nanoTime() - start) / 1_000_000L;
            if (left > 0) {
                Thread.sleep(left);
            }
        }
    }

    /** The argv that runs this class with {@code args} in namespace {@code ns}. */
    public static List<String> argv(String ns, String classpath, String... args) {
        List<String> argv = new ArrayList<>();
        argv.add(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString());
        argv.addAll(JVM_FLAGS);
        argv.addAll(List.of("-cp", classpath, HttpServiceProcess.class.getName()));
        argv.addAll(List.of(args));
        return Netns.exec(ns, argv);
    }

    /** The answers a {@code poll} process printed so far, in order. */
    public record Answer(long epochMillis, String text) {
    }

    /** Reads a poll process's output on a daemon thread into a list. */
    static List<Answer> collect(Process p) {
        List<Answer> answers = new CopyOnWriteArrayList<>();
        Thread t = new Thread(() -> {
            try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    int sp = line.indexOf(' ');
                    if (sp > 0) {
                        answers.add(new Answer(Long.parseLong(line.substring(0, sp)), line.substring(sp + 1)));
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // the process ended
            }
        }, "http-poll-reader");
        t.setDaemon(true);
        t.start();
        return answers;
    }
}
