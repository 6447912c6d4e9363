package io.lcs.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The cluster core is sans-I/O (docs/architecture.md, "The cluster core"): time and randomness are
 * inputs, and nothing inside it touches a file, a socket, a process, a thread or the environment.
 * That is what lets the simulation run many cores in one thread and replay a seed exactly. Checked
 * on the main sources with comments removed. Which modules lcs-core may depend on is checked by
 * the build (maven-enforcer-plugin), not here.
 */
class CoreIsSansIoTest {
    /** What the core must not name in code: I/O, processes, threads, clocks, randomness, environment. */
    private static final Pattern FORBIDDEN = Pattern.compile(String.join("|",
            "\\bjava\\.io\\.\\w+", "\\bjava\\.nio\\.(file|channels)\\b", "\\bjava\\.net\\.\\w+",
            "\\bProcessBuilder\\b", "\\bRuntime\\.getRuntime\\b", "\\bThread\\b", "\\bExecutors?\\b", "\\bTimer\\b",
            "\\bSystem\\.(nanoTime|currentTimeMillis|getenv|getProperty)\\b", "\\b(Instant|LocalDateTime)\\.now\\b",
            "\\bjava\\.time\\.Clock\\b", "\\bnew Random\\b", "\\bMath\\.random\\b", "\\bThreadLocalRandom\\b",
            "\\bSecureRandom\\b", "\\bUUID\\.randomUUID\\b"));
    /** Block and line comments (Javadoc included); string literals of the core contain no comment markers. */
    private static final Pattern COMMENT = Pattern.compile("/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL);

    @Test
    void coreMainSourcesReadNoClockAndDoNoIo() throws IOException {
        Path main = Path.of("src/main/java");
        assertTrue(Files.isDirectory(main.resolve("io/lcs/core")), "run from the module directory");
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> files = Files.walk(main)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                String code = COMMENT.matcher(Files.readString(p)).replaceAll(" ");
                Matcher m = FORBIDDEN.matcher(code);
                while (m.find()) {
                    offenders.add(main.relativize(p) + ": " + m.group());
                }
            }
        }
        assertEquals(List.of(), offenders);
    }
}
