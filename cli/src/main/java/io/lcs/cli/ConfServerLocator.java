package io.lcs.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Interim {@link ServerLocator}: reads only the three admin keys of {@code [cluster]} line by line,
 * with the original's comment rules ({@code #}/{@code ;} on whole lines and after values).
 * An unspecified or wildcard {@code admin_bind} means connect to loopback.
 */
public final class ConfServerLocator implements ServerLocator {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 9121;

    @Override
    public AdminEndpoint locate(Path configFile, boolean explicit) {
        List<String> lines;
        try {
            lines = Files.readAllLines(configFile, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            if (explicit) {
                throw new CliException(Lcs.EXIT_ERROR, "config file " + configFile + " does not exist");
            }
            return new AdminEndpoint(url(DEFAULT_HOST, DEFAULT_PORT), null, false, configFile);
        } catch (IOException e) {
            if (explicit) {
                throw new CliException(Lcs.EXIT_ERROR, "cannot read config file " + configFile + ": " + e.getMessage());
            }
            return new AdminEndpoint(url(DEFAULT_HOST, DEFAULT_PORT), null, false, configFile);
        }
        String host = DEFAULT_HOST;
        int port = DEFAULT_PORT;
        Path token = null;
        String section = "";
        for (int i = 0; i < lines.size(); i++) {
            String line = stripComment(lines.get(i)).strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                section = line.substring(1, line.length() - 1).strip();
                continue;
            }
            int eq = line.indexOf('=');
            if (!section.equals("cluster") || eq < 0) {
                continue;
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            String where = configFile + " line " + (i + 1) + ": ";
            switch (key) {
                case "admin_bind" -> host = value;
                case "admin_port" -> {
                    try {
                        port = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        port = -1;
                    }
                    if (port < 1 || port > 65535) {
                        throw new CliException(Lcs.EXIT_ERROR, where + "admin_port must be 1..65535, got '" + value + "'");
                    }
                }
                case "admin_token_file" -> token = value.isEmpty() ? null : Path.of(value);
                default -> {
                }
            }
        }
        return new AdminEndpoint(url(host, port), token, false, configFile);
    }

    static String stripComment(String line) {
        String t = line.stripLeading();
        if (t.startsWith("#") || t.startsWith(";")) {
            return "";
        }
        int cut = line.length();
        for (char c : new char[] {'#', ';'}) {
            int i = line.indexOf(c);
            if (i >= 0 && i < cut) {
                cut = i;
            }
        }
        return line.substring(0, cut);
    }

    /** A URL for connecting to a bind address: wildcards become loopback, IPv6 gets brackets. */
    static URI url(String bindHost, int port) {
        String h = bindHost.strip();
        if (h.isEmpty() || h.equals("0.0.0.0") || h.equals("*")) {
            h = "127.0.0.1";
        } else if (h.equals("::") || h.equals("[::]")) {
            h = "::1";
        }
        if (h.contains(":") && !h.startsWith("[")) {
            h = "[" + h + "]";
        }
        return URI.create("http://" + h + ":" + port);
    }
}
