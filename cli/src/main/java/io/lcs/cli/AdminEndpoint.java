package io.lcs.cli;

import java.net.URI;
import java.nio.file.Path;

/**
 * Where the daemon's admin API is and how to authenticate to it.
 *
 * @param baseUrl e.g. {@code http://127.0.0.1:9121}, no trailing slash
 * @param tokenFile file holding the bearer token, or null
 * @param tokenFileExplicit true when the user named the token file with {@code --token-file}: then an
 *     unreadable file is an error, not something to try without
 * @param configFile the lcs.conf it came from (named in the "is lcsd running?" hint)
 */
public record AdminEndpoint(URI baseUrl, Path tokenFile, boolean tokenFileExplicit, Path configFile) {
}
