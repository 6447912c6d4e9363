package io.lcs.model.codec;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.lcs.model.api.LcsObject;
import io.lcs.model.api.Origin;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Hostile and broken manifests: every input either reads or fails with a {@link ManifestException}
 * whose errors carry a source and a document number; never another exception, never a hang. Seeded:
 * a failure prints the seed and the case number, and {@code -Dlcs.fuzz.seed=N} replays it.
 */
class ManifestFuzzTest {
    private static final int CASES = 5000;
    private static final long SEED = Long.getLong("lcs.fuzz.seed", 20240501L);

    private static final List<String> SEEDS = List.of(
            Manifests.write(Fixtures.allKinds(), Manifests.Format.YAML),
            Manifests.write(Fixtures.allKinds(), Manifests.Format.JSON),
            Manifests.write(Fixtures.serverVip(), Manifests.Format.YAML),
            Manifests.write(Fixtures.vip(), Manifests.Format.JSON),
            """
            apiVersion: lcs/v1
            kind: VirtualIP
            metadata: &m
              name: web
              labels: {a: b}
            spec:
              address: 198.18.0.201/24
              interface: eth0
              preferredNodes: [a, b, *m]
            """);

    private static final String[] TOKENS = {"---", "...", "- ", ": ", "{", "}", "[", "]", "&a ", "*a", "!!str ", "!!binary ",
            "!<tag:x> ", "? ", "|", ">", "#", "\"", "'", "\\", "\t", "\r", "\u0000", "\uFEFF", "\uD800", "\u2028", "é", "😀",
            "null", "~", "true", "1e999", "-0", "0x1F", "9223372036854775808", "<<: *a", "%YAML 1.2", "apiVersion", "kind",
            "spec", "status", "metadata", "lcs/v1", "VirtualIP", "Move", ",", "\n", "\n  ", "    "};

    @Test
    void everyMutatedManifestReadsOrFailsWithALocatedManifestException() {
        int[] outcome = new int[3]; // parsed, rejected, rejected-as-whole-file
        // about 3 s on an idle machine; the generous bound only catches hangs on a loaded CI box
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            SplittableRandom random = new SplittableRandom(SEED);
            for (int i = 0; i < CASES; i++) {
                String input = generate(random);
                check(i, input, outcome);
            }
        });
        System.out.printf("manifest fuzz: %d cases (seed %d): %d read, %d rejected per document, %d rejected whole%n",
                CASES, SEED, outcome[0], outcome[1], outcome[2]);
        assertTrue(outcome[0] > 0, "some mutations should still be valid");
        assertTrue(outcome[1] > CASES / 4, "most mutations should be rejected");
    }

    @Test
    void billionLaughsIsBounded() {
        StringBuilder sb = new StringBuilder("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int i = 1; i < 10; i++) {
            sb.append("a").append(i).append(": &a").append(i).append(" [");
            for (int j = 0; j < 9; j++) {
                sb.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
            }
            sb.append("]\n");
        }
        String bomb = sb.toString();
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> check(-1, bomb, new int[3]));
        String inSpec = "apiVersion: lcs/v1\nkind: VirtualIP\nmetadata: {name: a}\nspec:\n  preferredNodes: *a9\n"
                + bomb.replaceAll("(?m)^", "  x");
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> check(-2, inSpec, new int[3]));
    }

    @Test
    void deepNestingAndHugeStringsAreRejectedNotCrashing() {
        List<String> inputs = List.of(
                "[".repeat(100_000),
                "{\"a\":".repeat(50_000),
                "a:\n" + "  - ".repeat(1) + "[".repeat(20_000),
                "- ".repeat(5_000) + "x",
                "apiVersion: lcs/v1\nkind: VirtualIP\nmetadata: {name: " + "x".repeat(600_000) + "}\n",
                "{\"apiVersion\":\"lcs/v1\",\"kind\":\"Move\",\"metadata\":{\"name\":\"" + "y".repeat(300_000) + "\"}}",
                "\"" + "z".repeat(1_100_000),
                "a: \"" + "\\u00e9".repeat(150_000) + "\"\n");
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (int i = 0; i < inputs.size(); i++) {
                String input = inputs.get(i);
                ManifestException e = expectRejected(-100 - i, input);
                assertNotNull(e, "case " + i + " should be rejected");
            }
        });
    }

    private static ManifestException expectRejected(int caseNumber, String input) {
        try {
            Manifests.read("fuzz.yaml", input);
            return null;
        } catch (ManifestException e) {
            checkErrors(caseNumber, input, e);
            return e;
        } catch (Throwable t) {
            throw new AssertionError(failure(caseNumber, input, t), t);
        }
    }

    private static void check(int caseNumber, String input, int[] outcome) {
        try {
            List<LcsObject> objects = Manifests.read("fuzz.yaml", input, caseNumber % 2 == 0 ? Origin.USER : Origin.SERVER);
            outcome[0]++;
            // whatever reads must write and read back to the same objects
            String again = Manifests.write(objects, Manifests.Format.YAML);
            if (!objects.equals(Manifests.read("again.yaml", again, Origin.SERVER))) {
                fail(failure(caseNumber, input, null) + ": did not round-trip:\n" + again);
            }
        } catch (ManifestException e) {
            checkErrors(caseNumber, input, e);
            if (e.errors().get(0).document() == 0) {
                outcome[2]++;
            } else {
                outcome[1]++;
            }
        } catch (Throwable t) {
            throw new AssertionError(failure(caseNumber, input, t), t);
        }
    }

    private static void checkErrors(int caseNumber, String input, ManifestException e) {
        assertFalse(e.errors().isEmpty(), failure(caseNumber, input, e));
        assertTrue(e.errors().size() <= Manifests.MAX_ERRORS, failure(caseNumber, input, e));
        for (ManifestError error : e.errors()) {
            assertTrue(error.source().equals("fuzz.yaml"), failure(caseNumber, input, e));
            // document 0 only for whole-file errors (too large), which come alone
            assertTrue(error.document() >= 1 || e.errors().size() == 1, failure(caseNumber, input, e));
            assertTrue(error.line() >= 0 && error.column() >= 0, failure(caseNumber, input, e));
            assertTrue(error.toString().length() < 2_000, "error message too long: " + failure(caseNumber, input, e));
        }
    }

    private static String failure(int caseNumber, String input, Throwable t) {
        String shown = input.length() > 600 ? input.substring(0, 600) + "...(" + input.length() + " chars)" : input;
        return "fuzz seed " + SEED + " case " + caseNumber + (t == null ? "" : ": " + t) + "\ninput:\n" + shown;
    }

    static String generate(SplittableRandom random) {
        String base = SEEDS.get(random.nextInt(SEEDS.size()));
        int kind = random.nextInt(12);
        return switch (kind) {
            case 0 -> randomText(random, random.nextInt(400));
            case 1 -> base.substring(0, random.nextInt(base.length() + 1)); // truncation
            case 2 -> nestDeep(random);
            case 3 -> hugeString(random, base);
            default -> mutateLines(random, base, 1 + random.nextInt(6));
        };
    }

    private static String mutateLines(SplittableRandom random, String base, int mutations) {
        List<String> lines = new ArrayList<>(List.of(base.split("\n", -1)));
        for (int m = 0; m < mutations && !lines.isEmpty(); m++) {
            int i = random.nextInt(lines.size());
            String line = lines.get(i);
            switch (random.nextInt(8)) {
                case 0 -> lines.remove(i);
                case 1 -> lines.add(i, line);
                case 2 -> lines.set(i, flipChar(random, line));
                case 3 -> lines.set(i, insertToken(random, line));
                case 4 -> lines.set(i, line.isEmpty() ? line : line.substring(0, random.nextInt(line.length())));
                case 5 -> lines.set(i, " ".repeat(random.nextInt(5)) + line);
                case 6 -> lines.add(i, lines.get(random.nextInt(lines.size())));
                default -> lines.set(i, line + randomText(random, 1 + random.nextInt(10)));
            }
        }
        return String.join("\n", lines);
    }

    private static String flipChar(SplittableRandom random, String line) {
        if (line.isEmpty()) {
            return line;
        }
        int at = random.nextInt(line.length());
        char c = (char) (random.nextBoolean() ? line.charAt(at) ^ (1 << random.nextInt(7)) : random.nextInt(0x20, 0x3000));
        return line.substring(0, at) + c + line.substring(at + 1);
    }

    private static String insertToken(SplittableRandom random, String line) {
        int at = random.nextInt(line.length() + 1);
        return line.substring(0, at) + TOKENS[random.nextInt(TOKENS.length)] + line.substring(at);
    }

    private static String randomText(SplittableRandom random, int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            int r = random.nextInt(10);
            if (r < 4) {
                sb.append(TOKENS[random.nextInt(TOKENS.length)]);
            } else if (r < 8) {
                sb.append((char) random.nextInt(0x20, 0x7f));
            } else {
                sb.appendCodePoint(random.nextInt(0, 0x10FFFF + 1));
            }
        }
        return sb.toString();
    }

    private static String nestDeep(SplittableRandom random) {
        int depth = 30 + random.nextInt(200);
        return switch (random.nextInt(4)) {
            case 0 -> "[".repeat(depth) + "]".repeat(depth);
            case 1 -> "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
            case 2 -> {
                StringBuilder sb = new StringBuilder("apiVersion: lcs/v1\nkind: VirtualIP\nmetadata:\n");
                for (int i = 1; i <= depth; i++) {
                    sb.append("  ".repeat(i)).append("k").append(i).append(":\n");
                }
                yield sb.toString();
            }
            default -> "apiVersion: lcs/v1\nkind: Move\nspec: " + "[".repeat(depth) + "]".repeat(depth) + "\n";
        };
    }

    private static String hugeString(SplittableRandom random, String base) {
        // mostly moderate, one in ten near or over the string and document limits
        int length = random.nextInt(10) == 0 ? random.nextInt(200_000, 400_000) : random.nextInt(100, 20_000);
        String huge = "h".repeat(length);
        return random.nextBoolean() ? base.replace("web", huge) : base + "\n" + huge;
    }
}
