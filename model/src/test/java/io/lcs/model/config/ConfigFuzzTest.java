package io.lcs.model.config;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of the parser: random and mutated inputs (from the example configs) either parse, or
 * fail with a {@link ConfigException} whose every error names the file and a line within the input.
 * Never another exception, never a hang. A failure prints the seed and the input number; the same
 * seed replays the same inputs. The loop costs about 1.5 s of CPU; the 60 s preemptive timeout only
 * catches a hang (wall time on a machine shared by parallel builds can be many times the CPU time).
 * Override with {@code -Dlcs.fuzz.seed=N -Dlcs.fuzz.inputs=N}.
 */
class ConfigFuzzTest {
    private static final long SEED = Long.getLong("lcs.fuzz.seed", 20261125L);
    private static final int INPUTS = Integer.getInteger("lcs.fuzz.inputs", 5000);
    private static final String FILE = "fuzz.conf";

    private static final String[] KEYS = {"name", "node", "bind", "port", "secret", "secret_file", "lease_ms",
            "renew_ms", "hook_timeout_ms", "probe_ms", "metrics", "metrics_bind", "metrics_port", "admin_bind",
            "admin_port", "admin_token_file", "state_dir", "hook_dirs", "role", "address", "interface", "pre_start", "post_start",
            "pre_stop", "post_stop", "preferred_nodes", "Name", "lease", "adress", "", " ", "=", "k=v"};
    private static final String[] VALUES = {"", "0", "1", "-1", "65535", "65536", "99999999999", "1399", "1400", "2000",
            "::", "::1", "0.0.0.0", "127.0.0.1", "198.18.0.1", "198.18.0.1/24", "256.1.1.1", "1.2.3.4/99",
            "fe80::1%eth0", "2001:db8::1/129", "2001:db8::1/64", "::ffff:1.2.3.4", "[2001:db8::1]", "/", "/abs/path",
            "rel/path", "a,b,,c", "a b", "a", "b", "c", "yes", "off", "maybe", "full-member", "quorum-only", "eth0",
            "eth0:1", "abcdefghijklmnopq", "ab#c;d", "x # comment", "x ; comment", "#", ";", "=", "==", "[", "]",
            "\u00e9t\u00e9", "\u202eevil", "\u200b", "\uD83D\uDE00", "\uD800", "a".repeat(300), "host.example.net",
            "-host", "host..x", "1.2.3"};
    private static final String[] HEADERS = {"[cluster]", "[node a]", "[node b]", "[node z]", "[vip v]", "[vip web]",
            "[vip]", "[node]", "[", "[]", "[ ]", "[cluster x]", "[Node a]", "[vip a b]", "[node \u00e9]", "]", "[[node a]]"};
    private static final String SPECIAL = "=[]#; \t\r\n/:.,-_0123456789abcdef\u0000\u0001\u007f\u00a0\u2028\uFEFF\uFFFD";

    @Test
    void randomAndMutatedInputsParseOrFailWithLocatedErrors() throws Exception {
        List<String> seeds = new ArrayList<>();
        seeds.add(Configs.BASE);
        for (Path file : ExamplesTest.exampleFiles()) {
            seeds.add(Files.readString(file));
        }
        Random random = new Random(SEED);
        int[] outcome = new int[2]; // parsed, refused
        long started = System.nanoTime();
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long[] cpuNanos = new long[1];
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            long cpuStart = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < INPUTS; i++) {
                String input;
                if (i % 10 == 9) {
                    input = randomText(random);
                } else {
                    input = seeds.get(random.nextInt(seeds.size()));
                    int mutations = i % 10 == 0 ? 0 : 1 + random.nextInt(4);
                    for (int m = 0; m < mutations; m++) {
                        input = mutate(input, random);
                    }
                }
                check(i, input, outcome);
            }
            cpuNanos[0] = threads.getCurrentThreadCpuTime() - cpuStart;
        });
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("config fuzz: %d inputs (seed %d) in %d ms (%d ms CPU): %d parsed, %d refused with located errors%n",
                INPUTS, SEED, millis, cpuNanos[0] / 1_000_000, outcome[0], outcome[1]);
        assertTrue(outcome[0] > INPUTS / 20, "some mutated inputs should still be valid: " + outcome[0]);
        assertTrue(outcome[1] > INPUTS / 4, "most mutations should be caught: " + outcome[1]);
    }

    private static void check(int index, String input, int[] outcome) {
        ClusterConfig config;
        try {
            config = ConfigParser.parse(FILE, input);
            ConfigSummary.render(config);
            config.membershipHash();
            config.self();
        } catch (ConfigException e) {
            outcome[1]++;
            int lines = input.split("\r\n|\r|\n", -1).length;
            if (e.errors().isEmpty()) {
                fail(where(index, input) + "ConfigException without errors");
            }
            for (ConfigError error : e.errors()) {
                if (!FILE.equals(error.file()) || error.line() < 0 || error.line() > lines || error.message().isBlank()) {
                    fail(where(index, input) + "badly located error: " + error);
                }
            }
            return;
        } catch (Throwable t) {
            throw new AssertionError(where(index, input) + "threw " + t, t);
        }
        outcome[0]++;
        for (ConfigError warning : config.warnings()) {
            if (!FILE.equals(warning.file()) || warning.line() < 0) {
                fail(where(index, input) + "badly located warning: " + warning);
            }
        }
    }

    private static String where(int index, String input) {
        String shown = input.length() > 2000 ? input.substring(0, 2000) + "..." : input;
        return "fuzz input #" + index + " (seed " + SEED + "):\n" + shown + "\n--- ";
    }

    private static String mutate(String text, Random r) {
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        int n = lines.size();
        switch (r.nextInt(12)) {
            case 0 -> lines.remove(r.nextInt(n)); // delete a line
            case 1 -> { // duplicate a line
                int i = r.nextInt(n);
                lines.add(i, lines.get(i));
            }
            case 2 -> { // swap two lines
                int i = r.nextInt(n);
                int j = r.nextInt(n);
                String t = lines.get(i);
                lines.set(i, lines.get(j));
                lines.set(j, t);
            }
            case 3 -> { // flip one character
                if (text.isEmpty()) {
                    return text;
                }
                int at = r.nextInt(text.length());
                char c = r.nextBoolean() ? SPECIAL.charAt(r.nextInt(SPECIAL.length())) : (char) r.nextInt(0x10000);
                return text.substring(0, at) + c + text.substring(at + 1);
            }
            case 4 -> { // insert random unicode
                int at = text.isEmpty() ? 0 : r.nextInt(text.length() + 1);
                return text.substring(0, at) + randomUnicode(r, 1 + r.nextInt(8)) + text.substring(at);
            }
            case 5 -> { // truncate
                return text.substring(0, text.isEmpty() ? 0 : r.nextInt(text.length()));
            }
            case 6 -> { // a very long line
                int length = r.nextInt(3) == 0 ? ConfigParser.MAX_LINE_CHARS + r.nextInt(3000) : 100 + r.nextInt(3000);
                String filler = r.nextBoolean() ? "x" : "a=";
                lines.add(r.nextInt(n + 1), "k = " + filler.repeat(length / filler.length()));
            }
            case 7 -> { // replace a value
                int i = r.nextInt(n);
                String line = lines.get(i);
                int eq = line.indexOf('=');
                if (eq >= 0) {
                    lines.set(i, line.substring(0, eq + 1) + " " + VALUES[r.nextInt(VALUES.length)]);
                }
            }
            case 8 -> lines.add(r.nextInt(n + 1), KEYS[r.nextInt(KEYS.length)] + " = " + VALUES[r.nextInt(VALUES.length)]);
            case 9 -> lines.add(r.nextInt(n + 1), HEADERS[r.nextInt(HEADERS.length)]);
            case 10 -> {
                return r.nextBoolean() ? "\uFEFF" + text : text.replace("\n", r.nextBoolean() ? "\r\n" : "\r");
            }
            default -> { // change a node reference
                return text.replace("node = ", "node = " + (char) ('a' + r.nextInt(26)));
            }
        }
        return String.join("\n", lines);
    }

    private static String randomText(Random r) {
        int length = r.nextInt(400);
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            int kind = r.nextInt(4);
            if (kind == 0) {
                sb.append(SPECIAL.charAt(r.nextInt(SPECIAL.length())));
            } else if (kind == 1) {
                sb.append(HEADERS[r.nextInt(HEADERS.length)]).append('\n');
            } else if (kind == 2) {
                sb.append(KEYS[r.nextInt(KEYS.length)]).append('=').append(VALUES[r.nextInt(VALUES.length)]).append('\n');
            } else {
                sb.append(randomUnicode(r, 1));
            }
        }
        return sb.toString();
    }

    private static String randomUnicode(Random r, int count) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < count; i++) {
            switch (r.nextInt(4)) {
                case 0 -> sb.append((char) r.nextInt(0x80));
                case 1 -> sb.append((char) r.nextInt(0x10000)); // may be a lone surrogate: must not break the parser
                case 2 -> sb.appendCodePoint(0x10000 + r.nextInt(0x100000 - 0x10000));
                default -> sb.append("\u200b\u202e\u00a0\u3000\u0085\u2029".charAt(r.nextInt(6)));
            }
        }
        return sb.toString();
    }
}
