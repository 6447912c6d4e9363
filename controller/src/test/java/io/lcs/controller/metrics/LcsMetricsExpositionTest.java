package io.lcs.controller.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.controller.metrics.PrometheusTextParser.Exposition;
import io.lcs.controller.metrics.PrometheusTextParser.Family;
import io.lcs.controller.metrics.PrometheusTextParser.Sample;
import io.lcs.model.status.ClusterStatus;
import io.lcs.model.status.ClusterStatus.NodeStatus;
import io.lcs.model.status.ClusterStatus.VipStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The exposition as Prometheus sees it: scraped over HTTP from a {@link MetricsServer} on loopback,
 * parsed by the strict {@link PrometheusTextParser}, checked family by family against the original
 * lcs's names, types and labels (the README's Metrics section) and lcsd's own metrics.
 */
class LcsMetricsExpositionTest {

    private MetricsFixture fixture;

    @BeforeEach
    void start() throws Exception {
        fixture = new MetricsFixture();
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private static Map<String, String> labels(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("cluster", MetricsFixture.CLUSTER);
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    /** Checks the family's TYPE, that it has a HELP, and that its samples have exactly these label names. */
    private static Family family(Exposition e, String name, String type, String... labelNames) {
        Family f = e.family(name);
        assertEquals(type, f.type(), "TYPE of " + name);
        assertNotNull(f.help(), "HELP of " + name);
        assertFalse(f.help().isBlank(), "HELP of " + name);
        assertFalse(f.samples().isEmpty(), "samples of " + name);
        Set<String> expected = new HashSet<>(List.of(labelNames));
        expected.add("cluster");
        for (Sample s : f.samples()) {
            assertEquals(expected, s.labels().keySet(), "label names of " + s);
            assertEquals(MetricsFixture.CLUSTER, s.labels().get("cluster"), "cluster label of " + s);
        }
        return f;
    }

    /** The value of the one sample named {@code sampleName} with exactly these labels (plus cluster). */
    private static double sampleValue(Exposition e, String familyName, String sampleName, String... kv) {
        Map<String, String> want = labels(kv);
        List<Double> found = new ArrayList<>();
        for (Sample s : e.family(familyName).samples()) {
            if (s.name().equals(sampleName) && s.labels().equals(want)) {
                found.add(s.value());
            }
        }
        assertEquals(1, found.size(), "series " + sampleName + want + " in " + e.family(familyName).samples());
        return found.get(0);
    }

    private static double value(Exposition e, String name, String... kv) {
        return sampleValue(e, name, name, kv);
    }

    private static Set<Map<String, String>> series(Exposition e, String name) {
        return e.family(name).samples().stream().map(Sample::labels).collect(Collectors.toSet());
    }

    // ---- the original's metrics -------------------------------------------------------------------

    @Test
    void clusterQuorumMetricsHaveTheOriginalNamesTypesAndValues() throws Exception {
        Exposition e = fixture.scrape();
        family(e, "lcs_cluster_quorum", "gauge");
        family(e, "lcs_cluster_votes_seen", "gauge");
        family(e, "lcs_cluster_votes_needed", "gauge");
        assertEquals(1, value(e, "lcs_cluster_quorum"));
        assertEquals(2, value(e, "lcs_cluster_votes_seen"));
        assertEquals(2, value(e, "lcs_cluster_votes_needed"));
        assertEquals("Whether this node currently sees cluster quorum.", e.family("lcs_cluster_quorum").help());
    }

    @Test
    void nodeOnlineHasOneSeriesPerNodeLabelledWithRole() throws Exception {
        Exposition e = fixture.scrape();
        family(e, "lcs_node_online", "gauge", "node", "role");
        assertEquals(Set.of(labels("node", "node1", "role", "full-member"), labels("node", "node2", "role", "full-member"),
                labels("node", "node3", "role", "quorum-only")), series(e, "lcs_node_online"));
        assertEquals(1, value(e, "lcs_node_online", "node", "node3", "role", "quorum-only"));

        ClusterStatus s = fixture.status.get();
        List<NodeStatus> nodes = new ArrayList<>(s.nodes());
        NodeStatus n2 = nodes.get(1);
        nodes.set(1, new NodeStatus(n2.name(), n2.role(), false, false, true, 12.0, null, false, false));
        fixture.status.set(new ClusterStatus(s.cluster(), s.node(), s.version(), s.quorum(), nodes, s.vips(), s.stale()));
        assertEquals(0, value(fixture.scrape(), "lcs_node_online", "node", "node2", "role", "full-member"));
    }

    @Test
    void vipStateIsOneHotOverTheFiveStates() throws Exception {
        Exposition e = fixture.scrape();
        family(e, "lcs_vip_state", "gauge", "vip", "state");
        assertEquals(10, e.family("lcs_vip_state").samples().size());
        Map<String, String> current = Map.of("vip1", "active", "vip2", "conflict");
        for (String vip : List.of("vip1", "vip2")) {
            for (String state : List.of("active", "pending", "conflict", "stopped", "failed")) {
                double expected = state.equals(current.get(vip)) ? 1 : 0;
                assertEquals(expected, value(e, "lcs_vip_state", "vip", vip, "state", state), vip + " " + state);
            }
        }
    }

    @Test
    void vipOwnerIsOneOnlyForTheOwnerAndHasASeriesPerConfiguredNodeQuorumOnlyIncluded() throws Exception {
        Exposition e = fixture.scrape();
        family(e, "lcs_vip_owner", "gauge", "vip", "node");
        assertEquals(Set.of(labels("vip", "vip1", "node", "node1"), labels("vip", "vip1", "node", "node2"),
                labels("vip", "vip1", "node", "node3"), labels("vip", "vip2", "node", "node1"),
                labels("vip", "vip2", "node", "node2"), labels("vip", "vip2", "node", "node3")), series(e, "lcs_vip_owner"));
        assertEquals(1, value(e, "lcs_vip_owner", "vip", "vip1", "node", "node1"));
        assertEquals(0, value(e, "lcs_vip_owner", "vip", "vip1", "node", "node2"));
        assertEquals(0, value(e, "lcs_vip_owner", "vip", "vip1", "node", "node3"), "the quorum-only node, as in the README");
        assertEquals(0, value(e, "lcs_vip_owner", "vip", "vip2", "node", "node1"));
        assertEquals(0, value(e, "lcs_vip_owner", "vip", "vip2", "node", "node2"));
        assertEquals(0, value(e, "lcs_vip_owner", "vip", "vip2", "node", "node3"));
    }

    // ---- the C lcs's families -----------------------------------------------------------------------

    @Test
    void resourceFamilyMirrorsTheVipsWithResourceAndTypeLabels() throws Exception {
        ClusterStatus s = fixture.status.get();
        List<VipStatus> vips = new ArrayList<>(s.vips());
        vips.add(new VipStatus("vip4", "198.18.0.204/32", "lo", "stopped", null, 2, null, 0, List.of(
                new io.lcs.model.api.Condition("StopFailed", "True", "PreStopFailed", "pre_stop exited 1", null, null)),
                0, "pair", 7, "node1", null, Boolean.TRUE));
        fixture.status.set(new ClusterStatus(s.cluster(), s.node(), s.version(), s.quorum(), s.nodes(), vips, s.stale()));
        fixture.metrics.refreshMeters();
        Exposition e = fixture.scrape();
        family(e, "lcs_resource_state", "gauge", "resource", "type", "state");
        family(e, "lcs_resource_owner", "gauge", "resource", "type", "node");
        for (String name : List.of("lcs_resource_epoch", "lcs_resource_lease_remaining_seconds", "lcs_resource_conflict",
                "lcs_resource_stop_failed")) {
            family(e, name, "gauge", "resource", "type");
        }
        family(e, "lcs_resource_priority", "gauge", "resource", "type", "group");
        family(e, "lcs_resource_failovers_total", "counter", "resource", "type");
        assertEquals(15, e.family("lcs_resource_state").samples().size(), "5 states of 3 VIPs, 0 or 1 each");
        assertEquals(1, value(e, "lcs_resource_state", "resource", "vip1", "type", "vip", "state", "active"));
        assertEquals(0, value(e, "lcs_resource_state", "resource", "vip1", "type", "vip", "state", "pending"));
        assertEquals(1, value(e, "lcs_resource_state", "resource", "vip2", "type", "vip", "state", "conflict"));
        assertEquals(9, e.family("lcs_resource_owner").samples().size(), "one series per configured node");
        assertEquals(1, value(e, "lcs_resource_owner", "resource", "vip1", "type", "vip", "node", "node1"));
        assertEquals(0, value(e, "lcs_resource_owner", "resource", "vip1", "type", "vip", "node", "node3"));
        assertEquals(11, value(e, "lcs_resource_epoch", "resource", "vip1", "type", "vip"));
        assertEquals(3.909, value(e, "lcs_resource_lease_remaining_seconds", "resource", "vip1", "type", "vip"), 1e-9);
        assertEquals(0, value(e, "lcs_resource_lease_remaining_seconds", "resource", "vip2", "type", "vip"));
        assertEquals(1, value(e, "lcs_resource_conflict", "resource", "vip2", "type", "vip"));
        assertEquals(0, value(e, "lcs_resource_conflict", "resource", "vip1", "type", "vip"));
        assertEquals(1, value(e, "lcs_resource_stop_failed", "resource", "vip4", "type", "vip"));
        assertEquals(0, value(e, "lcs_resource_stop_failed", "resource", "vip1", "type", "vip"));
        assertEquals(7, value(e, "lcs_resource_priority", "resource", "vip4", "type", "vip", "group", "pair"));
        assertEquals(0, value(e, "lcs_resource_priority", "resource", "vip1", "type", "vip", "group", ""));
        assertEquals(1, value(e, "lcs_resource_failovers_total", "resource", "vip1", "type", "vip"));
        assertEquals(7, value(e, "lcs_resource_failovers_total", "resource", "vip2", "type", "vip"));
    }

    @Test
    void membershipSecondsAndVotingReadyFollowTheStatus() throws Exception {
        Exposition e = fixture.scrape();
        assertFalse(e.families().containsKey("lcs_cluster_membership_seconds"), "unknown membership time: no series");
        family(e, "lcs_node_voting_ready", "gauge", "node", "role");
        assertEquals(Set.of(labels("node", "node1", "role", "full-member"), labels("node", "node2", "role", "full-member"),
                labels("node", "node3", "role", "quorum-only")), series(e, "lcs_node_voting_ready"));
        ClusterStatus s = fixture.status.get();
        List<NodeStatus> nodes = new ArrayList<>(s.nodes());
        NodeStatus n2 = nodes.get(1);
        nodes.set(1, new NodeStatus(n2.name(), n2.role(), true, false, true, 0.1, 1.0, false, true)); // recovering
        NodeStatus n3 = nodes.get(2);
        nodes.set(2, new NodeStatus(n3.name(), n3.role(), false, false, true, 9.0, null, false, false)); // offline
        ClusterStatus.Quorum q = s.quorum();
        fixture.status.set(new ClusterStatus(s.cluster(), s.node(), s.version(), new ClusterStatus.Quorum(q.present(),
                q.votesSeen(), q.votesNeeded(), q.votesTotal(), 302.5), nodes, s.vips(), s.stale()));
        e = fixture.scrape();
        family(e, "lcs_cluster_membership_seconds", "gauge");
        assertEquals(302.5, value(e, "lcs_cluster_membership_seconds"), 1e-9);
        assertEquals(1, value(e, "lcs_node_voting_ready", "node", "node1", "role", "full-member"));
        assertEquals(0, value(e, "lcs_node_voting_ready", "node", "node2", "role", "full-member"), "recovering");
        assertEquals(1, value(e, "lcs_node_online", "node", "node2", "role", "full-member"), "recovering is online");
        assertEquals(0, value(e, "lcs_node_voting_ready", "node", "node3", "role", "quorum-only"), "offline");
    }

    @Test
    void vipEpochLeaseAndConflictFollowTheStatus() throws Exception {
        Exposition e = fixture.scrape();
        family(e, "lcs_vip_epoch", "gauge", "vip");
        family(e, "lcs_vip_lease_remaining_seconds", "gauge", "vip");
        family(e, "lcs_vip_conflict", "gauge", "vip");
        assertEquals(11, value(e, "lcs_vip_epoch", "vip", "vip1"));
        assertEquals(4, value(e, "lcs_vip_epoch", "vip", "vip2"));
        assertEquals(3.909, value(e, "lcs_vip_lease_remaining_seconds", "vip", "vip1"), 1e-9);
        assertEquals(0, value(e, "lcs_vip_lease_remaining_seconds", "vip", "vip2"), "no lease reads as 0");
        assertEquals(0, value(e, "lcs_vip_conflict", "vip", "vip1"));
        assertEquals(1, value(e, "lcs_vip_conflict", "vip", "vip2"));
    }

    @Test
    void failoversIsACounterExposedAsExactlyLcsVipFailoversTotal() throws Exception {
        Exposition e = fixture.scrape();
        family(e, "lcs_vip_failovers_total", "counter", "vip");
        assertEquals(1, value(e, "lcs_vip_failovers_total", "vip", "vip1"));
        assertEquals(7, value(e, "lcs_vip_failovers_total", "vip", "vip2"));
        for (String name : e.families().keySet()) {
            assertFalse(name.endsWith("_total_total"), name);
            assertFalse(name.endsWith("_seconds_seconds"), name);
            assertFalse(name.endsWith("_bytes_bytes"), name);
        }
        assertFalse(e.families().containsKey("lcs_vip_failovers"), "Micrometer must not strip the _total");
    }

    @Test
    void plannedMovesAreTheirOwnCounterNotFailovers() throws Exception {
        Exposition e = fixture.scrape();
        family(e, "lcs_vip_moves_total", "counter", "vip");
        assertEquals(3, value(e, "lcs_vip_moves_total", "vip", "vip1"));
        assertEquals(0, value(e, "lcs_vip_moves_total", "vip", "vip2"), "present from 0, so rate() sees the first");
        assertEquals(1, value(e, "lcs_vip_failovers_total", "vip", "vip1"), "the moves are not in the failovers");
    }

    @Test
    void everyFamilyHasHelpAndEverySeriesHasTheClusterLabel() throws Exception {
        Exposition e = fixture.scrape();
        for (Family f : e.families().values()) {
            assertNotNull(f.help(), "HELP of " + f.name());
            assertFalse(f.help().isBlank(), "HELP of " + f.name());
            assertTrue(f.typed, "TYPE of " + f.name());
            for (Sample s : f.samples()) {
                assertEquals(MetricsFixture.CLUSTER, s.labels().get("cluster"), s.toString());
            }
        }
    }

    // ---- VIPs and nodes come and go --------------------------------------------------------------

    @Test
    void removingAVipRemovesAllItsSeries() throws Exception {
        assertTrue(seriesMentioning(fixture.scrape(), "vip", "vip2") > 0);
        fixture.status.set(MetricsFixture.without(fixture.status.get(), "vip2"));
        Exposition e = fixture.scrape();
        assertEquals(0, seriesMentioning(e, "vip", "vip2"), "series of removed vip2 left");
        assertEquals(1, value(e, "lcs_vip_state", "vip", "vip1", "state", "active"));
        assertEquals(1, value(e, "lcs_hook_runs_total", "vip", "vip1", "event", "pre_start"));
        assertEquals(1, value(e, "lcs_lease_acquisitions_total", "vip", "vip1"), "vip1's counters keep counting");
    }

    @Test
    void refreshMetersAddsANewVipsSeries() throws Exception {
        ClusterStatus s = fixture.status.get();
        List<VipStatus> vips = new ArrayList<>(s.vips());
        vips.add(new VipStatus("vip3", "198.18.0.202/32", "lo", "pending", null, 0, null, 0, List.of()));
        fixture.status.set(new ClusterStatus(s.cluster(), s.node(), s.version(), s.quorum(), s.nodes(), vips, s.stale()));
        fixture.metrics.refreshMeters();
        Exposition e = fixture.scrape();
        assertEquals(1, value(e, "lcs_vip_state", "vip", "vip3", "state", "pending"));
        assertEquals(0, value(e, "lcs_vip_owner", "vip", "vip3", "node", "node2"));
        assertEquals(0, value(e, "lcs_lease_acquisitions_total", "vip", "vip3"), "lease counters start at 0");
        assertEquals(0, value(e, "lcs_vip_failovers_total", "vip", "vip3"));
    }

    @Test
    void aStoppedVipAndABlockedFailbackShowAsGauges() throws Exception {
        ClusterStatus s = fixture.status.get();
        List<VipStatus> vips = new ArrayList<>(s.vips());
        vips.add(new VipStatus("vip4", "198.18.0.204/32", "lo", "stopped", null, 0, null, 0, List.of(), 0, "pair", 2,
                "node1", Boolean.TRUE, Boolean.TRUE));
        fixture.status.set(new ClusterStatus(s.cluster(), s.node(), s.version(), s.quorum(), s.nodes(), vips, s.stale()));
        fixture.metrics.refreshMeters();
        Exposition e = fixture.scrape();
        family(e, "lcs_vip_disabled", "gauge", "vip");
        family(e, "lcs_vip_failback_blocked", "gauge", "vip");
        assertEquals(1, value(e, "lcs_vip_disabled", "vip", "vip4"));
        assertEquals(1, value(e, "lcs_vip_failback_blocked", "vip", "vip4"));
        assertEquals(0, value(e, "lcs_vip_disabled", "vip", "vip1"));
        assertEquals(0, value(e, "lcs_vip_failback_blocked", "vip", "vip1"));
    }

    @Test
    void removingANodeRemovesItsNodeOwnerAndPeerSeries() throws Exception {
        ClusterStatus s = fixture.status.get();
        List<NodeStatus> nodes = new ArrayList<>(s.nodes());
        nodes.removeIf(n -> n.name().equals("node2"));
        fixture.status.set(new ClusterStatus(s.cluster(), s.node(), s.version(), s.quorum(), nodes, s.vips(), s.stale()));
        Exposition e = fixture.scrape();
        assertEquals(0, seriesMentioning(e, "node", "node2"));
        for (String name : List.of("lcs_peer_rtt_seconds", "lcs_peer_last_seen_seconds", "lcs_config_mismatch")) {
            assertFalse(series(e, name).contains(labels("peer", "node2")), name);
        }
        assertEquals(Set.of(labels("vip", "vip1", "node", "node1"), labels("vip", "vip1", "node", "node3"),
                labels("vip", "vip2", "node", "node1"), labels("vip", "vip2", "node", "node3")), series(e, "lcs_vip_owner"));
    }

    @Test
    void changingANodesRoleRelabelsItsSeriesAndGivesItOwnerSeries() throws Exception {
        ClusterStatus s = fixture.status.get();
        List<NodeStatus> nodes = new ArrayList<>(s.nodes());
        NodeStatus n3 = nodes.get(2);
        nodes.set(2, new NodeStatus(n3.name(), "full-member", true, false, true, 0.2, 2.0, false, false));
        fixture.status.set(new ClusterStatus(s.cluster(), s.node(), s.version(), s.quorum(), nodes, s.vips(), s.stale()));
        Exposition e = fixture.scrape();
        assertEquals(Set.of(labels("node", "node1", "role", "full-member"), labels("node", "node2", "role", "full-member"),
                labels("node", "node3", "role", "full-member")), series(e, "lcs_node_online"));
        assertEquals(0, value(e, "lcs_vip_owner", "vip", "vip1", "node", "node3"));
        assertEquals(6, e.family("lcs_vip_owner").samples().size(), "every node, whatever its role");
        assertEquals(0, value(e, "lcs_config_mismatch", "peer", "node3"));
    }

    private static long seriesMentioning(Exposition e, String label, String value) {
        return e.families().values().stream().flatMap(f -> f.samples().stream())
                .filter(s -> value.equals(s.labels().get(label))).count();
    }

    // ---- lcsd's own metrics -----------------------------------------------------------------------

    @Test
    void peerGaugesComeFromTheSnapshot() throws Exception {
        Exposition e = fixture.scrape();
        family(e, "lcs_peer_rtt_seconds", "gauge", "peer");
        family(e, "lcs_peer_last_seen_seconds", "gauge", "peer");
        family(e, "lcs_config_mismatch", "gauge", "peer");
        assertEquals(Set.of(labels("peer", "node2"), labels("peer", "node3")), series(e, "lcs_peer_rtt_seconds"),
                "self is not a peer");
        assertEquals(0.0015, value(e, "lcs_peer_rtt_seconds", "peer", "node2"), 1e-12);
        assertTrue(Double.isNaN(value(e, "lcs_peer_rtt_seconds", "peer", "node3")), "unknown rtt is NaN");
        assertEquals(0.4, value(e, "lcs_peer_last_seen_seconds", "peer", "node2"), 1e-12);
        assertEquals(Double.POSITIVE_INFINITY, value(e, "lcs_peer_last_seen_seconds", "peer", "node3"));
        assertEquals(0, value(e, "lcs_config_mismatch", "peer", "node2"));
        assertEquals(1, value(e, "lcs_config_mismatch", "peer", "node3"));
    }

    @Test
    void frameCountersAreReadFromTheTransportsSuppliersAtScrapeTime() throws Exception {
        Exposition e = fixture.scrape();
        family(e, "lcs_transport_frames_sent_total", "counter", "peer");
        family(e, "lcs_transport_frames_received_total", "counter", "peer");
        family(e, "lcs_transport_frames_rejected_total", "counter", "reason");
        assertEquals(10, value(e, "lcs_transport_frames_sent_total", "peer", "node2"));
        assertEquals(9, value(e, "lcs_transport_frames_received_total", "peer", "node2"));
        assertEquals(2, value(e, "lcs_transport_frames_rejected_total", "reason", "oversized"));

        fixture.sentToNode2.addAndGet(5);
        fixture.receivedFromNode2.addAndGet(7);
        fixture.rejectedOversized.incrementAndGet();
        e = fixture.scrape();
        assertEquals(15, value(e, "lcs_transport_frames_sent_total", "peer", "node2"));
        assertEquals(16, value(e, "lcs_transport_frames_received_total", "peer", "node2"));
        assertEquals(3, value(e, "lcs_transport_frames_rejected_total", "reason", "oversized"));

        fixture.metrics.unregisterFrameCounters("node2");
        e = fixture.scrape();
        assertFalse(e.families().containsKey("lcs_transport_frames_sent_total"), "unregistered peer's series left");
    }

    @Test
    void connectionsRejectedAtAcceptAreCountedByReasonAtScrapeTime() throws Exception {
        java.util.concurrent.atomic.AtomicLong strangers = new java.util.concurrent.atomic.AtomicLong(7);
        fixture.metrics.registerConnectionsRejected("not_a_member", strangers::get);
        Exposition e = fixture.scrape();
        family(e, "lcs_transport_connections_rejected_total", "counter", "reason");
        assertEquals(7, value(e, "lcs_transport_connections_rejected_total", "reason", "not_a_member"));
        strangers.addAndGet(1000);
        assertEquals(1007, value(fixture.scrape(), "lcs_transport_connections_rejected_total", "reason", "not_a_member"));
        assertEquals(2, value(fixture.scrape(), "lcs_transport_frames_rejected_total", "reason", "oversized"),
                "a family of its own: the frames counter is unchanged");
    }

    @Test
    void frameCountersSurviveGarbageCollectionOfTheSupplierLambdas() throws Exception {
        long[] sent = {42};
        fixture.metrics.registerFrameCounters("node3", () -> sent[0], () -> 0L); // only the registry refers to them
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        assertEquals(42, value(fixture.scrape(), "lcs_transport_frames_sent_total", "peer", "node3"));
    }

    @Test
    void logThrottleOverflowsAreACounterReadAtScrapeTime() throws Exception {
        long[] overflows = {2};
        fixture.metrics.registerLogThrottleOverflows(() -> overflows[0]);
        System.gc();
        Exposition e = fixture.scrape();
        family(e, "lcs_log_throttle_overflows_total", "counter");
        assertEquals(2, value(e, "lcs_log_throttle_overflows_total"));
        overflows[0] = 7;
        assertEquals(7, value(fixture.scrape(), "lcs_log_throttle_overflows_total"));
    }

    @Test
    void coreLimitCountersAreReadAtScrapeTimeAndSurviveGarbageCollection() throws Exception {
        long[] refused = {3};
        fixture.metrics.registerCoreCounter("lease_entries_refused", "VIPs given no lease entry.", () -> refused[0]);
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Exposition e = fixture.scrape();
        family(e, "lcs_core_lease_entries_refused_total", "counter");
        assertEquals(3, value(e, "lcs_core_lease_entries_refused_total"));
        refused[0] = 5;
        assertEquals(5, value(fixture.scrape(), "lcs_core_lease_entries_refused_total"));
    }

    @Test
    void leaseReconcileAndHookCountersCount() throws Exception {
        fixture.metrics.leaseAcquired("vip1");
        fixture.metrics.leaseRenewalFailed("vip2");
        fixture.metrics.reconcileFailed("vip");
        fixture.metrics.recordReconcile("vip", TimeUnit.MILLISECONDS.toNanos(5));
        fixture.metrics.recordHook("vip1", "pre_start", TimeUnit.MILLISECONDS.toNanos(30), false);
        Exposition e = fixture.scrape();
        family(e, "lcs_lease_acquisitions_total", "counter", "vip");
        family(e, "lcs_lease_renewal_failures_total", "counter", "vip");
        assertEquals(2, value(e, "lcs_lease_acquisitions_total", "vip", "vip1"));
        assertEquals(0, value(e, "lcs_lease_acquisitions_total", "vip", "vip2"));
        assertEquals(1, value(e, "lcs_lease_renewal_failures_total", "vip", "vip1"));
        assertEquals(1, value(e, "lcs_lease_renewal_failures_total", "vip", "vip2"));

        family(e, "lcs_reconcile_duration_seconds", "summary", "reconciler");
        family(e, "lcs_reconcile_errors_total", "counter", "reconciler");
        assertEquals(2, sampleValue(e, "lcs_reconcile_duration_seconds", "lcs_reconcile_duration_seconds_count", "reconciler", "vip"));
        assertEquals(0.008, sampleValue(e, "lcs_reconcile_duration_seconds", "lcs_reconcile_duration_seconds_sum", "reconciler", "vip"),
                1e-9);
        assertEquals(2, value(e, "lcs_reconcile_errors_total", "reconciler", "vip"));

        family(e, "lcs_hook_runs_total", "counter", "vip", "event");
        family(e, "lcs_hook_failures_total", "counter", "vip", "event");
        family(e, "lcs_hook_duration_seconds", "summary", "vip", "event");
        assertEquals(2, value(e, "lcs_hook_runs_total", "vip", "vip1", "event", "pre_start"));
        assertEquals(1, value(e, "lcs_hook_failures_total", "vip", "vip1", "event", "pre_start"));
        assertEquals(1, value(e, "lcs_hook_failures_total", "vip", "vip2", "event", "pre_start"));
        assertEquals(0.05, sampleValue(e, "lcs_hook_duration_seconds", "lcs_hook_duration_seconds_sum", "vip", "vip1", "event",
                "pre_start"), 1e-9);
    }

    @Test
    void buildInfoIsOneWithVersionAndJavaLabels() throws Exception {
        Exposition e = fixture.scrape();
        family(e, "lcs_build_info", "gauge", "version", "java");
        assertEquals(1, value(e, "lcs_build_info", "version", MetricsFixture.VERSION, "java", Runtime.version().toString()));
    }

    @Test
    void processAndJvmMemoryAndCpuAreExposed() throws Exception {
        Exposition e = fixture.scrape();
        family(e, "process_resident_memory_bytes", "gauge");
        double rss = value(e, "process_resident_memory_bytes");
        assertTrue(rss > 8 * 1024 * 1024 && rss < 64L * 1024 * 1024 * 1024, "RSS " + rss);
        assertEquals("gauge", e.family("jvm_memory_used_bytes").type());
        assertEquals("gauge", e.family("process_cpu_usage").type());
        assertEquals("gauge", e.family("system_cpu_count").type());
    }

    @Test
    void residentMemoryParsesTheKibLineAndRejectsOthers() {
        assertEquals(12345 * 1024.0, ResidentMemory.parseKibLine("\t   12345 kB"));
        assertTrue(Double.isNaN(ResidentMemory.parseKibLine(" 12345 MB")));
        assertTrue(Double.isNaN(ResidentMemory.parseKibLine(" x kB")));
    }

    // ---- shape of the exposition used by the manifests test ---------------------------------------

    /** The families the original README lists and the daemon's own, with their types. */
    static final Map<String, String> CONTRACT = contract();

    private static Map<String, String> contract() {
        Map<String, String> m = new HashMap<>();
        for (String g : List.of("lcs_cluster_quorum", "lcs_cluster_votes_seen", "lcs_cluster_votes_needed", "lcs_node_online",
                "lcs_vip_state", "lcs_vip_owner", "lcs_vip_epoch", "lcs_vip_lease_remaining_seconds", "lcs_vip_conflict",
                "lcs_peer_rtt_seconds", "lcs_peer_last_seen_seconds", "lcs_config_mismatch", "lcs_build_info",
                "process_resident_memory_bytes")) {
            m.put(g, "gauge");
        }
        for (String c : List.of("lcs_vip_failovers_total", "lcs_transport_frames_sent_total",
                "lcs_transport_frames_received_total", "lcs_transport_frames_rejected_total", "lcs_lease_acquisitions_total",
                "lcs_lease_renewal_failures_total", "lcs_reconcile_errors_total", "lcs_hook_runs_total",
                "lcs_hook_failures_total")) {
            m.put(c, "counter");
        }
        m.put("lcs_reconcile_duration_seconds", "summary");
        m.put("lcs_hook_duration_seconds", "summary");
        return Map.copyOf(m);
    }

    @Test
    void everyContractedFamilyIsPresentWithItsType() throws Exception {
        Exposition e = fixture.scrape();
        for (Map.Entry<String, String> c : CONTRACT.entrySet()) {
            assertEquals(c.getValue(), e.family(c.getKey()).type(), c.getKey());
        }
    }
}
