package io.lcs.controller.daemon;

import java.util.logging.LogManager;

/**
 * A JUL {@link LogManager} that keeps its handlers at JVM shutdown: the stock one resets itself in
 * its own shutdown hook, which would swallow what lcsd logs while it releases its VIPs on SIGTERM.
 * Installed by {@link Lcsd} through {@code java.util.logging.manager} before any logger exists.
 */
public final class LcsLogManager extends LogManager {
    private volatile boolean allowReset = true;

    @Override
    public void reset() {
        if (allowReset) {
            super.reset();
        }
    }

    /** Called once logging is configured: from then on, only the JVM's exit ends it. */
    void freeze() {
        allowReset = false;
    }

    static void freezeIfInstalled() {
        if (LogManager.getLogManager() instanceof LcsLogManager m) {
            m.freeze();
        }
    }
}
