package io.lcs.controller.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.lcs.controller.metrics.PrometheusTextParser.Exposition;
import io.lcs.controller.metrics.PrometheusTextParser.Family;
import io.lcs.controller.metrics.PrometheusTextParser.Sample;
import io.lcs.model.status.ClusterStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * manifests/prometheus-rules.yaml and manifests/grafana-dashboard.json may only use metric names and
 * label names that the exporter really exposes (the exposition of {@link MetricsFixture}, scraped over
 * HTTP), so they cannot drift from the code.
 */
class ManifestsTest {

    /** Labels Prometheus adds to every scraped series. */
    private static final Set<String> TARGET_LABELS = Set.of("instance", "job");
    private static final Set<String> PROMQL_WORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "bool", "and", "or", "unless", "offset", "inf", "nan");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*\\{([^}]*)\\}");
    private static final Pattern MATCHER_LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)");
    private static final Pattern GROUPING = Pattern.compile("\\b(by|without|on|ignoring)\\s*\\(([^)]*)\\)");

    private static MetricsFixture fixture;
    private static Exposition exposition;
    /** Sample name → every label name seen on it. */
    private static final Map<String, Set<String>> LABELS_BY_SAMPLE = new HashMap<>();

    @BeforeAll
    static void scrape() throws Exception {
        fixture = new MetricsFixture();
        ClusterStatus st = MetricsFixture.withHealthChecks(); // the health-check series too
        ClusterStatus.Quorum q = st.quorum();
        fixture.status.set(new ClusterStatus(st.cluster(), st.node(), st.version(), new ClusterStatus.Quorum(q.present(),
                q.votesSeen(), q.votesNeeded(), q.votesTotal(), 42.0), st.nodes(), st.vips(), st.stale())); // and membership
        fixture.metrics.recordCheck("web", 2_000_000);
        fixture.metrics.checkSkipped("web", "concurrency");
        exposition = fixture.scrape();
        for (Family f : exposition.families().values()) {
            for (Sample s : f.samples()) {
                LABELS_BY_SAMPLE.computeIfAbsent(s.name(), k -> new HashSet<>()).addAll(s.labels().keySet());
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
    }

    private static Path manifests() {
        Path dir = Path.of("").toAbsolutePath();
        for (int i = 0; i < 6 && dir != null; i++, dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("manifests/prometheus-rules.yaml"))) {
                return dir.resolve("manifests");
            }
        }
        throw new AssertionError("no manifests/prometheus-rules.yaml above " + Path.of("").toAbsolutePath());
    }

    // ---- the rules -------------------------------------------------------------------------------

    @Test
    void alertRulesUseOnlyExposedMetricsAndLabels() throws Exception {
        JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(manifests().resolve("prometheus-rules.yaml").toFile());
        Set<String> used = new HashSet<>();
        int count = 0;
        for (JsonNode group : rules.required("groups")) {
            for (JsonNode rule : group.required("rules")) {
                String alert = rule.required("alert").asText();
                String expr = rule.required("expr").asText();
                used.addAll(checkExpression("rule " + alert, expr));
                assertTrue(rule.path("annotations").has("summary"), "rule " + alert + " has no summary");
                count++;
            }
        }
        assertTrue(count >= 6, "rules: " + count);
        // The alerts the brief asks for: no quorum, VIP not active, conflict, node down, failovers, config mismatch.
        for (String name : List.of("lcs_cluster_quorum", "lcs_vip_state", "lcs_vip_conflict", "lcs_node_online",
                "lcs_vip_failovers_total", "lcs_config_mismatch", "lcs_node_voting_ready", "lcs_resource_stop_failed",
                "lcs_cluster_membership_seconds")) {
            assertTrue(used.contains(name), "no alert rule uses " + name);
        }
    }

    // ---- the dashboard ---------------------------------------------------------------------------

    @Test
    void dashboardUsesOnlyExposedMetricsAndLabels() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(manifests().resolve("grafana-dashboard.json").toFile());
        Set<String> used = new HashSet<>();
        int targets = 0;
        for (JsonNode panel : dashboard.required("panels")) {
            String title = panel.required("title").asText();
            for (JsonNode target : panel.required("targets")) {
                used.addAll(checkExpression("panel " + title, target.required("expr").asText()));
                targets++;
            }
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            String query = variable.path("query").asText("");
            Matcher m = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,\\s*([a-zA-Z_]+)\\s*\\)").matcher(query);
            if (m.matches()) {
                assertExposed("variable " + variable.path("name").asText(), m.group(1));
                assertTrue(LABELS_BY_SAMPLE.get(m.group(1)).contains(m.group(2)), "label " + m.group(2) + " of " + m.group(1));
                used.add(m.group(1));
            }
        }
        assertTrue(targets >= 10, "targets: " + targets);
        for (String name : List.of("lcs_cluster_quorum", "lcs_node_online", "lcs_vip_owner", "lcs_vip_state", "lcs_vip_epoch",
                "lcs_vip_lease_remaining_seconds", "lcs_vip_failovers_total", "lcs_peer_rtt_seconds",
                "lcs_transport_frames_rejected_total", "lcs_hook_failures_total", "process_resident_memory_bytes",
                "lcs_node_voting_ready", "lcs_cluster_membership_seconds", "lcs_resource_owner", "lcs_resource_state",
                "lcs_resource_priority")) {
            assertTrue(used.contains(name), "no dashboard panel shows " + name);
        }
    }

    // ---- the checker itself ----------------------------------------------------------------------

    @Test
    void theCheckerCatchesAnUnknownMetricOrLabel() {
        assertThrows(() -> checkExpression("t", "rate(lcs_vip_failover_total[5m])"));
        assertThrows(() -> checkExpression("t", "lcs_vip_state{phase=\"active\"}"));
        assertThrows(() -> checkExpression("t", "max by (owner) (lcs_vip_state)"));
        assertThrows(() -> checkExpression("t", "vector(1)"));
        assertEquals(Set.of("lcs_vip_state"), checkExpression("t", "max by (cluster, vip) (lcs_vip_state{state=\"active\"}) == 0"));
    }

    private static void assertThrows(Runnable r) {
        try {
            r.run();
        } catch (AssertionError expected) {
            return;
        }
        throw new AssertionError("checker accepted a bad expression");
    }

    /**
     * The metric names of a PromQL expression, each checked to be exposed, with the label names of
     * its matchers and of every by/without/on/ignoring clause checked against those metrics' labels.
     */
    private static Set<String> checkExpression(String where, String expr) {
        String noStrings = expr.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"");
        Set<String> metricNames = new LinkedHashSet<>();
        Map<String, List<String>> matcherLabels = new HashMap<>();
        Matcher selector = SELECTOR.matcher(noStrings);
        while (selector.find()) {
            List<String> labels = new ArrayList<>();
            Matcher label = MATCHER_LABEL.matcher(selector.group(2));
            while (label.find()) {
                labels.add(label.group(1));
            }
            matcherLabels.computeIfAbsent(selector.group(1), k -> new ArrayList<>()).addAll(labels);
        }
        List<String> groupingLabels = new ArrayList<>();
        Matcher grouping = GROUPING.matcher(noStrings);
        while (grouping.find()) {
            for (String l : grouping.group(2).split(",")) {
                if (!l.isBlank()) {
                    groupingLabels.add(l.trim());
                }
            }
        }
        String bare = GROUPING.matcher(noStrings).replaceAll(" ")
                .replaceAll("\\{[^}]*\\}", " ")
                .replaceAll("\\[[^]]*\\]", " ");
        Matcher id = IDENTIFIER.matcher(bare);
        while (id.find()) {
            String word = id.group();
            int after = id.end();
            while (after < bare.length() && bare.charAt(after) == ' ') {
                after++;
            }
            boolean isFunction = after < bare.length() && bare.charAt(after) == '(';
            boolean partOfNumber = id.start() > 0 && Character.isDigit(bare.charAt(id.start() - 1));
            if (isFunction || partOfNumber || PROMQL_WORDS.contains(word.toLowerCase(java.util.Locale.ROOT))) {
                continue;
            }
            metricNames.add(word);
        }
        assertFalse(metricNames.isEmpty(), where + ": no metric in " + expr);
        Set<String> allLabels = new HashSet<>(TARGET_LABELS);
        for (String name : metricNames) {
            assertExposed(where, name);
            allLabels.addAll(LABELS_BY_SAMPLE.get(name));
            for (String label : matcherLabels.getOrDefault(name, List.of())) {
                assertTrue(LABELS_BY_SAMPLE.get(name).contains(label) || TARGET_LABELS.contains(label),
                        where + ": " + name + " has no label " + label + " (has " + LABELS_BY_SAMPLE.get(name) + ")");
            }
        }
        for (String label : groupingLabels) {
            assertTrue(allLabels.contains(label), where + ": no metric of " + expr + " has label " + label);
        }
        return metricNames;
    }

    private static void assertExposed(String where, String name) {
        assertTrue(LABELS_BY_SAMPLE.containsKey(name), where + ": " + name + " is not in the exposition");
    }
}
