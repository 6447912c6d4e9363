package io.lcs.model;

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
 * lcs-model parses strings and does no I/O (docs/architecture.md, "Modules and layering"): its main
 * sources name no file, socket or process API. Reading lcs.conf and the secret file is lcsd's
 * ConfigLoader's job and the CLI's. Which artifacts model may depend on is checked by the build
 * (maven-enforcer-plugin), not here.
 */
class ModelDoesNoIoTest {
    /** File, socket and process APIs; java.net's address literals (Cidr) are pure and allowed. */
    private static final Pattern FORBIDDEN = Pattern.compile("\\bjava\\.nio\\.file\\b|\\bjava\\.nio\\.channels\\b"
            + "|\\bjava\\.io\\.(File|RandomAccessFile)\\w*|\\bjava\\.net\\.(Socket|ServerSocket|URL|URI|Http)\\w*"
            + "|\\bProcessBuilder\\b|\\bRuntime\\.getRuntime\\b");

    @Test
    void modelMainSourcesUseNoFileSocketOrProcessApi() throws IOException {
        Path main = Path.of("src/main/java");
        assertTrue(Files.isDirectory(main), "run from the module directory");
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> files = Files.walk(main)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                Matcher m = FORBIDDEN.matcher(Files.readString(p));
                while (m.find()) {
                    offenders.add(main.relativize(p) + ": " + m.group());
                }
            }
        }
        assertEquals(List.of(), offenders);
    }
}
