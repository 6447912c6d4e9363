package io.lcs.controller.admin;

import java.nio.file.Path;

/**
 * How the admin API listens.
 *
 * @param bindHost an IP literal (or {@code localhost}); from lcs.conf {@code admin_bind}
 * @param port TCP port, 0 for an ephemeral one (tests); from {@code admin_port}
 * @param tokenFile file holding the bearer token ({@code admin_token_file}), or null
 * @param requireToken demand the token even on a loopback bind (tests; a non-loopback bind always does)
 * @param bodyLimitBytes largest accepted request body; larger gets 413
 * @param maxWatchers concurrent {@code /api/v1/watch} streams; one more gets 503
 * @param keepAliveMillis interval of the SSE keep-alive comment on watch streams
 */
public record AdminConfig(String bindHost, int port, Path tokenFile, boolean requireToken, long bodyLimitBytes,
                          int maxWatchers, long keepAliveMillis) {
    /** The default admin port (the original's metrics port is 9120; admin sits next to it). */
    public static final int DEFAULT_PORT = 9121;
    /** 1 MiB: a manifest of 1,000 VIPs is about 200 KiB. */
    public static final long DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;
    /** 16: watchers are operators' terminals and a few scripts; each holds a connection and a subscription. */
    public static final int DEFAULT_MAX_WATCHERS = 16;
    /** 15 s: under the usual 60 s idle timeout of proxies and of the lcs CLI's watch read timeout. */
    public static final long DEFAULT_KEEP_ALIVE_MILLIS = 15_000;

    public AdminConfig {
        if (bindHost == null || bindHost.isBlank()) {
            throw new IllegalArgumentException("admin bind host is empty");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("admin port " + port + " out of range 0..65535");
        }
        if (bodyLimitBytes < 1 || maxWatchers < 0 || keepAliveMillis < 1) {
            throw new IllegalArgumentException("admin limits must be positive");
        }
    }

    /** Production defaults for the given bind address, port and optional token file. */
    public static AdminConfig of(String bindHost, int port, Path tokenFile) {
        return new AdminConfig(bindHost, port, tokenFile, false, DEFAULT_BODY_LIMIT_BYTES, DEFAULT_MAX_WATCHERS,
                DEFAULT_KEEP_ALIVE_MILLIS);
    }

    public AdminConfig withRequireToken(boolean require) {
        return new AdminConfig(bindHost, port, tokenFile, require, bodyLimitBytes, maxWatchers, keepAliveMillis);
    }

    public AdminConfig withLimits(long bodyLimit, int watchers, long keepAlive) {
        return new AdminConfig(bindHost, port, tokenFile, requireToken, bodyLimit, watchers, keepAlive);
    }
}
