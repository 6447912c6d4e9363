package io.lcs.controller.admin;

import io.lcs.model.codec.LcsJson;
import io.lcs.model.config.ConsoleMode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * lcsd's web console (docs/console.md): a single page under {@code /ui/} on the admin API. Its files
 * are a fixed list of resources of this jar, read once into memory when the admin API is built (about
 * 30 KiB; no file system access while serving, nothing extracted to disk), each with a strong {@code
 * ETag} (SHA-256 of its bytes) so a browser revalidates with a 304 instead of downloading it again.
 * The page reads and acts only through the admin API, with its rules (AdminServer's authority):
 * the files themselves hold no cluster data and are served without the token, so a browser can load
 * the page on an API that listens beyond loopback and then ask for the token.
 *
 * <p>Every response under {@code /ui/} carries a Content-Security-Policy that allows only this
 * origin's own scripts, styles, images and connections (no inline script, no framing), {@code
 * X-Frame-Options: DENY}, {@code X-Content-Type-Options: nosniff} and {@code Referrer-Policy:
 * no-referrer}.
 */
final class WebConsole {
    /** Where the console is served. */
    static final String PATH = "/ui/";
    /** The console's files: the jar's resources under this directory. */
    static final String RESOURCES = "io/lcs/console/";
    /** Every file the console has; anything else under {@link #PATH} is a 404. */
    static final List<String> FILES = List.of("index.html", "console.css", "console.js", "api.js", "render.js",
            "icon.svg");
    /** Only this origin's own files and API; no inline code, no framing, no form posts, no base rewrite. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /** One file, its content type and entity tag. */
    record Asset(String contentType, Buffer body, String etag) {
    }

    private final Map<String, Asset> assets;
    private final Buffer settings;

    private WebConsole(Map<String, Asset> assets, Buffer settings) {
        this.assets = assets;
        this.settings = settings;
    }

    /**
     * Reads the console's files from the class path.
     *
     * @param mode {@code read-only} or {@code on} (with {@code off} there is no console)
     * @param readsNeedToken the API wants the token on reads too (a bind beyond loopback)
     * @param tokenFile named by the page when it asks for the token
     * @throws IllegalStateException if a file is missing from the package
     */
    static WebConsole load(ConsoleMode mode, boolean readsNeedToken, Path tokenFile) {
        Map<String, Asset> assets = new LinkedHashMap<>();
        for (String name : FILES) {
            byte[] bytes = resource(name);
            assets.put(name, new Asset(contentType(name), Buffer.buffer(bytes), etag(bytes)));
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("mode", mode.label());
        s.put("readsNeedToken", readsNeedToken);
        s.put("tokenFile", tokenFile.toString());
        try {
            return new WebConsole(assets, Buffer.buffer(LcsJson.json().writeValueAsString(s)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The total size of the console's files in bytes (docs/console.md states it; a test holds it to a bound). */
    int totalBytes() {
        return assets.values().stream().mapToInt(a -> a.body().length()).sum();
    }

    /** True for the paths this class serves (GET without a token, like {@code /healthz}). */
    static boolean isConsolePath(String path) {
        return path != null && (path.equals("/ui") || path.startsWith(PATH));
    }

    void install(Router r) {
        r.get("/ui").handler(ctx -> {
            if (!ctx.request().path().equals("/ui")) {
                ctx.next(); // the router matches "/ui/" here too
                return;
            }
            secure(ctx.response()).setStatusCode(301).putHeader(HttpHeaders.LOCATION, PATH).end();
        });
        r.get(PATH).handler(ctx -> serve(ctx, "index.html"));
        r.get(PATH + "settings.json").handler(ctx -> secure(ctx.response())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json").putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .end(settings));
        r.get(PATH + ":file").handler(ctx -> serve(ctx, ctx.pathParam("file")));
    }

    private void serve(RoutingContext ctx, String name) {
        Asset a = assets.get(name);
        if (a == null) {
            ctx.next(); // the router's 404, in the API's JSON shape
            return;
        }
        HttpServerResponse resp = secure(ctx.response());
        // revalidate every time (an upgraded lcsd serves new files at once), cheap with the ETag
        resp.putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
        ctx.etag(a.etag());
        if (ctx.isFresh()) {
            resp.setStatusCode(304).end();
            return;
        }
        resp.putHeader(HttpHeaders.CONTENT_TYPE, a.contentType()).end(a.body());
    }

    static HttpServerResponse secure(HttpServerResponse resp) {
        return resp.putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .putHeader("X-Frame-Options", "DENY")
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Referrer-Policy", "no-referrer")
                .putHeader("Cross-Origin-Resource-Policy", "same-origin");
    }

    private static byte[] resource(String name) {
        try (InputStream in = WebConsole.class.getClassLoader().getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("web console file " + RESOURCES + name + " is missing from the package");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read web console file " + RESOURCES + name + ": " + e.getMessage(), e);
        }
    }

    private static String contentType(String name) {
        String ext = name.substring(name.lastIndexOf('.') + 1);
        return switch (ext) {
            case "html" -> "text/html; charset=utf-8";
            case "css" -> "text/css; charset=utf-8";
            case "js" -> "text/javascript; charset=utf-8";
            case "svg" -> "image/svg+xml";
            default -> throw new IllegalStateException("no content type for web console file " + name);
        };
    }

    private static String etag(byte[] bytes) {
        try {
            return "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 12) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
