package io.lcs.dist;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Build step: makes the AppCDS archive {@code cds/lcs.jsa} of an installation tree with its
 * bundled runtime; lcsd and the CLI both map it. Usage: {@code CdsArchives HOME WORKDIR}.
 *
 * <p>Training run: a one-node lcsd on 127.0.0.1 (free ports, the simulated network actuator, so no
 * interface is touched) started with {@code -XX:DumpLoadedClassList} through a copy of {@code bin/lcsd}
 * that runs {@code io.lcs.harness.loopback.LoopbackLcsd} (lcsd with that actuator, test-harness code
 * the package does not contain) with the test-harness classes after the launcher's class path; its
 * classes are left out of the class list;
 * it takes its VIP's lease, serves {@code /metrics} and the admin API, and {@code bin/lcs} runs
 * against it ({@code status} and {@code get vips} through {@code --config} so lcs.conf is parsed as
 * by default, {@code get nodes}, {@code describe}, a refused {@code move}), each recording a class
 * list; then SIGTERM. The daemon's and the CLI's lists are merged into one, {@code
 * cds/lcs.classlist}, and {@code bin/lcs-make-cds} dumps one archive from it through the launcher:
 * both launchers use the same class path (the CLI's jars first), byte for byte, as CDS requires,
 * and one archive of the union is 34 MiB where two (4,700 and 2,400 classes) were 53 MiB. On JDK
 * 17 an archive is only valid at the absolute path it was made at, so the Debian package ships the
 * class list and makes the archive in postinst. Every wait is bounded; any failure fails the build.
 * Usage: {@code CdsArchives HOME WORKDIR TRAINING_CLASSPATH} (the test-harness jar).
 */
public final class CdsArchives {
    private static final long START_TIMEOUT_MILLIS = 30_000;
    private static final long STEP_TIMEOUT_MILLIS = 60_000;
    /** The daemon's main in bin/lcsd, and the training run's (test-harness), whose classes stay out of the list. */
    private static final String LCSD_MAIN = "io.lcs.controller.daemon.Lcsd";
    private static final String TRAINING_MAIN = "io.lcs.harness.loopback.LoopbackLcsd";
    private static final String TRAINING_PACKAGE = "io/lcs/harness/";

    private CdsArchives() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3 || args[2].isBlank()) {
            System.err.println("usage: CdsArchives HOME WORKDIR TRAINING_CLASSPATH");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        Path work = Files.createDirectories(Path.of(args[1]).toAbsolutePath());
        Path trainingLauncher = trainingLauncher(home, args[2], work.resolve("lcsd-training"));
        Path cds = Files.createDirectories(home.resolve("cds"));
        Path lcsdList = work.resolve("lcsd.classlist");
        Path lcsList = work.resolve("lcs.classlist");
        Files.deleteIfExists(lcsdList);
        Files.deleteIfExists(lcsList);

        int peerPort = freePort();
        int adminPort = freePort();
        int metricsPort = freePort();
        Path state = Files.createDirectories(work.resolve("state"));
        Path conf = work.resolve("lcs.conf");
        Files.writeString(conf, "[cluster]\nname = cds\nnode = a\nbind = 127.0.0.1\nport = " + peerPort
                + "\nsecret = cds-training-only\nlease_ms = 1700\nrenew_ms = 400\nprobe_ms = 100\nstate_dir = " + state
                + "\nadmin_bind = 127.0.0.1\nadmin_port = " + adminPort
                + "\nmetrics = yes\nmetrics_bind = 127.0.0.1\nmetrics_port = " + metricsPort
                + "\n\n[node a]\nrole = full-member\naddress = 127.0.0.1\n\n[vip train]\naddress = 127.0.0.200/32"
                + "\ninterface = lo\n", StandardCharsets.UTF_8);

        ProcessBuilder daemon = launcher(home, trainingLauncher, List.of("-c", conf.toString()), Map.of(
                "LCSD_JAVA_OPTS", "-XX:DumpLoadedClassList=" + lcsdList,
                "LCS_FAKE_ACTUATOR_JOURNAL", work.resolve("actuator.jsonl").toString())); // LoopbackLcsd's journal
        daemon.redirectErrorStream(true).redirectOutput(work.resolve("lcsd.log").toFile());
        Process lcsd = daemon.start();
        try {
            String admin = "http://127.0.0.1:" + adminPort;
            waitFor(() -> get(admin + "/readyz").contains("true"), START_TIMEOUT_MILLIS, "lcsd ready (see " + work
                    + "/lcsd.log)");
            // the lease is taken after one lease of restart wait: exercise the reconcilers too
            waitFor(() -> get(admin + "/api/v1/vips/train").contains("\"owner\":\"a\""), START_TIMEOUT_MILLIS,
                    "VIP train owned by node a");
            get("http://127.0.0.1:" + metricsPort + "/metrics");
            get(admin + "/api/v1/events");
            // the CLI's class list: the union of the verbs people time (status, get vips) and the
            // paths they take (lcs.conf parsed by --config, as /etc/lcs/lcs.conf is by default;
            // a POST and an error reply, through a move to the node that already holds the VIP)
            List<List<String>> verbs = List.of(
                    List.of("--config", conf.toString(), "status"),
                    List.of("--config", conf.toString(), "get", "vips"),
                    List.of("--server", admin, "get", "nodes"),
                    List.of("--server", admin, "describe", "vip", "train"),
                    List.of("--server", admin, "move", "train", "--to", "a"));
            List<Path> lists = new ArrayList<>();
            for (int i = 0; i < verbs.size(); i++) {
                Path list = work.resolve("lcs-" + i + ".classlist");
                Files.deleteIfExists(list);
                boolean failingOnPurpose = verbs.get(i).contains("move");
                run(launcher(home, home.resolve("bin/lcs"), verbs.get(i), Map.of("LCS_JAVA_OPTS",
                        "-XX:DumpLoadedClassList=" + list)),
                        work.resolve("lcs-" + i + ".log"), failingOnPurpose ? 1 : 0);
                lists.add(list);
            }
            mergeClassLists(lists, lcsList);
        } finally {
            lcsd.destroy(); // SIGTERM: the daemon releases its VIP and exits
            if (!lcsd.waitFor(STEP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                lcsd.destroyForcibly();
            }
        }
        // the daemon's classes first: they are most of the union
        mergeClassLists(List.of(lcsdList, lcsList), cds.resolve("lcs.classlist"));
        Files.deleteIfExists(cds.resolve("lcsd.classlist"));
        run(new ProcessBuilder("/bin/sh", home.resolve("bin/lcs-make-cds").toString()), work.resolve("make-cds.log"));
        Path archive = cds.resolve("lcs.jsa");
        System.out.println("CDS archive " + archive + ": " + Files.size(archive) / 1024 + " KiB");
    }
    /**
     * Writes {@code to}: {@code bin/lcsd} with {@code trainingClasspath} after its class path and
     * {@link #TRAINING_MAIN} for its main, so the training daemon runs on the shipped runtime, flags
     * and jars.
     */
    static Path trainingLauncher(Path home, String trainingClasspath, Path to) throws IOException {
        String lcsd = Files.readString(home.resolve("bin/lcsd"), StandardCharsets.UTF_8);
        String shipped = "\" " + LCSD_MAIN + " \"$@\"";
        int at = lcsd.indexOf(shipped);
        if (at < 0 || lcsd.indexOf(shipped, at + 1) >= 0) {
            throw new IllegalStateException("bin/lcsd must name its main once as '" + shipped + "'");
        }
        Files.writeString(to, lcsd.replace(shipped, ":" + trainingClasspath + "\" " + TRAINING_MAIN + " \"$@\""),
                StandardCharsets.UTF_8);
        return to;
    }

    private static ProcessBuilder launcher(Path home, Path script, List<String> args, Map<String, String> env) {
        List<String> argv = new ArrayList<>();
        argv.add("/bin/sh");
        argv.add(script.toString());
        argv.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().remove("LCS_JAVA_OPTS");
        pb.environment().remove("LCSD_JAVA_OPTS");
        pb.environment().put("LCS_HOME", home.toString());
        pb.environment().putAll(env);
        return pb;
    }

    /**
     * Writes the lines of {@code lists} to {@code to}, each once, in first-seen order (a class
     * list names each class once; the dump takes the union), without the training run's own
     * classes (not shipped: the dump could not find them).
     */
    static void mergeClassLists(List<Path> lists, Path to) throws IOException {
        java.util.LinkedHashSet<String> lines = new java.util.LinkedHashSet<>();
        for (Path l : lists) {
            for (String line : Files.readAllLines(l, StandardCharsets.UTF_8)) {
                if (!line.contains(TRAINING_PACKAGE)) {
                    lines.add(line);
                }
            }
        }
        Files.write(to, lines, StandardCharsets.UTF_8);
    }

    private static void run(ProcessBuilder pb, Path log) throws IOException, InterruptedException {
        run(pb, log, 0);
    }

    private static void run(ProcessBuilder pb, Path log, int expectedExit) throws IOException, InterruptedException {
        Process p = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(STEP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(pb.command() + " did not finish in " + STEP_TIMEOUT_MILLIS + " ms");
        }
        if (p.exitValue() != expectedExit) {
            throw new IllegalStateException(pb.command() + " exited " + p.exitValue() + ":\n"
                    + Files.readString(log, StandardCharsets.UTF_8));
        }
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void waitFor(Check check, long timeoutMillis, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (System.nanoTime() < deadline) {
            try {
                if (check.ok()) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("timed out after " + timeoutMillis + " ms waiting for " + what);
    }

    /** GET url: the body for a 2xx answer, else "" ; IOException if nothing answers. */
    private static String get(String url) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        c.setConnectTimeout(1_000);
        c.setReadTimeout(5_000);
        try {
            int code = c.getResponseCode();
            if (code / 100 != 2) {
                return "";
            }
            try (InputStream in = c.getInputStream()) {
                return new String(in.readNBytes(1 << 20), StandardCharsets.UTF_8);
            }
        } finally {
            c.disconnect();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
