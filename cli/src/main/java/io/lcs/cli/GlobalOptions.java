package io.lcs.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Options every verb accepts, before or after the verb ({@code lcs --server U get vips} and
 * {@code lcs get vips --server U}); mixed into the top command and each verb.
 */
public final class GlobalOptions {
    /** Where lcs.conf is when --config is not given (a constant, so that the help can name it). */
    static final String DEFAULT_CONFIG_TEXT = "/etc/lcs/lcs.conf";
    public static final Path DEFAULT_CONFIG = Path.of(DEFAULT_CONFIG_TEXT);

    // No defaultValue: an absent --config must stay null (a missing default file is not an error,
    // a missing explicit one is), so the help names the default itself.
    @Option(names = "--config", paramLabel = "FILE", description = "lcs.conf to read (default: "
            + DEFAULT_CONFIG_TEXT + ")")
    Path config;

    @Option(names = "--server", paramLabel = "URL", description = "admin API URL, e.g. http://127.0.0.1:9121 (overrides lcs.conf)")
    String server;

    @Option(names = "--token-file", paramLabel = "FILE", description = "file holding the admin token (default: lcs.conf's admin_token_file, else "
            + "state_dir/admin.token; readable by root only)")
    Path tokenFile;

    @Option(names = {"-j", "--json"}, description = "JSON output in the C lcs's shapes (status, nrpe, resource list,"
            + " --version; {\"ok\":…,\"message\":…} for changes)")
    boolean json;

    /**
     * The C lcs's control socket. lcs has none: it talks HTTP to lcsd's admin API, found from
     * lcs.conf. A URL here is taken as {@code --server}; a path (e.g. /run/lcs/lcsd.sock) is
     * accepted, so C-lcs scripts run unchanged, and otherwise ignored.
     */
    @Option(names = {"-s", "--socket"}, paramLabel = "PATH", description = "the C lcs's control socket: accepted and"
            + " ignored (lcs reaches lcsd's admin API named in lcs.conf); an http:// URL is taken as --server")
    String socket;

    /** This verb's value where given, else the top command's. */
    static GlobalOptions merge(GlobalOptions verb, GlobalOptions top) {
        GlobalOptions m = new GlobalOptions();
        m.config = verb.config != null ? verb.config : top.config;
        m.server = verb.server != null ? verb.server : top.server;
        m.tokenFile = verb.tokenFile != null ? verb.tokenFile : top.tokenFile;
        m.json = verb.json || top.json;
        m.socket = verb.socket != null ? verb.socket : top.socket;
        if (m.server == null && m.socket != null && m.socket.startsWith("http://")) {
            m.server = m.socket;
        }
        return m;
    }

    /** Every command's options from {@code cl} up to the top one, merged: the innermost given value wins. */
    static GlobalOptions of(picocli.CommandLine cl) {
        GlobalOptions merged = new GlobalOptions();
        for (picocli.CommandLine c = cl; c != null; c = c.getParent()) {
            if (c.getCommand() instanceof WithOptions w && w.globalOptions() != null) {
                merged = merge(merged, w.globalOptions());
            }
        }
        return merged;
    }

    /** A command that mixes these options in. */
    interface WithOptions {
        GlobalOptions globalOptions();
    }
}
