package io.lcs.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads the {@code -f FILE|-} argument of apply and delete, bounded by the daemon's body limit. */
final class ManifestSource {
    /** 1 MiB: the admin API's body limit; a bigger file would only earn a 413. */
    static final int MAX_BYTES = 1024 * 1024;

    private ManifestSource() {
    }

    static String read(String file, InputStream stdin) {
        try {
            byte[] bytes;
            if (file.equals("-")) {
                bytes = stdin.readNBytes(MAX_BYTES + 1);
            } else {
                Path p = Path.of(file);
                if (Files.isDirectory(p)) {
                    throw new CliException(Lcs.EXIT_ERROR, file + " is a directory; pass one manifest file");
                }
                if (Files.size(p) > MAX_BYTES) {
                    bytes = new byte[MAX_BYTES + 1];
                } else {
                    bytes = Files.readAllBytes(p);
                }
            }
            if (bytes.length > MAX_BYTES) {
                throw new CliException(Lcs.EXIT_ERROR, (file.equals("-") ? "standard input" : file)
                        + " is larger than " + MAX_BYTES + " bytes, the daemon's limit; split it");
            }
            String text = new String(bytes, StandardCharsets.UTF_8);
            if (text.isBlank()) {
                throw new CliException(Lcs.EXIT_ERROR, (file.equals("-") ? "standard input" : file) + " is empty");
            }
            return text;
        } catch (NoSuchFileException e) {
            throw new CliException(Lcs.EXIT_ERROR, "no such file: " + file);
        } catch (IOException e) {
            throw new CliException(Lcs.EXIT_ERROR, "cannot read " + file + ": " + e.getMessage());
        }
    }

    /** How lcsd's errors name the manifest: the file as given, or {@code <stdin>}. */
    static String label(String file) {
        return file.equals("-") ? "<stdin>" : file;
    }

    /** {@code path} with the query that tells lcsd the manifest's name ({@link #label}). */
    static String withSource(String path, String file) {
        return path + "?source=" + java.net.URLEncoder.encode(label(file), StandardCharsets.UTF_8);
    }

    static String contentType(String file) {
        return file.endsWith(".json") ? "application/json" : "application/yaml";
    }
}
