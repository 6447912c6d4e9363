package io.lcs.controller.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.model.config.ClusterConfig;
import io.lcs.model.config.ConfigException;
import io.lcs.model.config.ConfigParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** lcsd's reading of lcs.conf and of the secret file around the pure parser. */
class ConfigLoaderTest {
    /** A valid one-node config; its secret is line 4 ({@link #SECRET_LINE}), its interface line 12. */
    private static final String BASE = """
            [cluster]
            name = loader
            node = n1
            secret = loader-secret-0123

            [node n1]
            role = full-member
            address = 198.18.0.11

            [vip api]
            address = 198.18.0.111/24
            interface = eth0
            """;
    private static final int SECRET_LINE = 4;

    @TempDir
    Path dir;

    private ClusterConfig withSecretFile(Path secretFile) throws Exception {
        Path conf = dir.resolve("lcs.conf");
        Files.writeString(conf, BASE.replace("secret = loader-secret-0123", "secret_file = " + secretFile));
        return ConfigLoader.load(conf);
    }

    private static Path secretFile(Path dir, String content, String permissions) throws Exception {
        Path file = dir.resolve("secret");
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
        return file;
    }

    @Test
    void loadedConfigNamesItsPathInErrorsWithTheirLine() throws Exception {
        Path file = dir.resolve("lcs.conf");
        Files.writeString(file, BASE.replace("interface = eth0", "interface = "));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(file + ":12: 'interface' has no value; give a value or remove the line",
                e.errors().get(0).toString());
        Files.writeString(file, BASE);
        assertEquals(file.toString(), ConfigLoader.load(file).file());
    }

    @Test
    void missingConfigFileIsAFileLevelError() {
        Path file = dir.resolve("nope.conf");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(file + ": no such file", e.getMessage());
    }

    @Test
    void configFileLargerThanTheLimitIsRefusedWithItsSize() throws Exception {
        Path file = dir.resolve("huge.conf");
        byte[] comment = new byte[ConfigParser.MAX_FILE_BYTES + 1];
        java.util.Arrays.fill(comment, (byte) '#');
        Files.write(file, comment);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(file + ": file is " + (ConfigParser.MAX_FILE_BYTES + 1) + " bytes, larger than the limit of "
                + ConfigParser.MAX_FILE_BYTES + "; is it the right file?", e.getMessage());
    }

    @Test
    void invalidUtf8InTheFileIsRefusedWithItsLine() throws Exception {
        Path file = dir.resolve("bin.conf");
        Files.write(file, new byte[] {'[', 'c', 'l', 'u', 's', 't', 'e', 'r', ']', '\n', 'x', (byte) 0xC3, 0x28});
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(file + ":2: not valid UTF-8 text (byte offset 11)", e.getMessage());
    }

    @Test
    void inlineSecretResolvesToItselfAndNoSecretToNothing() throws Exception {
        Path file = dir.resolve("lcs.conf");
        Files.writeString(file, BASE);
        assertEquals(Optional.of("loader-secret-0123"), ConfigLoader.secret(ConfigLoader.load(file)));
        Files.writeString(file, BASE.replace("secret = loader-secret-0123\n", ""));
        assertEquals(Optional.empty(), ConfigLoader.secret(ConfigLoader.load(file)));
    }

    @Test
    void secretFileIsReadAndStripped() throws Exception {
        Path secret = secretFile(dir, "\uFEFFs3cr3t-value-0123\n", "rw-------");
        assertEquals(Optional.of("s3cr3t-value-0123"), ConfigLoader.secret(withSecretFile(secret)));
    }

    @Test
    void worldReadableSecretFileIsRefusedAtTheLineOfSecretFile() throws Exception {
        Path secret = secretFile(dir, "s3cr3t-value-0123\n", "rw-r--r--");
        ClusterConfig config = withSecretFile(secret);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.secret(config));
        assertEquals(config.file() + ":" + SECRET_LINE + ": secret_file " + secret
                + ": is readable by every user; restrict it, e.g. chmod 600 " + secret, e.getMessage());
    }

    @Test
    void emptyOrShortSecretFileIsRefused() throws Exception {
        ClusterConfig empty = withSecretFile(secretFile(dir, " \n", "rw-------"));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.secret(empty));
        assertTrue(e.getMessage().endsWith("is empty"), e.getMessage());
        ClusterConfig shortSecret = withSecretFile(secretFile(dir, "short\n", "rw-------"));
        e = assertThrows(ConfigException.class, () -> ConfigLoader.secret(shortSecret));
        assertTrue(e.getMessage().contains("holds only 5 characters; use at least " + ClusterConfig.MIN_SECRET_BYTES),
                e.getMessage());
    }

    @Test
    void secretFileLargerThanTheLimitIsRefused() throws Exception {
        Path secret = secretFile(dir, "k".repeat(ConfigLoader.MAX_SECRET_FILE_BYTES + 1), "rw-------");
        ClusterConfig config = withSecretFile(secret);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.secret(config));
        assertEquals(config.file() + ":" + SECRET_LINE + ": secret_file " + secret + ": is larger than "
                + ConfigLoader.MAX_SECRET_FILE_BYTES + " bytes; is it the right file?", e.getMessage());
    }

    @Test
    void missingSecretFileOrADirectoryIsRefused() throws Exception {
        ConfigException missing = assertThrows(ConfigException.class,
                () -> ConfigLoader.secret(withSecretFile(dir.resolve("none"))));
        assertTrue(missing.getMessage().endsWith("no such file"), missing.getMessage());
        ConfigException directory = assertThrows(ConfigException.class,
                () -> ConfigLoader.secret(withSecretFile(Files.createDirectory(dir.resolve("sub")))));
        assertTrue(directory.getMessage().endsWith("is not a regular file"), directory.getMessage());
    }
}
