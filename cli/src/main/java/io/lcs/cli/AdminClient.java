package io.lcs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.NoRouteToHostException;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;

/**
 * Blocking HTTP client of the admin API (docs/api.md) on {@link HttpURLConnection}: it loads far
 * fewer classes than {@code java.net.http} and so starts the CLI about twice as fast
 * (docs/architecture.md, "Measured facts").
 * Every call is bounded by connect and read timeouts; error replies become {@link CliException}s
 * with the exit code the contract assigns (3 for NO_QUORUM and an unreachable daemon, 1 otherwise).
 */
final class AdminClient {
    /** 3 s: lcsd is local or on the LAN; longer only delays the "is lcsd running?" answer. */
    static final int CONNECT_TIMEOUT_MILLIS = 3_000;
    /** 15 s: above the slowest quorum write (a few lease periods), far below a human's patience. */
    static final int READ_TIMEOUT_MILLIS = 15_000;
    /** 60 s: four times the daemon's 15 s keep-alive on watch streams. */
    static final int WATCH_READ_TIMEOUT_MILLIS = 60_000;
    /** 32 MiB: bounds what a confused server can make the CLI buffer. */
    static final int MAX_REPLY_BYTES = 32 * 1024 * 1024;

    private final AdminEndpoint endpoint;
    private String token;
    private String tokenProblem;

    AdminClient(AdminEndpoint endpoint) {
        this.endpoint = endpoint;
        loadToken();
    }

    private void loadToken() {
        Path f = endpoint.tokenFile();
        if (f == null) {
            return;
        }
        try {
            token = Files.readString(f, StandardCharsets.UTF_8).strip();
        } catch (AccessDeniedException e) {
            tokenProblem = "cannot read token file " + f + ": permission denied (run as root or pass --token-file)";
        } catch (IOException e) {
            tokenProblem = "cannot read token file " + f + ": " + e;
        }
        if (tokenProblem != null && endpoint.tokenFileExplicit()) {
            throw new CliException(Lcs.EXIT_ERROR, tokenProblem);
        }
    }

    URI baseUrl() {
        return endpoint.baseUrl();
    }

    JsonNode get(String path) {
        return send("GET", path, null, null);
    }

    JsonNode post(String path, String body, String contentType) {
        return send("POST", path, body, contentType);
    }

    JsonNode delete(String path) {
        return send("DELETE", path, null, null);
    }

    private HttpURLConnection open(String method, String path, int readTimeoutMillis) throws IOException {
        // The admin API is always reached directly: never through an http.proxyHost.
        HttpURLConnection c = (HttpURLConnection) endpoint.baseUrl().resolve(path).toURL().openConnection(Proxy.NO_PROXY);
        c.setRequestMethod(method);
        c.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
        c.setReadTimeout(readTimeoutMillis);
        c.setUseCaches(false);
        c.setInstanceFollowRedirects(false);
        c.setRequestProperty("Accept", "application/json");
        if (token != null) {
            c.setRequestProperty("Authorization", "Bearer " + token);
        }
        return c;
    }

    private JsonNode send(String method, String path, String body, String contentType) {
        HttpURLConnection c = null;
        try {
            c = open(method, path, READ_TIMEOUT_MILLIS);
            if (body != null) {
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                c.setDoOutput(true);
                c.setRequestProperty("Content-Type", contentType);
                c.setFixedLengthStreamingMode(bytes.length);
                c.getOutputStream().write(bytes);
            }
            int status = c.getResponseCode();
            InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
            String text = in == null ? "" : new String(readBounded(in), StandardCharsets.UTF_8);
            if (status >= 400) {
                throw failure(status, text);
            }
            return Replies.parse(text);
        } catch (CliException e) {
            throw e;
        } catch (IOException e) {
            throw unreachable(e);
        } finally {
            if (c != null) {
                c.disconnect();
            }
        }
    }

    /**
     * Reads the server-sent events of {@code path} and hands each {@code data:} payload to
     * {@code onEvent} until it returns false or the server ends the stream.
     */
    void watch(String path, Predicate<JsonNode> onEvent) {
        HttpURLConnection c = null;
        try {
            c = open("GET", path, WATCH_READ_TIMEOUT_MILLIS);
            c.setRequestProperty("Accept", "text/event-stream");
            int status = c.getResponseCode();
            if (status >= 400) {
                InputStream err = c.getErrorStream();
                throw failure(status, err == null ? "" : new String(readBounded(err), StandardCharsets.UTF_8));
            }
            try (BufferedReader r = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8))) {
                StringBuilder data = new StringBuilder();
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    if (line.isEmpty()) {
                        if (data.length() > 0) {
                            if (!onEvent.test(Replies.parse(data.toString()))) {
                                return;
                            }
                            data.setLength(0);
                        }
                    } else if (line.startsWith("data:")) {
                        if (data.length() + line.length() > MAX_REPLY_BYTES) {
                            throw new CliException(Lcs.EXIT_ERROR, "watch event larger than " + MAX_REPLY_BYTES + " bytes");
                        }
                        data.append(line.substring(line.startsWith("data: ") ? 6 : 5));
                    }
                    // "id:", "event:" and ": keep-alive" comments carry nothing the data does not.
                }
            }
        } catch (CliException e) {
            throw e;
        } catch (IOException e) {
            throw unreachable(e);
        } finally {
            if (c != null) {
                c.disconnect();
            }
        }
    }

    private static byte[] readBounded(InputStream in) throws IOException {
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                if (out.size() + n > MAX_REPLY_BYTES) {
                    throw new CliException(Lcs.EXIT_ERROR, "reply from lcsd larger than " + MAX_REPLY_BYTES + " bytes");
                }
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        }
    }

    private CliException failure(int status, String text) {
        String code = null;
        String message = null;
        String field = null;
        try {
            JsonNode n = Replies.parse(text);
            code = n.path("code").asText(null);
            message = n.path("message").asText(null);
            field = n.path("field").asText(null);
        } catch (IOException | RuntimeException e) {
            // not the API's JSON error shape: report the raw reply below
        }
        if (message == null) {
            String raw = text.length() > 200 ? text.substring(0, 200) + "..." : text;
            return new CliException(status == 503 ? Lcs.EXIT_UNAVAILABLE : Lcs.EXIT_ERROR,
                    "HTTP " + status + " from lcsd at " + endpoint.baseUrl() + (raw.isBlank() ? "" : ": " + raw.strip()));
        }
        if (status == 401) {
            message += tokenProblem != null ? " (" + tokenProblem + ")"
                    : token == null ? " (no token sent: pass --token-file or set admin_token_file in "
                            + endpoint.configFile() + ")" : "";
        }
        if (field != null && !message.contains(field)) {
            message += " (field " + field + ")";
        }
        int exit = "NO_QUORUM".equals(code) || "NOT_READY".equals(code) ? Lcs.EXIT_UNAVAILABLE : Lcs.EXIT_ERROR;
        return new CliException(exit, message);
    }

    private CliException unreachable(IOException e) {
        String why = e instanceof ConnectException ? "connection refused"
                : e instanceof SocketTimeoutException ? "timed out"
                : e instanceof UnknownHostException ? "unknown host"
                : e instanceof NoRouteToHostException ? "no route to host" : e.toString();
        return new CliException(Lcs.EXIT_UNAVAILABLE, "cannot reach lcsd at " + endpoint.baseUrl() + " (" + why
                + "): is lcsd running? check `systemctl status lcsd` and admin_bind/admin_port in "
                + endpoint.configFile() + " (or pass --server URL)");
    }
}
