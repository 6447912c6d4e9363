package io.lcs.controller.config;

import io.lcs.model.config.ClusterConfig;
import io.lcs.model.config.ConfigError;
import io.lcs.model.config.ConfigException;
import io.lcs.model.config.ConfigParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Optional;
import java.util.Set;

/**
 * The file side of lcs.conf for lcsd: reads the configuration file and the secret file and hands
 * the pure {@link ConfigParser} (lcs-model, which does no I/O) their content. Every problem is a
 * {@link ConfigError} in the parser's {@code FILE:LINE: message} style: a file that cannot be read
 * is reported at line 0 of that file, a bad secret file at the line of {@code secret_file}.
 * Stateless and thread-safe; blocking (call it off the event loop).
 */
public final class ConfigLoader {
    /** A secret file larger than this is refused: it is a key, not a document. */
    public static final int MAX_SECRET_FILE_BYTES = 4096;

    private ConfigLoader() {
    }

    /**
     * Reads and validates the configuration file {@code file}.
     *
     * @throws ConfigException if it cannot be read, is larger than {@link ConfigParser#MAX_FILE_BYTES},
     *                         is not UTF-8, or is invalid
     */
    public static ClusterConfig load(Path file) {
        String fileName = file.toString();
        byte[] content;
        try {
            long size = Files.size(file);
            if (size > ConfigParser.MAX_FILE_BYTES) {
                throw new ConfigException(new ConfigError(fileName, 0, "file is " + size
                        + " bytes, larger than the limit of " + ConfigParser.MAX_FILE_BYTES + "; is it the right file?"));
            }
            // bounded even if the size lied (a device or a file growing meanwhile): the parser refuses the rest
            try (InputStream in = Files.newInputStream(file)) {
                content = in.readNBytes(ConfigParser.MAX_FILE_BYTES + 1);
            }
        } catch (NoSuchFileException e) {
            throw new ConfigException(new ConfigError(fileName, 0, "no such file"));
        } catch (IOException | SecurityException e) {
            throw new ConfigException(new ConfigError(fileName, 0, "cannot read: " + e));
        }
        return ConfigParser.parse(fileName, content);
    }

    /**
     * The shared secret of {@code config}: {@link ClusterConfig#secret()} if written inline, else the
     * content of {@link ClusterConfig#secretFile()} with surrounding whitespace (e.g. the final
     * newline) and a byte-order mark removed. Reads the file on every call.
     *
     * @return empty when neither {@code secret} nor {@code secret_file} is configured
     * @throws ConfigException at the line of {@code secret_file} if the file is missing, unreadable,
     *                         not a regular file, readable by other users, larger than
     *                         {@link #MAX_SECRET_FILE_BYTES}, empty, or shorter than
     *                         {@link ClusterConfig#MIN_SECRET_BYTES}
     */
    public static Optional<String> secret(ClusterConfig config) {
        if (config.secret() != null) {
            return Optional.of(config.secret());
        }
        String secretFile = config.secretFile();
        if (secretFile == null) {
            return Optional.empty();
        }
        String what = "secret_file " + secretFile + ": ";
        Path path = Path.of(secretFile);
        try {
            if (!Files.isRegularFile(path)) {
                if (!Files.exists(path)) {
                    throw secretError(config, what + "no such file");
                }
                throw secretError(config, what + "is not a regular file");
            }
            PosixFileAttributeView posix = Files.getFileAttributeView(path, PosixFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (posix != null) {
                Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path);
                if (permissions.contains(PosixFilePermission.OTHERS_READ)) {
                    throw secretError(config, what + "is readable by every user; restrict it, e.g. chmod 600 "
                            + secretFile);
                }
            }
            if (Files.size(path) > MAX_SECRET_FILE_BYTES) {
                throw secretError(config, what + "is larger than " + MAX_SECRET_FILE_BYTES
                        + " bytes; is it the right file?");
            }
            String text = Files.readString(path, StandardCharsets.UTF_8).strip();
            if (text.startsWith("\uFEFF")) {
                text = text.substring(1).strip();
            }
            if (text.isEmpty()) {
                throw secretError(config, what + "is empty");
            }
            if (text.getBytes(StandardCharsets.UTF_8).length < ClusterConfig.MIN_SECRET_BYTES) {
                throw secretError(config, what + "holds only " + text.length() + " characters; use at least "
                        + ClusterConfig.MIN_SECRET_BYTES + " random characters (e.g. openssl rand -hex 16 > "
                        + secretFile + ")");
            }
            return Optional.of(text);
        } catch (NoSuchFileException e) {
            throw secretError(config, what + "no such file");
        } catch (IOException | SecurityException | java.io.UncheckedIOException e) {
            throw secretError(config, what + "cannot be read: " + e.getMessage());
        }
    }

    private static ConfigException secretError(ClusterConfig config, String message) {
        return new ConfigException(new ConfigError(config.file(), config.secretFileLine(), message));
    }
}
