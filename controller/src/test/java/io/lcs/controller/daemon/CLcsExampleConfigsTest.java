package io.lcs.controller.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * The C-lcs-style configurations of examples/c-lcs (written from the C lcs's interface: every
 * section but [service], every key, comments after values) all pass {@code lcsd --check-config}:
 * exit 0, the summary's OK, and a warning naming FILE:LINE for each C key lcs reads differently.
 * test-harness NetnsCLcsExamplesIT starts a cluster from each of them in network namespaces (dist
 * SystemdCLcsExampleIT the systemd one, under systemd).
 */
class CLcsExampleConfigsTest {
    static Path examples() {
        Path dir = Path.of("").toAbsolutePath();
        for (int i = 0; i < 6 && dir != null; i++, dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("examples/c-lcs"))) {
                return dir.resolve("examples/c-lcs");
            }
        }
        throw new AssertionError("no examples/c-lcs above " + Path.of("").toAbsolutePath());
    }

    static Stream<Path> configs() throws IOException {
        try (Stream<Path> s = Files.list(examples())) {
            List<Path> all = s.filter(p -> p.toString().endsWith(".conf")).sorted().toList();
            assertEquals(7, all.size(), "examples/c-lcs: " + all);
            return all.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("configs")
    void passesCheckConfig(Path conf) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new CommandLine(new Lcsd(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8))).execute("--check-config", "-c", conf.toString());
        String o = out.toString(StandardCharsets.UTF_8);
        String e = err.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, conf + "\nstdout:\n" + o + "\nstderr:\n" + e);
        assertTrue(o.contains("OK"), o);
        List<String> lines = Files.readAllLines(conf);
        // vip_backend = ip means what lcs does (ip(8)): no warning; netlink does
        for (String key : List.of("socket ", "peer_timeout_ms ", "probe_count ", "vip_backend = netlink")) {
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).startsWith(key)) { // each such key is named with its line
                    assertTrue(o.contains(conf.getFileName() + ":" + (i + 1) + ":") || o.contains(conf + ":" + (i + 1) + ":"),
                            "no warning at line " + (i + 1) + " (" + key + ") of " + conf + ":\n" + o);
                }
            }
        }
    }
}
