package io.lcs.controller.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.core.ClusterCore;
import io.lcs.core.CoreConfig;
import io.lcs.model.net.Cidr;
import io.lcs.reconcilers.vip.VipSpec;
import io.vertx.core.Vertx;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link CoreDriver#replaceConfigVips}: a one-node cluster driven by hand (no timers), monotonic time injected. */
class CoreDriverReloadTest {
    private static final long LEASE_MILLIS = 2_000;
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close();
    }

    private static VipSpec vip(String name, String address) {
        return new VipSpec(name, Cidr.parse(address), "eth0", List.of(), null, null, null, null, "config", 0);
    }

    @Test
    void removedVipStopsBeingWantedWhileUnchangedVipKeepsItsLease() {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        CoreConfig cfg = CoreConfig.defaults("a", List.of(new CoreConfig.Member("a", true)), 1L, LEASE_MILLIS, 500);
        ClusterCore core = new ClusterCore(cfg, List.of(), Map.of(), now.get(), new SecureRandom());
        VipSpec web = vip("web", "198.18.0.100/24");
        VipSpec db = vip("db", "198.18.0.101/24");
        CoreDriver driver = new CoreDriver(vertx, vertx.getOrCreateContext(), core, (o, f, e) -> { }, (p, b) -> true,
                new EventLog(Clock.systemUTC(), "a"), List.of(web, db), now::get, System::currentTimeMillis);
        // past the restart wait, with ticks: the only node has quorum and wants both VIPs
        for (int i = 0; i < 200 && !(wanted(driver, "web", now) && wanted(driver, "db", now)); i++) {
            now.addAndGet(25_000_000L);
            driver.tick();
        }
        assertTrue(wanted(driver, "web", now) && wanted(driver, "db", now), "both VIPs wanted before the reload");

        VipSpec added = vip("api", "198.18.0.102/24");
        driver.replaceConfigVips(List.of(web, added));

        assertEquals(List.of("web", "api"), driver.snapshot().vips().stream().map(VipSpec::name).toList());
        assertSame(web, driver.snapshot().vip("web"));
        assertFalse(wanted(driver, "db", now), "a VIP removed from lcs.conf is no longer wanted");
        assertTrue(wanted(driver, "web", now), "an unchanged VIP keeps its lease");
        for (int i = 0; i < 10; i++) {
            now.addAndGet(25_000_000L);
            driver.tick();
        }
        assertTrue(wanted(driver, "api", now), "an added VIP is placed");
        assertTrue(driver.snapshot().lease("web").held(), "the unchanged VIP is still held");
    }

    private static boolean wanted(CoreDriver d, String vip, AtomicLong now) {
        return d.core().lease(vip, now.get()).wanted();
    }
}
