package io.lcs.cli;

import io.lcs.model.config.ClusterConfig;
import io.lcs.model.config.ConfigError;
import io.lcs.model.config.ConfigException;
import io.lcs.model.config.ConfigParser;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@link ServerLocator} of the real CLI: reads lcs.conf and parses it with the daemon's own
 * parser ({@link ConfigParser#parse(String, byte[])}), so the CLI and lcsd never disagree on
 * {@code admin_bind}, {@code admin_port} or {@code admin_token_file}.
 *
 * <p>Contract:
 * <ul>
 *   <li>the token file is {@code admin_token_file}, else {@code state_dir/admin.token} (where lcsd
 *       creates it), as {@link ClusterConfig#adminTokenPath()} says;</li>
 *   <li>a default config file ({@code explicit == false}) that does not exist, or cannot be read
 *       (lcs.conf is often root's only), means {@code http://127.0.0.1:9121} and the default token
 *       file {@value #DEFAULT_TOKEN_FILE}; an explicit one that does not exist is an error;</li>
 *   <li>a file that exists but cannot be read or fails validation is an error (exit 1) listing every
 *       problem as {@code FILE:LINE: message}, as {@code lcsd --check-config} would: the daemon
 *       refuses such a file too, so any address taken from it would be a guess;</li>
 *   <li>a wildcard bind ({@code admin_bind =} empty, or {@code 0.0.0.0}) is reached on
 *       {@code 127.0.0.1}; {@code ::} on {@code ::1} (a socket bound to {@code ::} with
 *       {@code IPV6_V6ONLY} takes no IPv4 connection); an IPv6 address is bracketed in the URL.</li>
 * </ul>
 * It never resolves host names (the parser accepts only IP literals for {@code admin_bind}).
 * Stateless and thread-safe. Callers that do not need the file (an explicit {@code --server} and
 * {@code --token-file}) should not call it, so a broken lcs.conf cannot stop them.
 */
public final class LcsConfLocator implements ServerLocator {
    public static final String DEFAULT_HOST = ConfigParser.DEFAULT_LOOPBACK;
    public static final int DEFAULT_PORT = ConfigParser.DEFAULT_ADMIN_PORT;
    /** Where lcsd keeps the admin token with the default {@code state_dir}. */
    public static final String DEFAULT_TOKEN_FILE = ConfigParser.DEFAULT_STATE_DIR + "/"
            + ClusterConfig.DEFAULT_ADMIN_TOKEN_FILE_NAME;

    @Override
    public AdminEndpoint locate(Path configFile, boolean explicit) {
        // Checked first so a machine without lcs.conf (a workstation with --server) loads no parser.
        if (Files.notExists(configFile)) {
            if (explicit) {
                throw new CliException(Lcs.EXIT_ERROR, "config file " + configFile + " does not exist");
            }
            return new AdminEndpoint(url(DEFAULT_HOST, DEFAULT_PORT), Path.of(DEFAULT_TOKEN_FILE), false, configFile);
        }
        if (!explicit && !Files.isReadable(configFile)) {
            // lcs.conf is usually 0600 root: a non-root user still reaches a daemon on the default
            // address; if it listens elsewhere, the unreachable message names what was tried.
            return new AdminEndpoint(url(DEFAULT_HOST, DEFAULT_PORT), Path.of(DEFAULT_TOKEN_FILE), false, configFile);
        }
        ClusterConfig config;
        try {
            config = read(configFile);
        } catch (ConfigException e) {
            throw new CliException(Lcs.EXIT_ERROR, "cannot find lcsd through " + configFile
                    + " (fix it, or pass --server URL):\n" + e.getMessage());
        }
        return new AdminEndpoint(url(config.adminBind(), config.adminPort()), Path.of(config.adminTokenPath()), false,
                configFile);
    }

    /**
     * Reads {@code file} (at most one byte past the parser's limit, which the parser then refuses)
     * and parses it; a file that cannot be read is reported as the parser reports errors.
     */
    private static ClusterConfig read(Path file) {
        byte[] content;
        try (InputStream in = Files.newInputStream(file)) {
            content = in.readNBytes(ConfigParser.MAX_FILE_BYTES + 1);
        } catch (IOException | SecurityException e) {
            throw new ConfigException(new ConfigError(file.toString(), 0, "cannot read: " + e));
        }
        return ConfigParser.parse(file.toString(), content);
    }

    /**
     * A URL for connecting to an admin API bound to {@code bindAddress} (an IP literal in canonical
     * form, or empty for all addresses): wildcards become loopback, IPv6 gets brackets.
     */
    static URI url(String bindAddress, int port) {
        String host = switch (bindAddress) {
            case "", "0.0.0.0" -> DEFAULT_HOST;
            case "::" -> "::1";
            default -> bindAddress;
        };
        if (host.indexOf(':') >= 0) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + port);
    }
}
