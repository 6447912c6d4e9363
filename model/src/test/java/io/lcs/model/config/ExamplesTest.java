package io.lcs.model.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every .conf under examples/ and examples/cloud/ (repository root) is a valid config. */
class ExamplesTest {
    static final Path EXAMPLES = Path.of("..", "examples");

    static List<Path> exampleFiles() throws IOException {
        List<Path> all = new java.util.ArrayList<>();
        for (Path dir : List.of(EXAMPLES, EXAMPLES.resolve("cloud"))) {
            try (Stream<Path> files = Files.list(dir)) {
                all.addAll(files.filter(p -> p.getFileName().toString().endsWith(".conf")).sorted().toList());
            }
        }
        return all;
    }

    /** The parser does no I/O: the test reads the file. */
    private static ClusterConfig parse(Path file) throws IOException {
        return ConfigParser.parse(file.toString(), Files.readAllBytes(file));
    }

    @Test
    void theExpectedExamplesExist() throws IOException {
        List<String> names = exampleFiles().stream().map(p -> p.getFileName().toString()).toList();
        assertTrue(names.containsAll(List.of("original-readme.conf", "two-nodes-witness.conf",
                "three-full-members.conf", "ipv6.conf", "multi-vip-hooks.conf")), names.toString());
    }

    @TestFactory
    Stream<DynamicTest> everyExampleParsesWithoutErrors() throws IOException {
        return exampleFiles().stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
            ClusterConfig c = assertDoesNotThrow(() -> parse(file));
            assertTrue(c.vips().size() >= 1);
            String summary = ConfigSummary.render(c);
            assertTrue(summary.contains("quorum: " + c.quorumSize() + " of " + c.totalVotes()));
        }));
    }

    @Test
    void theCloudExamplesUseTheirForms() throws IOException {
        List<String> names = exampleFiles().stream().map(p -> p.getFileName().toString()).toList();
        assertTrue(names.containsAll(List.of("aws-secondary-ip.conf", "hetzner-failover-ip.conf",
                "gcp-alias-ip.conf")), names.toString());
        Path cloud = EXAMPLES.resolve("cloud");
        assertFalse(parse(cloud.resolve("aws-secondary-ip.conf")).vip("db").orElseThrow().announce());
        ClusterConfig hetzner = parse(cloud.resolve("hetzner-failover-ip.conf"));
        assertTrue(hetzner.vip("fip-route").orElseThrow().hookOnly());
        assertFalse(hetzner.vip("fip").orElseThrow().announce());
        assertTrue(parse(cloud.resolve("gcp-alias-ip.conf")).vip("alias").orElseThrow().hookOnly());
    }

    @Test
    void originalReadmeExampleMeansWhatItSays() throws IOException {
        ClusterConfig c = parse(EXAMPLES.resolve("original-readme.conf"));
        assertEquals("demo", c.name());
        assertEquals("a", c.self().name());
        assertEquals(c.self().address(), c.bind(), "the original binds to node a's own address");
        assertTrue(c.metrics());
        assertEquals("127.0.0.1", c.metricsBind());
        assertEquals(9120, c.metricsPort());
        assertEquals(3, c.totalVotes());
        assertEquals(Role.QUORUM_ONLY, c.node("c").orElseThrow().role());
        VipConfig vip = c.vips().get(0);
        assertEquals("127.0.0.200/32", vip.address().toString());
        assertEquals("lo", vip.interfaceName());
        assertEquals(null, vip.preStart(), "commented-out hooks are not set");
    }

    @Test
    void newExamplesUseOnlyDocumentationAddresses() throws IOException {
        Pattern ipv4 = Pattern.compile("\\b(\\d{1,3})\\.(\\d{1,3})\\.\\d{1,3}\\.\\d{1,3}\\b");
        Pattern ipv6 = Pattern.compile("\\b([0-9a-fA-F]{1,4}):[0-9a-fA-F:]*:[0-9a-fA-F:]*");
        for (Path file : exampleFiles()) {
            if (file.getFileName().toString().equals("original-readme.conf")) {
                continue;
            }
            for (String line : Files.readAllLines(file)) {
                Matcher m = ipv4.matcher(line);
                while (m.find()) {
                    boolean doc = m.group(1).equals("198") && (m.group(2).equals("18") || m.group(2).equals("19"));
                    boolean local = m.group(1).equals("127");
                    assertTrue(doc || local, file + ": " + m.group() + " is not in 198.18.0.0/15");
                }
                Matcher m6 = ipv6.matcher(line);
                while (m6.find()) {
                    assertTrue(m6.group().toLowerCase().startsWith("2001:db8:") || m6.group().equals("::1")
                            || !m6.group().contains("::") && m6.group().length() < 3,
                            file + ": " + m6.group() + " is not in 2001:db8::/32");
                }
            }
        }
    }
}
