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
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Predicate;

/**
 * Blocking HTTP client of the admin API (docs/api.md) on {@link HttpURLConnection}: it loads far
 * fewer classes than {@code java.net.http} and so starts the CLI about twice as fast
 * (docs/architecture.md, "Measured facts").
 * Every call is bounded by connect and read timeouts; error replies become {@link CliException}s
 * with the exit code the contract assigns (3 for NO_QUORUM and an unreachable daemon, 1 otherwise).
 *
 * <p>The admin token (the endpoint's token file, readable by root only) is sent with every request
 * when it can be read. A change (POST, DELETE) needs it: if the file exists but cannot be read (a
 * user other than root), the change is refused here, exit 1, without a request; reads go on
 * without it (the daemon serves them on loopback).
 */
final class AdminClient {
    /** 3 s: lcsd is local or on the LAN; longer only delays the "is lcsd running?" answer. */
    static final int CONNECT_TIMEOUT_MILLIS = 3_000;
    /** 15 s: above the slowest quorum write (a few lease periods), far below a human's patience. */
    static final int READ_TIMEOUT_MILLIS = 15_000;
    /** 60 s: four times the daemon's 15 s keep-alive on watch streams. */
    static final int WATCH_READ_TIMEOUT_MILLIS = 60_000;
    /** 2 more tries of a read whose connection lcsd closed before replying (see {@link #get}). */
    static final int READ_RETRIES = 2;
    /** 100 ms between them: long enough for a flood's oldest connections to be the ones closed next. */
    static final long RETRY_PAUSE_MILLIS = 100;
    /** 32 MiB: bounds what a confused server can make the CLI buffer. */
    static final int MAX_REPLY_BYTES = 32 * 1024 * 1024;

    /** 4 KiB: lcsd refuses a larger token file too; a token is one line. */
    static final int MAX_TOKEN_FILE_BYTES = 4096;
    /** The start of the refusal of a change without root's authority (lcsd's own 401 says the same). */
    static final String ROOT_NEEDED = "changing the cluster needs root's authority on this node";

    private final AdminEndpoint endpoint;
    private String token;
    private String tokenProblem;
    private boolean missingToken;

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
            if (Files.size(f) > MAX_TOKEN_FILE_BYTES) {
                throw new IOException("larger than " + MAX_TOKEN_FILE_BYTES + " bytes");
            }
            token = Files.readString(f, StandardCharsets.UTF_8).strip();
        } catch (NoSuchFileException e) {
            tokenProblem = "the admin token " + f + " does not exist";
            missingToken = true;
        } catch (AccessDeniedException e) {
            tokenProblem = "the admin token " + f + " is readable by root only";
        } catch (IOException e) {
            tokenProblem = "cannot read the admin token " + f + ": " + e.getMessage();
        }
        if (tokenProblem != null && endpoint.tokenFileExplicit()) {
            throw new CliException(Lcs.EXIT_ERROR, "cannot use --token-file: " + tokenProblem);
        }
    }

    /**
     * A change without a token file that exists but cannot be read would only be refused by lcsd:
     * say why here and send nothing.
     */
    private void checkAuthorityToChange() {
        if (token == null && tokenProblem != null && !missingToken) {
            throw new CliException(Lcs.EXIT_ERROR, ROOT_NEEDED + ": run lcs as root (" + tokenProblem + ")");
        }
    }

    URI baseUrl() {
        return endpoint.baseUrl();
    }

    /**
     * A read. Retried (at most {@value #READ_RETRIES} times, {@value #RETRY_PAUSE_MILLIS} ms apart)
     * when lcsd closed the connection before any reply: under a flood of connections it closes
     * those without a request in progress to make room, and a read is safe to send again. Changes
     * are never retried.
     */
    JsonNode get(String path) {
        for (int attempt = 0; ; attempt++) {
            try {
                return send("GET", path, null, null);
            } catch (ClosedBeforeReply e) {
                if (attempt >= READ_RETRIES) {
                    throw unreachable(e.cause);
                }
                try {
                    Thread.sleep(RETRY_PAUSE_MILLIS);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw unreachable(e.cause);
                }
            }
        }
    }

    /** lcsd closed the connection before any byte of a reply (an EOF or reset, not a timeout). */
    private static final class ClosedBeforeReply extends RuntimeException {
        final IOException cause;

        ClosedBeforeReply(IOException cause) {
            super(null, null, false, false);
            this.cause = cause;
        }
    }

    JsonNode post(String path, String body, String contentType) {
        checkAuthorityToChange();
        return send("POST", path, body, contentType);
    }

    JsonNode delete(String path) {
        checkAuthorityToChange();
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
                // Not setFixedLengthStreamingMode: in streaming mode HttpURLConnection hides the body of a
                // 401 (getErrorStream() is null), and that body is lcsd's explanation. Bodies are at most
                // lcsd's 1 MiB limit, so buffering them costs little.
                c.getOutputStream().write(bytes);
            }
            int status;
            try {
                status = c.getResponseCode();
            } catch (SocketException e) {
                // "Unexpected end of file from server", "Connection reset": closed before replying
                boolean connected = !(e instanceof ConnectException) && !(e instanceof NoRouteToHostException);
                if ("GET".equals(method) && connected) {
                    throw new ClosedBeforeReply(e);
                }
                throw e;
            }
            InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
            String text = in == null ? "" : new String(readBounded(in), StandardCharsets.UTF_8);
            if (status >= 400) {
                throw failure(status, text);
            }
            return Replies.parse(text);
        } catch (CliException | ClosedBeforeReply e) {
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
        if (status == 401 && token == null) {
            message += " (no token sent: " + (tokenProblem != null ? tokenProblem
                    : "no token file; pass --token-file or set admin_token_file in " + endpoint.configFile()) + ")";
        }
        if (field != null && !message.contains(field)) {
            message += " (field " + field + ")";
        }
        int exit = "NO_QUORUM".equals(code) || "NOT_READY".equals(code) ? Lcs.EXIT_UNAVAILABLE : Lcs.EXIT_ERROR;
        return new CliException(exit, message, code);
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
