package io.lcs.cli;

import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Base of the verbs that talk to lcsd: finds the daemon, gives the writers; the verb returns its exit
 * code. A verb may sit under another ({@code lcs resource move}): the options of every level count.
 */
abstract class AdminCommand implements Callable<Integer>, GlobalOptions.WithOptions {
    @Spec
    CommandSpec spec;
    @Mixin
    GlobalOptions options;

    @Override
    public GlobalOptions globalOptions() {
        return options;
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    Environment env() {
        return ((Lcs) spec.root().userObject()).env;
    }

    /** The options of this verb and of the commands above it, merged. */
    GlobalOptions options() {
        return GlobalOptions.of(spec.commandLine());
    }

    /** {@code -j/--json}: the C lcs's JSON shapes. */
    boolean json() {
        return options().json;
    }

    /**
     * What a change prints when it succeeded: {@code message}, or with {@code -j} the C lcs's
     * {@code {"ok":true,"message":...}}.
     */
    void done(String message) {
        if (json()) {
            out().println(Replies.LENIENT.createObjectNode().put("ok", true).put("message", message).toString());
        } else {
            out().println(message);
        }
    }

    /** True for the verbs whose failures print {@code {"ok":false,"message":...}} with {@code -j} (the changes). */
    boolean jsonErrors() {
        return false;
    }

    AdminClient client() {
        GlobalOptions o = options();
        boolean explicitConfig = o.config != null;
        Path config = explicitConfig ? o.config : GlobalOptions.DEFAULT_CONFIG;
        AdminEndpoint found;
        if (o.server == null) {
            found = env().locator().locate(config, explicitConfig);
        } else {
            URI url = serverUrl(o.server);
            // --server replaces the address only; the token file still comes from lcs.conf if it names
            // one. With --token-file too, lcs.conf is not needed at all and is not read. A broken default
            // lcs.conf does not stop --server (the user routed around it); a broken --config does.
            Path tokenFile = null;
            if (o.tokenFile == null) {
                try {
                    tokenFile = env().locator().locate(config, explicitConfig).tokenFile();
                } catch (CliException e) {
                    if (explicitConfig) {
                        throw e;
                    }
                }
            }
            found = new AdminEndpoint(url, tokenFile, false, config);
        }
        if (o.tokenFile != null) {
            found = new AdminEndpoint(found.baseUrl(), o.tokenFile, true, config);
        }
        return new AdminClient(found);
    }

    static URI serverUrl(String text) {
        try {
            URI u = new URI(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
            if (!"http".equals(u.getScheme()) || u.getHost() == null || u.getPort() < 0) {
                throw new CliException(Lcs.EXIT_USAGE, "--server must look like http://HOST:PORT, got '" + text + "'");
            }
            return u;
        } catch (URISyntaxException e) {
            throw new CliException(Lcs.EXIT_USAGE, "--server must look like http://HOST:PORT, got '" + text + "'");
        }
    }

    /** Percent-encodes nothing: names are [A-Za-z0-9_.-] (checked here so a typo is a usage error). */
    static String checkName(String what, String name) {
        String problem = io.lcs.model.Names.problem(name);
        if (problem != null) {
            throw new CliException(Lcs.EXIT_USAGE, what + ": " + problem);
        }
        return name;
    }
}
