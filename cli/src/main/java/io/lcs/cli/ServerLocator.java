package io.lcs.cli;

import java.nio.file.Path;

/**
 * Finds the admin API from lcs.conf ({@code admin_bind}, {@code admin_port}, {@code admin_token_file}
 * in {@code [cluster]}). The real one is {@link LcsConfLocator}; tests pass a lambda. Called only
 * when the verb needs the file: not with both {@code --server} and {@code --token-file}.
 */
@FunctionalInterface
public interface ServerLocator {
    /**
     * @param configFile the lcs.conf to read
     * @param explicit true when the user named it with {@code --config}: a missing file is then an
     *     error; otherwise a missing default file means the defaults (127.0.0.1:9121, the token in the
     *     default state_dir)
     * @throws CliException (exit 1) naming the file and line of every bad value
     */
    AdminEndpoint locate(Path configFile, boolean explicit);
}
