package io.lcs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every verb in-process against {@link FakeAdminServer}: arguments → (exit code, stdout, stderr). */
class LcsTest {
    static final Instant NOW = Instant.parse("2025-01-01T00:05:00Z");

    static final String HEALTHY_STATUS = """
            {"cluster":"demo","node":"node1","version":"0.1.0",
             "quorum":{"present":true,"votesSeen":3,"votesNeeded":2,"votesTotal":3},
             "nodes":[
              {"name":"node1","role":"full-member","online":true,"self":true,"configMatch":true,"cordoned":false,"restarting":false},
              {"name":"node2","role":"full-member","online":true,"self":false,"configMatch":true,"lastSeenSeconds":0.4,"cordoned":false,"restarting":false},
              {"name":"node3","role":"quorum-only","online":true,"self":false,"configMatch":true,"lastSeenSeconds":0.3,"cordoned":false,"restarting":false}],
             "vips":[{"name":"vip1","address":"198.18.6.70/24","interfaceName":"enX0","state":"active","owner":"node1",
                      "epoch":11,"leaseRemainingSeconds":3.9,"failovers":1,"conditions":[
                        {"type":"Active","status":"True","reason":"LeaseHeld","message":"held by node1"}]}],
             "stale":false}
            """;

    static final String ORIGINAL_OUTPUT = """
            Cluster
              quorum: yes (3 votes, need 2)
            Nodes
              node1 role=full-member online=yes (self)
              node2 role=full-member online=yes
              node3 role=quorum-only online=yes
            VIPs
              vip1 198.18.6.70/24 dev=enX0 state=active owner=node1 epoch=11
            """;

    static final String WEB = """
            {"apiVersion":"lcs/v1","kind":"VirtualIP",
             "metadata":{"name":"web","version":4,"generation":2,"creationTimestamp":"2025-01-01T00:00:00Z"},
             "spec":{"address":"198.18.0.201/24","interface":"eth0","preferredNodes":["a","b"],
                     "hooks":{"preStart":"/usr/local/libexec/lcs/web-pre-start"}},
             "status":{"state":"active","owner":"a","epoch":11,"leaseRemainingSeconds":3.9,"failovers":1,
                       "conditions":[{"type":"Active","status":"True","reason":"LeaseHeld","message":"held by a",
                                      "lastTransitionTime":"2025-01-01T00:04:00Z"}]}}
            """;
    static final String DATABASE = """
            {"apiVersion":"lcs/v1","kind":"VirtualIP",
             "metadata":{"name":"database","creationTimestamp":"2024-12-30T00:05:00Z"},
             "spec":{"address":"2001:db8::10/64","interface":"eth1"},
             "status":{"state":"pending","epoch":0}}
            """;
    static final String EVENTS = """
            {"items":[
             {"seq":7,"time":"2025-01-01T00:03:00Z","type":"VipAcquired","object":"VirtualIP/web","node":"a","message":"acquired at epoch 11"},
             {"seq":8,"time":"2025-01-01T00:04:30Z","type":"PeerUp","object":"node/b","node":"a","message":"b is up"}]}
            """;

    @TempDir
    Path dir;
    FakeAdminServer fake;
    String stdin = "";

    record Result(int exit, String out, String err) {
    }

    @BeforeEach
    void start() throws Exception {
        fake = new FakeAdminServer();
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    Environment env(String url) {
        return new Environment(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                Clock.fixed(NOW, ZoneOffset.UTC), System::nanoTime, Duration.ofMillis(5),
                (config, explicit) -> new AdminEndpoint(URI.create(url), null, false, config));
    }

    Result lcs(String... args) {
        return lcsAt(fake.url(), args);
    }

    Result lcsAt(String url, String... args) {
        return lcsIn(env(url), args);
    }

    Result lcsIn(Environment env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Lcs.run(args, new PrintWriter(out), new PrintWriter(err), env);
        return new Result(exit, out.toString(), err.toString());
    }

    Environment envWith(ServerLocator locator) {
        return new Environment(new ByteArrayInputStream(new byte[0]), Clock.fixed(NOW, ZoneOffset.UTC),
                System::nanoTime, Duration.ofMillis(5), locator);
    }

    /** A loopback port nothing listens on (it was free a moment ago). */
    static int closedPort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static void assertExit(int expected, Result r) {
        assertEquals(expected, r.exit(), () -> "stdout:\n" + r.out() + "\nstderr:\n" + r.err());
    }

    // ---- status ---------------------------------------------------------------------------------

    @Test
    void statusMatchesTheOriginalFormatExactlyForAHealthyCluster() {
        fake.on("GET /api/v1/status", 200, HEALTHY_STATUS);
        Result r = lcs("status");
        assertExit(0, r);
        assertEquals(ORIGINAL_OUTPUT, r.out());
        assertEquals("", r.err());
    }

    @Test
    void statusAddsProblemLinesAndExits3WithoutQuorum() {
        String sick = HEALTHY_STATUS
                .replace("\"present\":true,\"votesSeen\":3", "\"present\":false,\"votesSeen\":1")
                .replace("\"stale\":false", "\"stale\":true")
                .replace("\"name\":\"node2\",\"role\":\"full-member\",\"online\":true,\"self\":false,\"configMatch\":true",
                        "\"name\":\"node2\",\"role\":\"full-member\",\"online\":false,\"self\":false,\"configMatch\":false")
                .replaceAll("\"state\":\"active\",\"owner\":\"node1\",\\s*\"epoch\":11,\"leaseRemainingSeconds\":3.9",
                        "\"state\":\"conflict\",\"epoch\":12,\"leaseRemainingSeconds\":1.74")
                .replace("{\"type\":\"Active\",\"status\":\"True\",\"reason\":\"LeaseHeld\",\"message\":\"held by node1\"}",
                        "{\"type\":\"Conflict\",\"status\":\"True\",\"reason\":\"AddressInUse\",\"message\":\"198.18.6.70 answered from 52:54:00:12:34:56\"}");
        fake.on("GET /api/v1/status", 200, sick);
        Result r = lcs("status");
        assertExit(3, r);
        assertEquals("""
                Cluster
                  quorum: no (1 votes, need 2)
                  (stale: no quorum; what follows may be out of date)
                Nodes
                  node1 role=full-member online=yes (self)
                  node2 role=full-member online=no state=offline config=mismatch
                  node3 role=quorum-only online=yes
                VIPs
                  vip1 198.18.6.70/24 dev=enX0 state=conflict owner=- epoch=12 lease=1.7s
                    conflict: 198.18.6.70 answered from 52:54:00:12:34:56
                """, r.out());
    }

    @Test
    void statusTakesTheSameOutputFormatsAsGetAndTheOriginalsJsonFlag() {
        fake.on("GET /api/v1/status", 200, HEALTHY_STATUS);
        Result lcsJson = lcs("status", "-o", "json");
        assertExit(0, lcsJson);
        assertTrue(lcsJson.out().startsWith("{\n") && lcsJson.out().contains("\"votesNeeded\" : 2"), lcsJson.out());
        Result yaml = lcs("status", "-o", "yaml");
        assertExit(0, yaml);
        assertTrue(yaml.out().contains("cluster: \"demo\"") || yaml.out().contains("cluster: demo"), yaml.out());
        Result wide = lcs("status", "-o", "wide");
        assertExit(0, wide);
        assertTrue(wide.out().contains("  node2 role=full-member online=yes state=online last_seen=0.4s rtt=-\n"),
                wide.out());
        assertTrue(wide.out().contains("  vip1 198.18.6.70/24 dev=enX0 state=active owner=node1 epoch=11 lease=3.9s"
                + " failovers=1 moves=0\n"), wide.out());
        int before = fake.requests.size();
        assertExit(2, lcs("status", "-o", "xml"));
        assertExit(2, lcs("status", "-j", "-o", "yaml"));
        assertEquals(before, fake.requests.size(), "usage errors must not reach the daemon");
    }

    @Test
    void statusJsonStillExits3WithoutQuorum() {
        fake.on("GET /api/v1/status", 200, HEALTHY_STATUS.replace("\"present\":true", "\"present\":false"));
        assertExit(3, lcs("status", "-o", "json"));
    }

    // ---- get ------------------------------------------------------------------------------------

    @Test
    void getVipsPrintsAnAlignedTable() {
        fake.on("GET /api/v1/vips", 200, "{\"items\":[" + WEB + "," + DATABASE + "]}");
        Result r = lcs("get", "vips");
        assertExit(0, r);
        assertEquals("""
                NAME       ADDRESS           INTERFACE   STATE     OWNER   EPOCH   AGE
                web        198.18.0.201/24   eth0        active    a       11      5m
                database   2001:db8::10/64   eth1        pending   -       0       2d
                """, r.out());
    }

    @Test
    void getVipsWideAddsPreferenceLeaseFailoversVersion() {
        fake.on("GET /api/v1/vips/web", 200, WEB);
        Result r = lcs("get", "vip", "web", "-o", "wide");
        assertExit(0, r);
        assertTrue(r.out().startsWith("NAME   ADDRESS           INTERFACE   STATE    OWNER   EPOCH   AGE   PREFERRED   "
                + "LEASE   FAILOVERS   VERSION\n"), r.out());
        assertTrue(r.out().contains("a,b         3.9s    1           4\n"), r.out());
    }

    @Test
    void getVipAsJsonAndYaml() {
        fake.on("GET /api/v1/vips/web", 200, WEB);
        Result json = lcs("get", "vips", "web", "-o", "json");
        assertExit(0, json);
        assertTrue(json.out().contains("\"address\" : \"198.18.0.201/24\""), json.out());
        Result yaml = lcs("get", "vips", "web", "-o", "yaml");
        assertExit(0, yaml);
        assertTrue(yaml.out().startsWith("apiVersion: lcs/v1\nkind: VirtualIP\n"), yaml.out());
        assertTrue(yaml.out().contains("  interface: eth0\n"), yaml.out());
    }

    @Test
    void getNodesPrintsTable() {
        fake.on("GET /api/v1/nodes", 200, "{\"items\":[{\"name\":\"a\",\"role\":\"full-member\",\"online\":true,"
                + "\"self\":true,\"configMatch\":true,\"cordoned\":false,\"restarting\":false},{\"name\":\"b\","
                + "\"role\":\"full-member\",\"online\":false,\"self\":false,\"configMatch\":false,\"lastSeenSeconds\":12.25,"
                + "\"cordoned\":true,\"restarting\":false}]}");
        Result r = lcs("get", "nodes");
        assertExit(0, r);
        assertEquals("""
                NAME   ROLE          ONLINE   CORDONED   CONFIG     LAST-SEEN
                a      full-member   yes      no         ok         -
                b      full-member   no       yes        mismatch   12.3s
                """, r.out());
    }

    @Test
    void getEventsPrintsTableAndFiltersByName() {
        fake.on("GET /api/v1/events?after=0&limit=1000", 200, EVENTS);
        Result all = lcs("get", "events");
        assertExit(0, all);
        assertEquals("""
                SEQ   AGE   TYPE          OBJECT          NODE   MESSAGE
                7     120s  VipAcquired   VirtualIP/web   a      acquired at epoch 11
                8     30s   PeerUp        node/b          a      b is up
                """.replace("120s  ", "2m    "), all.out());
        Result web = lcs("get", "events", "web");
        assertExit(0, web);
        assertTrue(web.out().contains("VipAcquired") && !web.out().contains("PeerUp"), web.out());
    }

    @Test
    void multiLineHookOutputStaysOnOneLineInTablesAndWholeInJson() {
        String events = """
                {"items":[
                 {"seq":9,"time":"2025-01-01T00:04:00Z","type":"HookFailed","object":"VirtualIP/web","node":"a",
                  "message":"pre_start exited 1; output: line one\\nline two\\r\\n\\tindented\\n"},
                 {"seq":10,"time":"2025-01-01T00:04:30Z","type":"PeerUp","object":"node/b","node":"a","message":"b is up"}]}
                """;
        fake.on("GET /api/v1/events?after=0&limit=1000", 200, events);
        Result table = lcs("get", "events");
        assertExit(0, table);
        assertEquals("""
                SEQ   AGE   TYPE         OBJECT          NODE   MESSAGE
                9     60s   HookFailed   VirtualIP/web   a      pre_start exited 1; output: line one\\nline two\\n indented
                10    30s   PeerUp       node/b          a      b is up
                """, table.out());
        Result json = lcs("get", "events", "-o", "json");
        assertExit(0, json);
        assertTrue(json.out().contains("line one\\nline two\\r\\n\\tindented\\n"), json.out());
    }

    @Test
    void getEventsWatchStreamsNewEventsAfterTheLastListed() {
        fake.on("GET /api/v1/events?after=0&limit=1000", 200, EVENTS);
        fake.sse("GET /api/v1/watch?after=8", ": lcs watch\n\nid: 9\nevent: VipMoved\ndata: {\"seq\":9,"
                + "\"time\":\"2025-01-01T00:04:59Z\",\"type\":\"VipMoved\",\"object\":\"VirtualIP/web\",\"node\":\"a\","
                + "\"message\":\"moved to b\"}\n\n: keep-alive\n\n");
        Result r = lcs("get", "events", "-w");
        assertExit(0, r);
        assertTrue(r.out().endsWith("9     1s    VipMoved      VirtualIP/web   a      moved to b\n"), r.out());
    }

    @Test
    void getVipsWatchPrintsTheChangedVipsRow() {
        fake.on("GET /api/v1/vips", 200, "{\"items\":[" + WEB + "]}");
        fake.on("GET /api/v1/vips/web", 200, WEB.replace("\"owner\":\"a\",\"epoch\":11", "\"owner\":\"b\",\"epoch\":12"));
        fake.sse("GET /api/v1/watch", "id: 9\nevent: VipMoved\ndata: {\"seq\":9,\"type\":\"VipMoved\","
                + "\"object\":\"VirtualIP/web\"}\n\nid: 10\nevent: PeerUp\ndata: {\"seq\":10,\"type\":\"PeerUp\","
                + "\"object\":\"node/b\"}\n\n");
        Result r = lcs("get", "vips", "-w");
        assertExit(0, r);
        String[] lines = r.out().split("\n");
        assertEquals(3, lines.length, r.out());
        assertEquals("web    198.18.0.201/24   eth0        active   b       12      5m", lines[2]);
    }

    static final String PROXY = """
            {"apiVersion":"lcs/v1","kind":"Service",
             "metadata":{"name":"proxy","version":2,"generation":1,"creationTimestamp":"2025-01-01T00:00:00Z"},
             "spec":{"systemdUnit":"haproxy.service","group":"web","priority":2,"dependsOn":["web"]},
             "status":{"state":"active","owner":"a","epoch":7,"leaseRemainingSeconds":3.9,"failovers":0}}
            """;

    @Test
    void getServicesShowsTheUnitWhereAVipHasItsAddress() {
        fake.on("GET /api/v1/services", 200, "{\"items\":[" + PROXY + "]}").on("GET /api/v1/services", 200,
                "{\"items\":[]}");
        Result r = lcs("get", "services");
        assertExit(0, r);
        assertEquals("""
                NAME    UNIT              STATE    OWNER   EPOCH   AGE
                proxy   haproxy.service   active   a       7       5m
                """, r.out());
        assertEquals("No services found.\n", lcs("get", "svc").out());
    }

    @Test
    void describeServiceShowsItsUnitAndItsEvents() {
        fake.on("GET /api/v1/services/proxy", 200, PROXY);
        fake.on("GET /api/v1/status", 200, HEALTHY_STATUS);
        fake.on("GET /api/v1/events?after=0&limit=1000", 200, "{\"items\":[{\"seq\":3,\"time\":\"2025-01-01T00:03:00Z\","
                + "\"type\":\"ServiceActive\",\"object\":\"Service/proxy\",\"node\":\"a\",\"message\":\"haproxy.service"
                + " active on a at epoch 7\"}]}");
        Result r = lcs("describe", "service", "proxy");
        assertExit(0, r);
        assertTrue(r.out().startsWith("Name:         proxy\nUnit:         haproxy.service\nPreferred:    <any>\n"
                + "Group:        web (priority 2)\nDependsOn:    web\n"), r.out());
        assertTrue(r.out().contains("ServiceActive   a      haproxy.service active on a at epoch 7"), r.out());
        assertTrue(!r.out().contains("Address:"), r.out());
    }

    @Test
    void deleteServiceDeletesTheServiceNotAVip() {
        fake.on("DELETE /api/v1/services/proxy", 200, "{\"kind\":\"Service\",\"name\":\"proxy\",\"outcome\":\"deleted\"}");
        Result r = lcs("delete", "service", "proxy");
        assertExit(0, r);
        assertEquals("service/proxy deleted\n", r.out());
        assertEquals(List.of("DELETE /api/v1/services/proxy"), fake.requests.stream()
                .filter(q -> q.method().equals("DELETE")).map(q -> q.method() + " " + q.uri()).toList());
    }

    @Test
    void moveWaitOfAServiceFollowsTheService() {
        String onB = PROXY.replace("\"owner\":\"a\",\"epoch\":7", "\"owner\":\"b\",\"epoch\":8");
        fake.on("GET /api/v1/vips/proxy", 404, "{\"code\":\"NOT_FOUND\",\"message\":\"VirtualIP 'proxy' not found\"}");
        fake.on("GET /api/v1/services/proxy", 200, PROXY).on("GET /api/v1/services/proxy", 200, onB);
        fake.on("POST /api/v1/vips/proxy/move", 200, MOVE.replace("\"web\"", "\"proxy\""));
        Result r = lcs("move", "proxy", "--to", "b", "--wait");
        assertExit(0, r);
        assertEquals("service/proxy moved to b (epoch 8)\n", r.out());
    }

    @Test
    void unknownVipIsExit1WithTheDaemonsMessage() {
        fake.on("GET /api/v1/vips/nope", 404, "{\"code\":\"NOT_FOUND\",\"message\":\"VirtualIP 'nope' not found\"}");
        Result r = lcs("get", "vips", "nope");
        assertExit(1, r);
        assertEquals("error: VirtualIP 'nope' not found\n", r.err());
        assertEquals("", r.out());
    }

    // ---- describe -------------------------------------------------------------------------------

    @Test
    void describeVipShowsSpecStatusConditionsAndItsEvents() {
        fake.on("GET /api/v1/vips/web", 200, WEB);
        fake.on("GET /api/v1/status", 200, HEALTHY_STATUS);
        fake.on("GET /api/v1/events?after=0&limit=1000", 200, EVENTS);
        Result r = lcs("describe", "vip", "web");
        assertExit(0, r);
        assertEquals("""
                Name:         web
                Address:      198.18.0.201/24
                Interface:    eth0
                Preferred:    a, b
                Hooks:
                  preStart:   /usr/local/libexec/lcs/web-pre-start
                Created:      2025-01-01T00:00:00Z (5m ago)
                Version:      4
                Status:
                  State:      active
                  Owner:      a
                  Epoch:      11
                  Lease:      3.9s remaining
                  Failovers:  1
                Conditions:
                  TYPE     STATUS   REASON      AGE   MESSAGE
                  Active   True     LeaseHeld   60s   held by a
                Events:
                  AGE   TYPE          NODE   MESSAGE
                  2m    VipAcquired   a      acquired at epoch 11
                """, r.out());
    }

    /** A status whose vip1 lists check "http", failing on node2. */
    static final String CHECKS_STATUS = HEALTHY_STATUS
            .replace("\"name\":\"node2\",\"role\":\"full-member\",\"online\":true,\"self\":false,\"configMatch\":true,\"lastSeenSeconds\":0.4,\"cordoned\":false,\"restarting\":false",
                    "\"name\":\"node2\",\"role\":\"full-member\",\"online\":true,\"self\":false,\"configMatch\":true,\"lastSeenSeconds\":0.4,\"cordoned\":false,\"restarting\":false,"
                    + "\"checks\":[{\"name\":\"http\",\"passing\":false,\"summary\":\"failing 3/3: connection refused\"}]")
            .replace("\"name\":\"node1\",\"role\":\"full-member\",\"online\":true,\"self\":true,\"configMatch\":true,\"cordoned\":false,\"restarting\":false",
                    "\"name\":\"node1\",\"role\":\"full-member\",\"online\":true,\"self\":true,\"configMatch\":true,\"cordoned\":false,\"restarting\":false,"
                    + "\"checks\":[{\"name\":\"http\",\"passing\":true,\"summary\":\"passing\"}]")
            .replace("\"failovers\":1,\"conditions\"", "\"failovers\":1,\"checks\":[\"http\"],\"eligibility\":["
                    + "{\"node\":\"node1\",\"eligible\":true},"
                    + "{\"node\":\"node2\",\"eligible\":false,\"reason\":\"check http failing 3/3: connection refused\"}],"
                    + "\"conditions\"")
            .replace("\"stale\":false}", "\"stale\":false,\"checks\":[{\"name\":\"http\",\"type\":\"http\","
                    + "\"target\":\"http://127.0.0.1:8080/healthz\",\"intervalMs\":1000,\"timeoutMs\":500,\"fall\":3,"
                    + "\"rise\":2,\"holdMs\":10000,\"lastDurationSeconds\":0.002}]}");

    @Test
    void statusShowsEachNodesChecksCompactly() {
        fake.on("GET /api/v1/status", 200, CHECKS_STATUS);
        Result r = lcs("status");
        assertExit(0, r);
        assertTrue(r.out().contains("  node1 role=full-member online=yes checks=http:ok (self)\n"), r.out());
        assertTrue(r.out().contains("  node2 role=full-member online=yes checks=http:FAIL\n"), r.out());
    }

    @Test
    void describeVipSaysPerNodeWhyItIsOrIsNotEligible() {
        fake.on("GET /api/v1/vips/vip1", 200, WEB.replace("\"name\":\"web\"", "\"name\":\"vip1\""));
        fake.on("GET /api/v1/events?after=0&limit=1000", 200, EVENTS);
        fake.on("GET /api/v1/status", 200, CHECKS_STATUS);
        Result r = lcs("describe", "vip", "vip1");
        assertExit(0, r);
        assertTrue(r.out().contains("""
                Checks:       http
                Eligible nodes:
                  node1: eligible
                  node2: not eligible: check http failing 3/3: connection refused
                """), r.out());
    }

    @Test
    void getChecksListsEachCheckOnEachNodeThatRunsIt() {
        fake.on("GET /api/v1/status", 200, CHECKS_STATUS);
        Result r = lcs("get", "checks");
        assertExit(0, r);
        assertEquals("""
                NAME   TYPE   TARGET                          NODE    STATE
                http   http   http://127.0.0.1:8080/healthz   node1   passing
                http   http   http://127.0.0.1:8080/healthz   node2   failing 3/3: connection refused
                """, r.out());
        Result none = lcs("get", "checks", "db");
        assertExit(0, none);
        assertEquals("No check db.\n", none.out());
    }

    @Test
    void describeSomethingElseIsAUsageError() {
        assertExit(2, lcs("describe", "node", "a"));
    }

    // ---- apply / delete -------------------------------------------------------------------------

    @Test
    void applySendsTheFileAsIsAndPrintsEachOutcome() throws Exception {
        Path f = dir.resolve("vips.yaml");
        String text = "apiVersion: lcs/v1\nkind: VirtualIP\nmetadata:\n  name: web\n# comment kept\n";
        Files.writeString(f, text);
        fake.on("POST /api/v1/apply", 200, "{\"results\":[{\"kind\":\"VirtualIP\",\"name\":\"web\",\"outcome\":\"created\"},"
                + "{\"kind\":\"VirtualIP\",\"name\":\"db\",\"outcome\":\"unchanged\"}]}");
        Result r = lcs("apply", "-f", f.toString());
        assertExit(0, r);
        assertEquals("virtualip/web created\nvirtualip/db unchanged\n", r.out());
        assertEquals(text, fake.requests.get(0).body());
        assertEquals("application/yaml", fake.requests.get(0).contentType());
        assertEquals("/api/v1/apply?source=" + java.net.URLEncoder.encode(f.toString(), StandardCharsets.UTF_8),
                fake.requests.get(0).uri(), "lcsd is told the file's name, so that its errors can name it");
    }

    @Test
    void applyReadsStandardInput() {
        stdin = "{\"apiVersion\":\"lcs/v1\"}";
        fake.on("POST /api/v1/apply", 200, "{\"results\":[{\"kind\":\"VirtualIP\",\"name\":\"web\",\"outcome\":\"configured\"}]}");
        Result r = lcs("apply", "-f", "-");
        assertExit(0, r);
        assertEquals("virtualip/web configured\n", r.out());
        assertEquals(stdin, fake.requests.get(0).body());
        assertEquals("/api/v1/apply?source=%3Cstdin%3E", fake.requests.get(0).uri());
    }

    @Test
    void invalidManifestIsExit1PrintingDocumentAndField() throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "apiVersion: lcs/v1\n");
        fake.on("POST /api/v1/apply", 400, "{\"code\":\"INVALID\",\"message\":\"request body: document 2 "
                + "(VirtualIP web): spec.address: '198.18.0.300/24' is not a valid CIDR\",\"field\":\"spec.address\"}");
        Result r = lcs("apply", "-f", f.toString());
        assertExit(1, r);
        assertEquals("error: request body: document 2 (VirtualIP web): spec.address: '198.18.0.300/24' is not a "
                + "valid CIDR\n", r.err());
    }

    @Test
    void applyOfMissingFileIsExit1NamingIt() {
        Result r = lcs("apply", "-f", dir.resolve("nope.yaml").toString());
        assertExit(1, r);
        assertTrue(r.err().contains("no such file: ") && r.err().contains("nope.yaml"), r.err());
        assertTrue(fake.requests.isEmpty());
    }

    @Test
    void deleteVipByName() {
        fake.on("DELETE /api/v1/vips/web", 200, "{\"kind\":\"VirtualIP\",\"name\":\"web\",\"outcome\":\"deleted\"}");
        Result r = lcs("delete", "vip", "web");
        assertExit(0, r);
        assertEquals("virtualip/web deleted\n", r.out());
    }

    @Test
    void deleteFromFileReportsMissingObjectsAndExits1() throws Exception {
        Path f = dir.resolve("vips.yaml");
        Files.writeString(f, "kind: VirtualIP\n");
        fake.on("POST /api/v1/delete", 200, "{\"results\":[{\"kind\":\"VirtualIP\",\"name\":\"web\",\"outcome\":\"deleted\"},"
                + "{\"kind\":\"VirtualIP\",\"name\":\"db\",\"outcome\":\"notFound\"}]}");
        Result r = lcs("delete", "-f", f.toString());
        assertExit(1, r);
        assertEquals("virtualip/web deleted\n", r.out());
        assertEquals("error: virtualip/db not found\n", r.err());
    }

    @Test
    void deleteNeedsExactlyOneWayToNameObjects() {
        assertExit(2, lcs("delete"));
        assertExit(2, lcs("delete", "node", "a"));
        assertExit(2, lcs("delete", "vip", "web", "-f", "x.yaml"));
    }

    // ---- move / ack / node actions --------------------------------------------------------------

    static final String MOVE = "{\"apiVersion\":\"lcs/v1\",\"kind\":\"Move\",\"metadata\":{\"name\":\"web\"},"
            + "\"spec\":{\"vip\":\"web\",\"to\":\"b\",\"fromEpoch\":11}}";

    @Test
    void moveRequestsTheTarget() {
        fake.on("POST /api/v1/vips/web/move", 200, MOVE);
        Result r = lcs("move", "web", "--to", "b");
        assertExit(0, r);
        assertEquals("virtualip/web move to b requested\n", r.out());
        assertEquals("{\"to\":\"b\"}", fake.requests.get(0).body());
    }

    @Test
    void moveWaitPollsUntilTheTargetOwnsTheVip() {
        String onB = WEB.replace("\"owner\":\"a\",\"epoch\":11", "\"owner\":\"b\",\"epoch\":12");
        String releasing = WEB.replace("\"state\":\"active\",\"owner\":\"a\"", "\"state\":\"pending\",\"owner\":\"a\"");
        fake.on("GET /api/v1/vips/web", 200, WEB).on("GET /api/v1/vips/web", 200, releasing)
                .on("GET /api/v1/vips/web", 200, onB);
        fake.on("POST /api/v1/vips/web/move", 200, MOVE);
        Result r = lcs("move", "web", "--to", "b", "--wait");
        assertExit(0, r);
        assertEquals("virtualip/web moved to b (epoch 12)\n", r.out());
    }

    @Test
    void moveWaitGivesUpAfterTheTimeoutWithExit1() {
        fake.on("GET /api/v1/vips/web", 200, WEB);
        fake.on("POST /api/v1/vips/web/move", 200, MOVE);
        long start = System.nanoTime();
        Result r = lcs("move", "web", "--to", "b", "--wait", "--timeout", "200ms");
        assertExit(1, r);
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() < 5000);
        assertTrue(r.err().contains("timed out after 0.2s") && r.err().contains("state active on a, epoch 11"), r.err());
    }

    @Test
    void badTimeoutIsAUsageError() {
        Result r = lcs("move", "web", "--wait", "--timeout", "forever");
        assertExit(2, r);
        assertTrue(r.err().contains("not a duration"), r.err());
    }

    @Test
    void ackAcknowledgesTheConflict() {
        fake.on("POST /api/v1/vips/web/ack", 200, "{\"apiVersion\":\"lcs/v1\",\"kind\":\"ConflictAck\","
                + "\"metadata\":{\"name\":\"web\"},\"spec\":{\"vip\":\"web\",\"epoch\":12}}");
        Result r = lcs("ack", "web");
        assertExit(0, r);
        assertEquals("virtualip/web conflict acknowledged (epoch 12)\n", r.out());
    }

    @Test
    void ackOfAVipNotInConflictIsExit1() {
        fake.on("POST /api/v1/vips/web/ack", 409, "{\"code\":\"CONFLICT\",\"message\":\"VirtualIP 'web' is not in conflict\"}");
        Result r = lcs("ack", "web");
        assertExit(1, r);
        assertEquals("error: VirtualIP 'web' is not in conflict\n", r.err());
    }

    @ParameterizedTest
    @CsvSource({"cordon,cordoned", "uncordon,uncordoned", "drain,drained"})
    void nodeActionsPostAndReport(String verb, String outcome) {
        fake.on("POST /api/v1/nodes/b/" + verb, 200, "{\"kind\":\"Node\",\"name\":\"b\",\"outcome\":\"" + outcome + "\"}");
        Result r = lcs(verb, "b");
        assertExit(0, r);
        assertEquals("node/b " + outcome + "\n", r.out());
    }

    @Test
    void unknownNodeIsExit1() {
        fake.on("POST /api/v1/nodes/zz/cordon", 404, "{\"code\":\"NOT_FOUND\",\"message\":\"node 'zz' not found\"}");
        Result r = lcs("cordon", "zz");
        assertExit(1, r);
        assertEquals("error: node 'zz' not found\n", r.err());
    }

    // ---- version / completion -------------------------------------------------------------------

    @Test
    void versionPrintsClientAndServer() {
        fake.on("GET /api/v1/version", 200, "{\"version\":\"0.1.0\"}");
        Result r = lcs("version");
        assertExit(0, r);
        assertEquals("Client Version: " + Lcs.clientVersion() + "\nServer Version: 0.1.0\n", r.out());
    }

    @Test
    void completionScriptsForBashAndZsh() {
        Result bash = lcs("completion", "bash");
        assertExit(0, bash);
        assertTrue(bash.out().contains("complete -F") && bash.out().contains("apply"), bash.out());
        Result zsh = lcs("completion", "zsh");
        assertExit(0, zsh);
        assertTrue(zsh.out().startsWith("autoload -U +X compinit && compinit\n"), zsh.out());
        assertExit(2, lcs("completion", "fish"));
        assertTrue(fake.requests.isEmpty(), "completion needs no daemon");
    }

    // ---- the C lcs's CLI: -j shapes, nrpe, resource verbs, -s, --version, reload -------------------

    /** node2 recovering, node1 self, node10 quorum-only offline; web grouped with a blocked home, db in conflict, api stopped. */
    static final String C_STATUS = """
            {"cluster":"demo","node":"node1","version":"0.1.0",
             "quorum":{"present":true,"votesSeen":3,"votesNeeded":2,"votesTotal":3,"membershipSeconds":302.7},
             "nodes":[
              {"name":"node2","role":"full-member","online":true,"self":false,"configMatch":true,"cordoned":false,"restarting":true},
              {"name":"node1","role":"full-member","online":true,"self":true,"configMatch":true,"cordoned":false,"restarting":false},
              {"name":"node10","role":"quorum-only","online":false,"self":false,"configMatch":true,"cordoned":false,"restarting":false}],
             "vips":[
              {"name":"web","address":"198.18.0.10/24","interfaceName":"eth0","state":"active","owner":"node1","epoch":11,
               "leaseRemainingSeconds":1.9,"failovers":0,"group":"pair","priority":20,"homeNode":"node2","homeBlocked":true},
              {"name":"db","address":"198.18.0.11/24","interfaceName":"eth0","state":"conflict","epoch":4,"failovers":0,
               "conditions":[{"type":"Conflict","status":"True","reason":"DuplicateAddress",
                              "message":"address 198.18.0.11/24 answered elsewhere at epoch 4; check the network, then run: lcs ack db"}]},
              {"name":"api","address":"198.18.0.12/24","interfaceName":"eth0","state":"stopped","epoch":2,"failovers":0,
               "disabled":true,"conditions":[{"type":"Running","status":"False","reason":"StoppedByOperator","message":"stopped"}]}],
             "stale":false}
            """;

    static final String C_STATUS_JSON = "{\"cluster\":{\"quorum\":true,\"votes_seen\":3,\"quorum_needed\":2,"
            + "\"membership_seconds\":302},"
            + "\"nodes\":[{\"id\":0,\"name\":\"node1\",\"role\":\"full-member\",\"state\":\"online\",\"self\":true},"
            + "{\"id\":1,\"name\":\"node10\",\"role\":\"quorum-only\",\"state\":\"offline\",\"self\":false},"
            + "{\"id\":2,\"name\":\"node2\",\"role\":\"full-member\",\"state\":\"recovering\",\"self\":false}],"
            + "\"resources\":[{\"id\":0,\"name\":\"api\",\"type\":\"vip\",\"state\":\"stopped\",\"owner\":null,\"epoch\":2,"
            + "\"lease_id\":2,\"address\":\"198.18.0.12/24\",\"interface\":\"eth0\",\"disabled\":true},"
            + "{\"id\":1,\"name\":\"db\",\"type\":\"vip\",\"state\":\"conflict\",\"owner\":null,\"epoch\":4,\"lease_id\":4,"
            + "\"address\":\"198.18.0.11/24\",\"interface\":\"eth0\",\"disabled\":false,\"reason\":\"address 198.18.0.11/24"
            + " answered elsewhere at epoch 4; check the network, then run: lcs ack db\"},"
            + "{\"id\":2,\"name\":\"web\",\"type\":\"vip\",\"state\":\"active\",\"owner\":\"node1\",\"epoch\":11,"
            + "\"lease_id\":11,\"address\":\"198.18.0.10/24\",\"interface\":\"eth0\",\"group\":\"pair\",\"priority\":20,"
            + "\"home_node\":\"node2\",\"home_blocked\":true,\"disabled\":false}]}\n";

    @Test
    void statusJsonHasTheCLcsShapeFieldByFieldWithTheOptionBeforeOrAfterTheVerb() {
        fake.on("GET /api/v1/status", 200, C_STATUS);
        for (String[] args : new String[][] {{"status", "-j"}, {"status", "--json"}, {"-j", "status"},
            {"--json", "status"}}) {
            Result r = lcs(args);
            assertExit(0, r);
            assertEquals(C_STATUS_JSON, r.out(), String.join(" ", args)); // ids: names sorted byte-wise (node10 < node2)
        }
        assertExit(2, lcs("-j", "status", "-o", "json")); // the C shape and lcs's: contradictory
    }

    @Test
    void statusTextHasTheCLcsFieldsWhereTheOriginalShapeLeavesRoom() {
        fake.on("GET /api/v1/status", 200, C_STATUS);
        Result r = lcs("status");
        assertExit(0, r);
        assertEquals("""
                Cluster
                  quorum: yes (3 votes, need 2)
                Nodes
                  node2 role=full-member online=yes state=recovering
                  node1 role=full-member online=yes (self)
                  node10 role=quorum-only online=no state=offline
                VIPs
                  web 198.18.0.10/24 dev=eth0 state=active owner=node1 epoch=11 group=pair priority=20 home=node2 blocked=yes
                  db 198.18.0.11/24 dev=eth0 state=conflict owner=- epoch=4
                    conflict: address 198.18.0.11/24 answered elsewhere at epoch 4; check the network, then run: lcs ack db
                  api 198.18.0.12/24 dev=eth0 state=stopped owner=- epoch=2 disabled=yes
                    Running=False reason=StoppedByOperator: stopped
                """, r.out());
        Result wide = lcs("status", "-o", "wide");
        assertExit(0, wide);
        assertTrue(wide.out().contains("  quorum: yes (3 votes, need 2, membership for 5m 02s)\n"), wide.out());
        assertTrue(wide.out().contains("  node1 role=full-member online=yes state=online (self)\n"), wide.out());
    }

    @Test
    void aServiceIsShownWithItsUnitInEveryShape() throws Exception {
        String status = C_STATUS.replace("\"vips\":[", "\"vips\":[{\"name\":\"proxy\",\"type\":\"service\","
                + "\"systemdUnit\":\"haproxy.service\",\"state\":\"active\",\"owner\":\"node2\",\"epoch\":5,"
                + "\"failovers\":0},");
        fake.on("GET /api/v1/status", 200, status);
        Result text = lcs("status");
        assertTrue(text.out().contains("\n  proxy type=service unit=haproxy.service state=active owner=node2 epoch=5\n"),
                text.out());
        Result json = lcs("-j", "status");
        assertTrue(json.out().contains("{\"id\":2,\"name\":\"proxy\",\"type\":\"service\",\"state\":\"active\","
                + "\"owner\":\"node2\",\"epoch\":5,\"lease_id\":5,\"systemd_unit\":\"haproxy.service\",\"disabled\":false}"),
                json.out());
        assertEquals("proxy type=service state=active owner=node2 unit=haproxy.service",
                CLcsShapes.resourceLine(StatusReply.read(Replies.LENIENT.readTree(status)).vips().get(0)));
    }

    @Test
    void durationsAreWrittenAsTheCLcsWritesThem() {
        assertEquals("0s", CLcsShapes.duration(0));
        assertEquals("59s", CLcsShapes.duration(59));
        assertEquals("1m 00s", CLcsShapes.duration(60));
        assertEquals("1h 02m 03s", CLcsShapes.duration(3723));
        assertEquals("2d 03h 04m 05s", CLcsShapes.duration(2 * 86_400 + 3 * 3600 + 4 * 60 + 5));
    }

    /** {@link #HEALTHY_STATUS} with the membership time, as lcsd sends it. */
    static final String NRPE_HEALTHY = HEALTHY_STATUS.replace("\"votesTotal\":3}", "\"votesTotal\":3,\"membershipSeconds\":75.2}");

    @Test
    void nrpeIsOkForAHealthyCluster() {
        fake.on("GET /api/v1/status", 200, NRPE_HEALTHY);
        Result r = lcs("nrpe");
        assertExit(0, r);
        assertEquals("OK - quorum=yes votes=3/3 need=2 membership_for=1m 15s nodes=3/3 resources=1/1 active\n", r.out());
        Result j = lcs("-j", "nrpe");
        assertExit(0, j);
        assertEquals("{\"state\":\"OK\",\"exit_code\":0,\"quorum\":true,\"votes_seen\":3,\"node_count\":3,"
                + "\"quorum_needed\":2,\"membership_seconds\":75,\"online_nodes\":3,\"active_resources\":1,"
                + "\"resource_count\":1,\"disabled_resources\":0,\"down_resources\":0}\n", j.out());
    }

    @Test
    void nrpeWarnsWhenANodeIsDownOrRecovering() {
        fake.on("GET /api/v1/status", 200, NRPE_HEALTHY.replace(
                "\"name\":\"node3\",\"role\":\"quorum-only\",\"online\":true", "\"name\":\"node3\",\"role\":\"quorum-only\",\"online\":false")
                .replace("\"votesSeen\":3", "\"votesSeen\":2"));
        Result r = lcs("nrpe");
        assertExit(1, r);
        assertEquals("WARNING - quorum=yes votes=2/3 need=2 membership_for=1m 15s nodes=2/3 resources=1/1 active\n", r.out());
        fake.routes.clear();
        fake.on("GET /api/v1/status", 200, NRPE_HEALTHY.replace(
                "\"lastSeenSeconds\":0.4,\"cordoned\":false,\"restarting\":false", "\"lastSeenSeconds\":0.4,\"cordoned\":false,\"restarting\":true"));
        Result recovering = lcs("nrpe");
        assertExit(1, recovering);
        assertTrue(recovering.out().startsWith("WARNING - ") && recovering.out().contains(" nodes=2/3 "), recovering.out());
    }

    @Test
    void nrpeIsCriticalWithoutQuorumOrWithAVipDownButNotForAStoppedOne() {
        fake.on("GET /api/v1/status", 200, NRPE_HEALTHY.replace("\"present\":true", "\"present\":false"));
        Result noQuorum = lcs("nrpe");
        assertExit(2, noQuorum);
        assertTrue(noQuorum.out().startsWith("CRITICAL - quorum=no "), noQuorum.out());

        fake.routes.clear();
        fake.on("GET /api/v1/status", 200, NRPE_HEALTHY.replace("\"state\":\"active\",\"owner\":\"node1\",",
                "\"state\":\"pending\","));
        Result down = lcs("nrpe");
        assertExit(2, down);
        assertEquals("CRITICAL - quorum=yes votes=3/3 need=2 membership_for=1m 15s nodes=3/3 resources=0/1 active"
                + " down=vip1=pending\n", down.out());
        Result downJson = lcs("nrpe", "--json");
        assertExit(2, downJson);
        assertTrue(downJson.out().contains("\"state\":\"CRITICAL\",\"exit_code\":2,") && downJson.out()
                .endsWith("\"disabled_resources\":0,\"down_resources\":1,\"down_detail\":\"vip1=pending\"}\n"), downJson.out());

        fake.routes.clear();
        fake.on("GET /api/v1/status", 200, NRPE_HEALTHY.replace("\"state\":\"active\",\"owner\":\"node1\",",
                "\"state\":\"stopped\",\"disabled\":true,"));
        Result stopped = lcs("nrpe");
        assertExit(0, stopped);
        assertEquals("OK - quorum=yes votes=3/3 need=2 membership_for=1m 15s nodes=3/3 resources=0/1 active"
                + " disabled=1\n", stopped.out());
    }

    @Test
    void nrpeIsUnknownWhenTheDaemonCannotBeReached() throws Exception {
        int closedPort = closedPort();
        Result r = lcsAt("http://127.0.0.1:" + closedPort, "nrpe");
        assertExit(3, r);
        assertTrue(r.out().startsWith("UNKNOWN - cannot reach lcsd at http://127.0.0.1:" + closedPort), r.out());
        Result j = lcsAt("http://127.0.0.1:" + closedPort, "nrpe", "-j");
        assertExit(3, j);
        assertTrue(j.out().startsWith("{\"state\":\"UNKNOWN\",\"ok\":false,\"message\":\"cannot reach lcsd at "), j.out());
    }

    @Test
    void resourceListPrintsTheCLcsLinesAndJson() {
        fake.on("GET /api/v1/status", 200, C_STATUS);
        Result r = lcs("resource", "list");
        assertExit(0, r);
        assertEquals("""
                api type=vip state=stopped owner=- address=198.18.0.12/24 dev=eth0 disabled=yes
                db type=vip state=conflict owner=- address=198.18.0.11/24 dev=eth0 reason="address 198.18.0.11/24 answered elsewhere at epoch 4; check the network, then run: lcs ack db"
                web type=vip state=active owner=node1 address=198.18.0.10/24 dev=eth0 group=pair priority=20 home=node2 home_blocked=yes
                """, r.out());
        Result j = lcs("resource", "list", "-j");
        assertExit(0, j);
        assertEquals("{\"resources\":[{\"name\":\"api\",\"type\":\"vip\",\"state\":\"stopped\",\"owner\":null,"
                + "\"address\":\"198.18.0.12/24\",\"interface\":\"eth0\",\"disabled\":true},"
                + "{\"name\":\"db\",\"type\":\"vip\",\"state\":\"conflict\",\"owner\":null,\"address\":\"198.18.0.11/24\","
                + "\"interface\":\"eth0\",\"disabled\":false,\"reason\":\"address 198.18.0.11/24 answered elsewhere at"
                + " epoch 4; check the network, then run: lcs ack db\"},"
                + "{\"name\":\"web\",\"type\":\"vip\",\"state\":\"active\",\"owner\":\"node1\",\"address\":\"198.18.0.10/24\","
                + "\"interface\":\"eth0\",\"disabled\":false,\"group\":\"pair\",\"priority\":20,\"home_node\":\"node2\","
                + "\"home_blocked\":true}]}\n", j.out());
    }

    @Test
    void moveTakesTheNodeAsSecondArgumentAsTheCLcsDoes() {
        fake.on("POST /api/v1/vips/web/move", 200, MOVE);
        for (String[] args : new String[][] {{"move", "web", "b"}, {"resource", "move", "web", "b"},
            {"-s", "/run/lcs/lcsd.sock", "resource", "move", "web", "b", "--socket", "/x.sock"}}) {
            int before = fake.requests.size();
            Result r = lcs(args);
            assertExit(0, r);
            assertEquals("virtualip/web move to b requested\n", r.out(), String.join(" ", args));
            assertEquals("{\"to\":\"b\"}", fake.requests.get(before).body());
        }
        Result both = lcs("move", "web", "b", "--to", "c");
        assertExit(2, both);
        assertTrue(both.err().contains("two targets"), both.err());
    }

    @Test
    void resourceStartStopAndClearConflictAreLcsStartStopAndAck() {
        fake.on("POST /api/v1/vips/web/stop", 200, "{\"kind\":\"VirtualIP\",\"name\":\"web\",\"outcome\":\"stopped\"}");
        fake.on("POST /api/v1/vips/web/start", 200, "{\"kind\":\"VirtualIP\",\"name\":\"web\",\"outcome\":\"started\"}");
        fake.on("POST /api/v1/vips/web/ack", 200, "{\"apiVersion\":\"lcs/v1\",\"kind\":\"ConflictAck\","
                + "\"metadata\":{\"name\":\"web\"},\"spec\":{\"vip\":\"web\",\"epoch\":12}}");
        assertEquals("virtualip/web stopped (runs nowhere until lcs start web)\n", lcs("resource", "stop", "web").out());
        assertEquals("virtualip/web started\n", lcs("resource", "start", "web").out());
        Result ack = lcs("resource", "clear-conflict", "web");
        assertExit(0, ack);
        assertEquals("virtualip/web conflict acknowledged (epoch 12)\n", ack.out());
        Result j = lcs("-j", "resource", "stop", "web");
        assertExit(0, j);
        assertEquals("{\"ok\":true,\"message\":\"virtualip/web stopped (runs nowhere until lcs start web)\"}\n", j.out());
        assertEquals(List.of("/api/v1/vips/web/stop", "/api/v1/vips/web/start", "/api/v1/vips/web/ack",
                "/api/v1/vips/web/stop"), fake.requests.stream().map(FakeAdminServer.Request::uri).toList());
    }

    @Test
    void clearConflictOfAVipNotInConflictIsExit0AsInTheCLcsButAckStaysAnError() {
        fake.on("POST /api/v1/vips/web/ack", 409, "{\"code\":\"CONFLICT\",\"message\":\"VirtualIP 'web' is not in conflict\"}");
        Result r = lcs("resource", "clear-conflict", "web");
        assertExit(0, r);
        assertEquals("virtualip/web is not in conflict state\n", r.out());
        assertExit(1, lcs("ack", "web"));
        fake.on("POST /api/v1/vips/zz/ack", 404, "{\"code\":\"NOT_FOUND\",\"message\":\"VirtualIP 'zz' not found\"}");
        assertExit(1, lcs("resource", "clear-conflict", "zz"));
    }

    @Test
    void aFailedChangeWithJsonPrintsOkFalseOnStdout() {
        fake.on("POST /api/v1/vips/zz/stop", 404, "{\"code\":\"NOT_FOUND\",\"message\":\"VirtualIP 'zz' not found\"}");
        Result r = lcs("-j", "resource", "stop", "zz");
        assertExit(1, r);
        assertEquals("{\"ok\":false,\"message\":\"VirtualIP 'zz' not found\"}\n", r.out());
        fake.on("POST /api/v1/vips/web/move", 503, "{\"code\":\"NO_QUORUM\",\"message\":\"no quorum: 1 of 3 votes, need 2\"}");
        Result noQuorum = lcs("move", "web", "b", "--json");
        assertExit(3, noQuorum);
        assertEquals("{\"ok\":false,\"message\":\"no quorum: 1 of 3 votes, need 2\"}\n", noQuorum.out());
    }

    @Test
    void socketOptionWithAUrlIsTheServerAndWithAPathIsIgnored() throws Exception {
        int closedPort = closedPort();
        fake.on("GET /api/v1/status", 200, HEALTHY_STATUS);
        Result viaUrl = lcsAt("http://127.0.0.1:" + closedPort, "-s", fake.url(), "status");
        assertExit(0, viaUrl);
        assertEquals(ORIGINAL_OUTPUT, viaUrl.out());
        Result viaPath = lcs("status", "-s", "/run/lcs/lcsd.sock");
        assertExit(0, viaPath);
        assertEquals(ORIGINAL_OUTPUT, viaPath.out());
    }

    @Test
    void versionOptionPrintsTheClientVersionAsTextOrJson() {
        for (String opt : List.of("--version", "-V")) {
            Result r = lcs(opt);
            assertExit(0, r);
            assertEquals("lcs " + Lcs.clientVersion() + "\n", r.out());
        }
        Result j = lcs("-j", "--version");
        assertExit(0, j);
        assertEquals("{\"version\":\"" + Lcs.clientVersion() + "\"}\n", j.out());
        assertTrue(fake.requests.isEmpty(), "--version does not ask the daemon");
    }

    @Test
    void reloadAsksTheDaemonAndReportsWhatChangedOrWhyNot() {
        fake.on("POST /api/v1/reload", 200, "{\"outcome\":\"applied\",\"messages\":[\"VIPs added [db], removed [],"
                + " changed []; unchanged VIPs stay where they are\"]}");
        Result r = lcs("reload");
        assertExit(0, r);
        assertEquals("reload applied: VIPs added [db], removed [], changed []; unchanged VIPs stay where they are\n",
                r.out());
        fake.routes.clear();
        fake.on("POST /api/v1/reload", 400, "{\"code\":\"INVALID\",\"message\":\"reload refused: lcs.conf:3: lease_ms"
                + " changed from 2000 to 3000; restart lcsd to apply these changes\"}");
        Result refused = lcs("reload");
        assertExit(1, refused);
        assertEquals("error: reload refused: lcs.conf:3: lease_ms changed from 2000 to 3000; restart lcsd to apply"
                + " these changes\n", refused.err());
    }

    // ---- failures common to all verbs -----------------------------------------------------------

    @Test
    void unreachableDaemonIsExit3NamingTheUrlAndWhatToCheck() throws Exception {
        int closedPort = closedPort();
        Result r = lcsAt("http://127.0.0.1:" + closedPort, "status");
        assertExit(3, r);
        assertTrue(r.err().startsWith("error: cannot reach lcsd at http://127.0.0.1:" + closedPort
                + " (connection refused): is lcsd running? check `systemctl status lcsd`"), r.err());
        assertTrue(r.err().contains("admin_bind/admin_port in /etc/lcs/lcs.conf"), r.err());
    }

    @Test
    void versionStillPrintsTheClientVersionWhenTheDaemonIsDown() throws Exception {
        int closedPort = closedPort();
        Result r = lcsAt("http://127.0.0.1:" + closedPort, "version");
        assertExit(3, r);
        assertTrue(r.out().startsWith("Client Version: "), r.out());
    }

    @Test
    void noQuorumIsExit3() {
        fake.on("POST /api/v1/vips/web/move", 503, "{\"code\":\"NO_QUORUM\",\"message\":\"no quorum: 1 of 3 votes, need 2\"}");
        Result r = lcs("move", "web");
        assertExit(3, r);
        assertEquals("error: no quorum: 1 of 3 votes, need 2\n", r.err());
    }

    @Test
    void nonJsonErrorReplyIsReportedWithItsStatus() {
        fake.routes.clear();
        fake.on("GET /api/v1/status", 502, "");
        fake.routes.get("GET /api/v1/status").clear();
        fake.routes.get("GET /api/v1/status").add(new FakeAdminServer.Reply(502, "text/plain", "bad gateway"));
        Result r = lcs("status");
        assertExit(1, r);
        assertTrue(r.err().contains("HTTP 502") && r.err().contains("bad gateway"), r.err());
    }

    @Test
    void usageErrorsAreExit2() {
        assertExit(2, lcs());
        assertExit(2, lcs("frobnicate"));
        assertExit(2, lcs("get"));
        assertExit(2, lcs("get", "pods"));
        assertExit(2, lcs("get", "vips", "-o", "xml"));
        assertExit(2, lcs("move"));
        assertExit(2, lcs("get", "vips", "bad name"));
        assertTrue(fake.requests.isEmpty(), "usage errors must not reach the daemon");
    }

    @Test
    void helpIsExit0() {
        Result r = lcs("--help");
        assertExit(0, r);
        assertTrue(r.out().contains("status") && r.out().contains("apply"), r.out());
    }

    @Test
    void helpNamesTheDefaultConfigFileNotNull() {
        for (String[] args : new String[][] {{"--help"}, {"status", "--help"}}) {
            Result r = lcs(args);
            assertExit(0, r);
            assertTrue(r.out().contains("(default: /etc/lcs/lcs.conf)"), r.out());
            assertFalse(r.out().contains("null"), r.out());
        }
    }

    @Test
    void everyVerbTakesHelpAndExits0WithoutCallingTheDaemon() {
        for (String verb : Lcs.VERBS.keySet()) {
            for (String flag : new String[] {"--help", "-h"}) {
                Result r = lcs(verb, flag);
                assertExit(0, r);
                assertTrue(r.out().contains("Usage: lcs " + verb), verb + " " + flag + ":\n" + r.out() + r.err());
            }
        }
        assertTrue(fake.requests.isEmpty(), "help must not reach the daemon: " + fake.requests);
    }

    @Test
    void oneVerbCommandLinesRegisterOnlyThatVerbAndHelpListsEveryVerb() {
        PrintWriter sink = new PrintWriter(new StringWriter());
        Environment env = env(fake.url());
        assertEquals(java.util.Set.of("status"), Lcs.commandLine(sink, sink, env,
                new String[] {"--server", "http://127.0.0.1:1", "status"}).getSubcommands().keySet());
        // an option's value is never taken for the verb, even when it spells one
        assertEquals(java.util.Set.of("status"), Lcs.commandLine(sink, sink, env,
                new String[] {"--config", "get", "--token-file", "move", "status", "--server", "x"})
                .getSubcommands().keySet());
        assertEquals(java.util.Set.of("get"), Lcs.commandLine(sink, sink, env,
                new String[] {"--server=http://127.0.0.1:1", "get", "vips"}).getSubcommands().keySet());
        for (String[] whole : new String[][] {{}, {"--help"}, {"-V"}, {"frobnicate"}, {"completion", "bash"},
                {"--", "status"}, {"--server"}}) {
            assertEquals(Lcs.VERBS.keySet(), Lcs.commandLine(sink, sink, env, whole).getSubcommands().keySet(),
                    () -> String.join(" ", whole));
        }
        Result help = lcs("--help");
        assertExit(0, help);
        for (String verb : Lcs.VERBS.keySet()) {
            assertTrue(help.out().contains("  " + verb + " "), verb + " missing from help:\n" + help.out());
        }
        // a typo's suggestion works as with the whole tree
        Result typo = lcs("stauts");
        assertExit(2, typo);
        assertTrue(typo.err().contains("status"), typo.err());
    }

    @Test
    void tokenFileIsSentAsBearerAndA401ExplainsWhatToDo() throws Exception {
        Path token = dir.resolve("token");
        Files.writeString(token, "0123456789abcdef0123\n");
        fake.on("GET /api/v1/version", 200, "{\"version\":\"0.1.0\"}");
        assertExit(0, lcs("version", "--token-file", token.toString()));
        assertEquals("Bearer 0123456789abcdef0123", fake.requests.get(0).authorization());
        fake.on("GET /api/v1/status", 401, "{\"code\":\"UNAUTHORIZED\",\"message\":\"missing or wrong bearer token\"}");
        Result r = lcs("status");
        assertExit(1, r);
        assertTrue(r.err().contains("no token sent: no token file; pass --token-file"), r.err());
    }

    /** Every verb that changes the cluster, with its arguments. */
    static final List<List<String>> CHANGES = List.of(List.of("apply", "-f", "web.yaml"), List.of("delete", "vip", "web"),
            List.of("move", "web", "--to", "b"), List.of("ack", "web"), List.of("cordon", "b"), List.of("uncordon", "b"),
            List.of("drain", "b"));

    @Test
    void aChangeWhoseTokenFileCannotBeReadIsRefusedAsNeedingRootAndSendsNothing() throws Exception {
        Path unreadable = Files.createDirectory(dir.resolve("admin.token")); // as root, only a directory cannot be read
        Files.writeString(dir.resolve("web.yaml"), "apiVersion: lcs/v1\nkind: VirtualIP\nmetadata:\n  name: web\n");
        for (List<String> verb : CHANGES) {
            verb = verb.stream().map(a -> a.equals("web.yaml") ? dir.resolve(a).toString() : a).toList();
            Result r = lcsIn(envWith((config, explicit) -> new AdminEndpoint(URI.create(fake.url()), unreadable, false,
                    config)), verb.toArray(String[]::new));
            assertExit(1, r);
            assertTrue(r.err().startsWith("error: changing the cluster needs root's authority on this node: run lcs as"
                    + " root (cannot read the admin token " + unreadable), verb + ": " + r.err());
        }
        assertEquals(List.of(), fake.requests, "no request was made");
        // reads go on without the token: lcsd serves them on loopback
        fake.on("GET /api/v1/status", 200, HEALTHY_STATUS);
        Result status = lcsIn(envWith((config, explicit) -> new AdminEndpoint(URI.create(fake.url()), unreadable, false,
                config)), "status");
        assertExit(0, status);
        assertEquals(null, fake.requests.get(0).authorization());
    }

    @Test
    void lcsdsRefusalOfAChangeIsPrintedAsIsWithExit1() {
        Path missing = dir.resolve("admin.token");
        fake.on("POST /api/v1/nodes/b/cordon", 401, "{\"code\":\"UNAUTHORIZED\",\"message\":\"changing the cluster"
                + " needs root's authority on this node: run lcs as root (the admin token /var/lib/lcs/admin.token is"
                + " readable by root only)\"}");
        Result r = lcsIn(envWith((config, explicit) -> new AdminEndpoint(URI.create(fake.url()), missing, false, config)),
                "cordon", "b");
        assertExit(1, r);
        assertEquals("error: changing the cluster needs root's authority on this node: run lcs as root (the admin token"
                + " /var/lib/lcs/admin.token is readable by root only) (no token sent: the admin token " + missing
                + " does not exist)\n", r.err());
    }

    @Test
    void theTokenInTheConfiguredStateDirIsSentWithChanges() throws Exception {
        Path state = Files.createDirectory(dir.resolve("state"));
        Files.writeString(state.resolve("admin.token"), "0123456789abcdef0123456789abcdef\n");
        Path conf = dir.resolve("lcs.conf");
        Files.writeString(conf, LcsConfLocatorTest.CONF.formatted("admin_bind = 127.0.0.1\nadmin_port = "
                + URI.create(fake.url()).getPort() + "\nstate_dir = " + state + "\n"));
        fake.on("POST /api/v1/nodes/b/cordon", 200, "{\"kind\":\"Node\",\"name\":\"b\",\"outcome\":\"cordoned\"}");
        Result r = lcsIn(envWith(new LcsConfLocator()), "--config", conf.toString(), "cordon", "b");
        assertExit(0, r);
        assertEquals("Bearer 0123456789abcdef0123456789abcdef", fake.requests.get(0).authorization());
    }

    @Test
    void unreadableExplicitTokenFileIsExit1() {
        Result r = lcs("--token-file", dir.resolve("missing").toString(), "status");
        assertExit(1, r);
        assertTrue(r.err().contains("cannot use --token-file: the admin token " + dir.resolve("missing") + " does not exist"),
                r.err());
        assertTrue(fake.requests.isEmpty());
    }

    @Test
    void serverOptionWorksBeforeAndAfterTheVerb() {
        fake.on("GET /api/v1/status", 200, HEALTHY_STATUS);
        String[][] variants = {{"--server", fake.url(), "status"}, {"status", "--server", fake.url()}};
        for (String[] args : variants) {
            Result r = lcsAt("http://127.0.0.1:1", args);
            assertExit(0, r);
            assertEquals(ORIGINAL_OUTPUT, r.out());
        }
        assertExit(2, lcsAt("http://127.0.0.1:1", "status", "--server", "ftp://x"));
        assertFalse(fake.requests.isEmpty());
    }

    @Test
    void configFileNamesTheDaemonAndItsTokenFile() throws Exception {
        Path token = dir.resolve("token");
        Files.writeString(token, "0123456789abcdef0123\n");
        Path conf = dir.resolve("lcs.conf");
        Files.writeString(conf, LcsConfLocatorTest.CONF.formatted("admin_bind = 127.0.0.1\nadmin_port = "
                + URI.create(fake.url()).getPort() + "\nadmin_token_file = " + token + "\n"));
        fake.on("GET /api/v1/status", 200, HEALTHY_STATUS);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Environment real = new Environment(new ByteArrayInputStream(new byte[0]), Clock.fixed(NOW, ZoneOffset.UTC),
                System::nanoTime, Duration.ofMillis(5), new LcsConfLocator());
        int exit = Lcs.run(new String[] {"--config", conf.toString(), "status"}, new PrintWriter(out),
                new PrintWriter(err), real);
        assertEquals(0, exit, err.toString());
        assertEquals(ORIGINAL_OUTPUT, out.toString());
        assertEquals("Bearer 0123456789abcdef0123", fake.requests.get(0).authorization());
    }

    @Test
    void aConfigWithErrorsIsExit1PrintingEveryErrorAndSendsNothing() throws Exception {
        Path conf = dir.resolve("lcs.conf");
        Files.writeString(conf, LcsConfLocatorTest.CONF.formatted("admin_port = 0\nadmin_prot = 9121\n"));
        Result r = lcsIn(envWith(new LcsConfLocator()), "--config", conf.toString(), "status");
        assertExit(1, r);
        String[] lines = r.err().split("\n");
        assertEquals("error: cannot find lcsd through " + conf + " (fix it, or pass --server URL):", lines[0]);
        assertTrue(lines[1].startsWith(conf + ":6: admin_port"), r.err());
        assertTrue(lines[2].startsWith(conf + ":7: ") && lines[2].contains("admin_prot"), r.err());
        assertTrue(fake.requests.isEmpty());
    }

    @Test
    void aBrokenDefaultConfigDoesNotStopAnExplicitServer() {
        fake.on("GET /api/v1/status", 200, HEALTHY_STATUS);
        ServerLocator broken = (config, explicit) -> {
            throw new CliException(Lcs.EXIT_ERROR, config + ":3: admin_port = 0 is out of range");
        };
        assertExit(1, lcsIn(envWith(broken), "status"));
        Result r = lcsIn(envWith(broken), "--server", fake.url(), "status");
        assertExit(0, r);
        assertEquals(ORIGINAL_OUTPUT, r.out());
        // ... but a config the user named is needed (for its token file) and so must be right
        Result named = lcsIn(envWith(broken), "--server", fake.url(), "--config", dir.resolve("x.conf").toString(), "status");
        assertExit(1, named);
        assertTrue(named.err().contains("x.conf:3: admin_port = 0"), named.err());
    }

    @Test
    void serverAndTokenFileTogetherDoNotReadTheConfig() throws Exception {
        Path token = dir.resolve("token");
        Files.writeString(token, "0123456789abcdef0123\n");
        fake.on("GET /api/v1/version", 200, "{\"version\":\"0.1.0\"}");
        ServerLocator mustNotBeCalled = (config, explicit) -> {
            throw new AssertionError("lcs.conf read although --server and --token-file were given");
        };
        Result r = lcsIn(envWith(mustNotBeCalled), "version", "--server", fake.url(), "--token-file", token.toString());
        assertExit(0, r);
        assertEquals("Bearer 0123456789abcdef0123", fake.requests.get(0).authorization());
    }

    @Test
    void fieldsANewerDaemonAddsAreIgnoredButKeptInStructuredOutput() {
        String newer = WEB.replace("\"spec\":{", "\"futureTopLevel\":{\"x\":1},\"spec\":{\"futureSpecField\":true,")
                .replace("\"failovers\":1,", "\"failovers\":1,\"futureStatus\":\"s\",");
        fake.on("GET /api/v1/vips/web", 200, newer);
        fake.on("GET /api/v1/status", 200, HEALTHY_STATUS.replace("\"stale\":false", "\"stale\":false,\"futureField\":[1,2]"));
        assertExit(0, lcs("status"));
        Result table = lcs("get", "vip", "web");
        assertExit(0, table);
        assertTrue(table.out().contains("198.18.0.201/24"), table.out());
        Result json = lcs("get", "vip", "web", "-o", "json");
        assertTrue(json.out().contains("\"futureSpecField\" : true"), json.out());
        Result yaml = lcs("get", "vip", "web", "-o", "yaml");
        assertTrue(yaml.out().contains("  futureSpecField: true\n") && yaml.out().contains("futureTopLevel:\n"), yaml.out());
    }

    @Test
    void getEventsAsJsonKeepsTheItemsAsReceived() {
        fake.on("GET /api/v1/events?after=0&limit=1000", 200, EVENTS.replace("\"node\":\"a\",\"message\":\"b is up\"",
                "\"node\":\"a\",\"message\":\"b is up\",\"futureField\":7"));
        Result r = lcs("get", "events", "b", "-o", "json");
        assertExit(0, r);
        assertTrue(r.out().contains("\"futureField\" : 7"), r.out());
        assertFalse(r.out().contains("VirtualIP/web"), r.out());
    }

    @Test
    void aReplyLargerThanTheManifestLimitIsStillRead() {
        // 3000 VIPs with status are more than LcsJson's 1 MiB manifest limit; the reply limit is 32 MiB.
        StringBuilder items = new StringBuilder("{\"items\":[");
        for (int i = 0; i < 3000; i++) {
            items.append(i == 0 ? "" : ",").append(WEB.replace("\"name\":\"web\"", "\"name\":\"web" + i + "\""));
        }
        String body = items.append("]}").toString();
        assertTrue(body.length() > io.lcs.model.codec.LcsJson.MAX_DOCUMENT_BYTES, "test needs a bigger reply");
        fake.on("GET /api/v1/vips", 200, body);
        Result r = lcs("get", "vips");
        assertExit(0, r);
        assertEquals(3001, r.out().split("\n").length);
        assertEquals(io.lcs.model.codec.LcsJson.MAX_DOCUMENT_BYTES, io.lcs.model.codec.LcsJson.json().getFactory()
                .streamReadConstraints().getMaxDocumentLength(), "the CLI's copy must not loosen the shared mapper");
    }

    @Test
    void aMultiLineErrorFromTheDaemonIsPrintedWhole() throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "apiVersion: lcs/v1\n");
        fake.on("POST /api/v1/apply", 400, "{\"code\":\"INVALID\",\"message\":\"request body: document 1 (VirtualIP a): "
                + "spec.address: required\\nrequest body: document 2 (VirtualIP b): spec.interface: required\","
                + "\"field\":\"spec.address\"}");
        Result r = lcs("apply", "-f", f.toString());
        assertExit(1, r);
        assertEquals("error: request body: document 1 (VirtualIP a): spec.address: required\n"
                + "request body: document 2 (VirtualIP b): spec.interface: required\n", r.err());
    }
}
