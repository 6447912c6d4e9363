package io.lcs.controller.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.controller.admin.AdminException;
import io.lcs.controller.admin.ApplyResult;
import io.lcs.core.ClusterCore;
import io.lcs.core.CoreConfig;
import io.lcs.model.api.LcsObject;
import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.ObjectMeta;
import io.lcs.model.api.VirtualIP;
import io.lcs.model.config.ClusterConfig;
import io.lcs.model.config.ConfigParser;
import io.lcs.model.config.NodeConfig;
import io.lcs.model.config.Role;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The admin API's writes against the whole desired state ({@link DaemonBackend} with a real driver
 * and core): a change that would leave two VIPs on one IP, an API VIP over an lcs.conf one, a
 * dangling reference or a hook lcs.conf does not allow is refused with every problem named, and
 * writes nothing.
 */
class DaemonBackendTest {
    private static final String ONE_NODE = """
            [cluster]
            name = demo
            node = a
            secret = 0123456789abcdef
            hook_dirs = /etc/lcs/hooks

            [node a]
            role = full-member
            address = 198.18.0.1

            [vip web]
            address = 198.18.0.100/24
            interface = eth0
            """;
    private final Vertx vertx = Vertx.vertx();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private ClusterCore core;
    private CoreDriver driver;
    private DaemonBackend backend;

    @AfterEach
    void close() {
        vertx.close();
    }

    /** A backend on lcsd's own parts for {@code conf}; with one node it has quorum at the first tick. */
    private void start(String conf) throws Exception {
        ClusterConfig cfg = ConfigParser.parse("lcs.conf", conf);
        List<CoreConfig.Member> members = new ArrayList<>();
        for (NodeConfig n : cfg.nodes()) {
            members.add(new CoreConfig.Member(n.name(), n.role() == Role.FULL_MEMBER));
        }
        core = new ClusterCore(CoreConfig.defaults("a", members, 1L, 2_000, 500), List.of(), Map.of(), now.get(),
                new SecureRandom());
        Context ctx = vertx.getOrCreateContext();
        driver = new CoreDriver(vertx, ctx, core, (o, f, e) -> { }, (p, b) -> true, new EventLog(Clock.systemUTC(), "a"),
                ConfigReload.vipSpecs(cfg.vips()), now::get, System::currentTimeMillis);
        ctx.runOnContext(v -> driver.tick());
        backend = new DaemonBackend(driver, new StatusView("demo", "test", Clock.systemUTC()),
                new EventLog(Clock.systemUTC(), "a"), "test", Clock.systemUTC(), now::get, () -> cfg);
    }

    private static VirtualIP vip(String name, String address, VirtualIP.Hooks hooks) {
        return VirtualIP.of(ObjectMeta.named(name), new VirtualIP.Spec(address, "eth0", null, hooks));
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static AdminException refused(Future<?> f) throws Exception {
        try {
            await(f);
        } catch (ExecutionException e) {
            return assertInstanceOf(AdminException.class, e.getCause());
        }
        throw new AssertionError("accepted");
    }

    @Test
    void applyOfAVipWithTheIpOfAnotherIsRefusedAndWritesNothing() throws Exception {
        start(ONE_NODE);
        List<ApplyResult> created = await(backend.apply(List.of(vip("db", "198.18.0.50/24", null))));
        assertEquals(ApplyResult.Outcome.created, created.get(0).outcome());

        AdminException e = refused(backend.apply(List.of(vip("db2", "198.18.0.50/32", null))));
        assertEquals(AdminException.INVALID, e.code());
        assertEquals("spec.address", e.field());
        assertEquals("request body: document 1 (VirtualIP db2): spec.address: 198.18.0.50/32 is the same IP as"
                + " VirtualIP db (198.18.0.50/24); one IP can be only one VIP", e.getMessage());
        assertEquals(List.of("db", "web"), backend.vips().stream().map(v -> v.metadata().name()).toList());
    }

    @Test
    void problemsOfTheWholeChangeNameTheFileTheClientNamed() throws Exception {
        start(ONE_NODE);
        await(backend.apply(List.of(vip("db", "198.18.0.50/24", null))));
        AdminException e = refused(backend.apply(List.of(vip("db2", "198.18.0.50/32", null)), "vips.yaml"));
        assertTrue(e.getMessage().startsWith("vips.yaml: document 1 (VirtualIP db2): spec.address: "), e.getMessage());
        AdminException d = refused(backend.checkDelete(List.of(new ObjectKey(VirtualIP.KIND, "web")), "old.yaml"));
        assertTrue(d.getMessage().startsWith("old.yaml: document 1 (VirtualIP web): metadata.name: "), d.getMessage());
    }

    @Test
    void vipsKeepTheirVersionAndCreationTimeSoAgeAndVersionCanBeShown() throws Exception {
        java.time.Instant before = java.time.Instant.now().minusSeconds(1);
        start(ONE_NODE);
        await(backend.apply(List.of(vip("db", "198.18.0.50/24", null))));
        VirtualIP db = backend.vip("db").orElseThrow();
        assertEquals(1L, db.metadata().version(), "the replicated object's version");
        assertEquals(1L, db.metadata().generation());
        assertTrue(db.metadata().creationTimestamp() != null && db.metadata().creationTimestamp().isAfter(before),
                String.valueOf(db.metadata().creationTimestamp()));

        await(backend.apply(List.of(vip("db", "198.18.0.51/24", null))));
        VirtualIP changed = backend.vip("db").orElseThrow();
        assertEquals(2L, changed.metadata().version());
        assertEquals(db.metadata().creationTimestamp(), changed.metadata().creationTimestamp(),
                "a change keeps the creation time");

        VirtualIP web = backend.vip("web").orElseThrow();
        assertEquals(null, web.metadata().version(), "an lcs.conf VIP is not replicated: no version");
        assertTrue(web.metadata().creationTimestamp() != null && web.metadata().creationTimestamp().isAfter(before),
                "an lcs.conf VIP was created when lcsd loaded it: " + web.metadata().creationTimestamp());
    }

    @Test
    void aMultiDocumentApplyWithOneBadDocumentWritesNoneOfThem() throws Exception {
        start(ONE_NODE);
        List<LcsObject> manifest = List.of(vip("x", "198.18.0.60/24", null), vip("y", "198.18.0.100/32", null),
                vip("z", "198.18.0.61/24", new VirtualIP.Hooks("/tmp/evil", null, null, null)));
        AdminException e = refused(backend.apply(manifest));
        assertEquals(AdminException.INVALID, e.code());
        String[] lines = e.getMessage().split("\n");
        assertEquals(2, lines.length, e.getMessage());
        assertTrue(lines[0].startsWith("request body: document 2 (VirtualIP y): spec.address: 198.18.0.100/32 is the"
                + " same IP as [vip web] at lcs.conf:12"), lines[0]);
        assertTrue(lines[1].startsWith("request body: document 3 (VirtualIP z): spec.hooks.preStart: '/tmp/evil' is"
                + " not inside the allowed hook directories (/etc/lcs/hooks)"), lines[1]);
        assertEquals(List.of("web"), backend.vips().stream().map(v -> v.metadata().name()).toList(),
                "document 1 was valid but nothing may be written");
    }

    @Test
    void anApiVipNamedLikeAnLcsConfVipIsRefusedAndTheLcsConfVipCannotBeDeleted() throws Exception {
        start(ONE_NODE);
        AdminException e = refused(backend.apply(List.of(vip("web", "198.18.0.100/24", null))));
        assertEquals("metadata.name", e.field());
        assertTrue(e.getMessage().contains("VirtualIP web is defined in lcs.conf ([vip web] at lcs.conf:11)"),
                e.getMessage());
        AdminException d = refused(backend.delete(new ObjectKey(VirtualIP.KIND, "web")));
        assertEquals(AdminException.INVALID, d.code());
        AdminException many = refused(backend.checkDelete(List.of(new ObjectKey(VirtualIP.KIND, "other"),
                new ObjectKey(VirtualIP.KIND, "web"))));
        assertTrue(many.getMessage().startsWith("request body: document 2 (VirtualIP web): metadata.name:"),
                many.getMessage());
    }

    @Test
    void cordoningAQuorumOnlyNodeIsRefused() throws Exception {
        start(ONE_NODE.replace("[vip web]", """
                [node w]
                role = quorum-only
                address = 198.18.0.3

                [vip web]"""));
        AdminException e = refused(backend.cordon("w"));
        assertEquals(AdminException.INVALID, e.code());
        assertEquals("node 'w' is quorum-only and never holds a VIP: cordoning or draining it changes nothing",
                e.getMessage());
        assertEquals(AdminException.INVALID, refused(backend.drain("w")).code());
    }
}
