package io.lcs.controller.admin;

import io.lcs.controller.http.HttpLimits;
import io.lcs.model.config.ConsoleMode;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How the admin API listens and whom it serves.
 *
 * @param bindHost an IP literal (or {@code localhost}); from lcs.conf {@code admin_bind}
 * @param port TCP port, 0 for an ephemeral one (tests); from {@code admin_port}
 * @param tokenFile the admin token's file: {@code admin_token_file}, else {@code state_dir/admin.token};
 *     created at start when missing (see {@link AdminToken#loadOrCreate})
 * @param requireToken demand the token on reads too, even on a loopback bind (tests; a non-loopback
 *     bind always does). Changes always need it.
 * @param maxWatchers concurrent {@code /api/v1/watch} streams; one more gets 503 (or, if it carries the
 *     token, replaces the oldest stream opened without it)
 * @param keepAliveMillis interval of the SSE keep-alive comment on watch streams
 * @param http connection, header, idle and body bounds of the HTTP server
 * @param console what the web console ({@code /ui/}) offers; lcs.conf {@code console}
 */
public record AdminConfig(String bindHost, int port, Path tokenFile, boolean requireToken, int maxWatchers,
                          long keepAliveMillis, HttpLimits http, ConsoleMode console) {
    /** The default admin port (the original's metrics port is 9120; admin sits next to it). */
    public static final int DEFAULT_PORT = 9121;
    /** 16: watchers are operators' terminals and a few scripts; each holds a connection and a subscription. */
    public static final int DEFAULT_MAX_WATCHERS = 16;
    /** 15 s: a quarter of the HTTP idle timeout ({@link HttpLimits#IDLE_TIMEOUT_SECONDS}) and of the CLI's watch read timeout. */
    public static final long DEFAULT_KEEP_ALIVE_MILLIS = 15_000;

    public AdminConfig {
        if (bindHost == null || bindHost.isBlank()) {
            throw new IllegalArgumentException("admin bind host is empty");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("admin port " + port + " out of range 0..65535");
        }
        Objects.requireNonNull(tokenFile, "admin token file");
        Objects.requireNonNull(http, "http limits");
        Objects.requireNonNull(console, "console mode");
        if (maxWatchers < 0 || keepAliveMillis < 1) {
            throw new IllegalArgumentException("admin limits must be positive");
        }
    }

    /** Production defaults for the given bind address, port and token file. */
    public static AdminConfig of(String bindHost, int port, Path tokenFile) {
        return new AdminConfig(bindHost, port, tokenFile, false, DEFAULT_MAX_WATCHERS, DEFAULT_KEEP_ALIVE_MILLIS,
                HttpLimits.admin(), ConsoleMode.DEFAULT);
    }

    public AdminConfig withRequireToken(boolean require) {
        return new AdminConfig(bindHost, port, tokenFile, require, maxWatchers, keepAliveMillis, http, console);
    }

    public AdminConfig withWatchers(int watchers, long keepAlive) {
        return new AdminConfig(bindHost, port, tokenFile, requireToken, watchers, keepAlive, http, console);
    }

    public AdminConfig withHttp(HttpLimits limits) {
        return new AdminConfig(bindHost, port, tokenFile, requireToken, maxWatchers, keepAliveMillis, limits, console);
    }

    public AdminConfig withConsole(ConsoleMode mode) {
        return new AdminConfig(bindHost, port, tokenFile, requireToken, maxWatchers, keepAliveMillis, http, mode);
    }

    /** The largest request body accepted (413 beyond). */
    public long bodyLimitBytes() {
        return http.maxBodyBytes();
    }
}
