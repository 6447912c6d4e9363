package io.lcs.dist;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every examples/*.conf and examples/cloud/*.conf passes the real {@code lcsd --check-config -c FILE}, run through the built
 * launcher. The examples name /etc/lcs/secret and /etc/lcs/admin-token, which a build machine
 * lacks: the test points those keys at files it makes, and changes nothing else.
 */
class ExamplesCheckConfigIT {
    @TempDir
    Path scratch;

    static Stream<Path> examples() throws Exception {
        Path dir = Path.of(System.getProperty("lcs.examples"));
        List<Path> all = new java.util.ArrayList<>();
        for (Path d : List.of(dir, dir.resolve("cloud"))) {
            try (Stream<Path> s = Files.list(d)) {
                all.addAll(s.filter(p -> p.toString().endsWith(".conf")).sorted().toList());
            }
        }
        assertTrue(all.size() >= 8, "examples in " + dir + " and " + dir.resolve("cloud"));
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void examplePassesCheckConfig(Path example) throws Exception {
        Path secret = scratch.resolve("secret");
        Files.writeString(secret, "example-secret-0123456789");
        Path token = scratch.resolve("admin-token");
        Files.writeString(token, "example-token-0123456789");
        for (Path p : List.of(secret, token)) {
            Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        }
        String text = Files.readString(example, StandardCharsets.UTF_8).replace("/etc/lcs/secret", secret.toString())
                .replace("/etc/lcs/admin-token", token.toString());
        Path conf = scratch.resolve(example.getFileName());
        Files.writeString(conf, text);
        Path home = Path.of(System.getProperty("lcs.home"));
        Run r = Run.of(List.of(home.resolve("bin/lcsd").toString(), "--check-config", "-c", conf.toString()),
                Map.of(), scratch);
        assertTrue(r.exit() == 0 && r.out().contains(": OK"), example + ": exit " + r.exit() + "\n" + r.out());
    }
}
