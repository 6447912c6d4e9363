package io.lcs.controller.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code lcsd --check-config}: every check first, then one verdict (exit code and output agree). */
class CheckConfigTest {
    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    private Run check(String secretMode, String hook) throws Exception {
        Path secret = dir.resolve("secret");
        Files.writeString(secret, "0123456789abcdef0123456789abcdef\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString(secretMode));
        Path conf = dir.resolve("lcs.conf");
        Files.writeString(conf, """
                [cluster]
                name = t
                node = a
                secret_file = %s
                state_dir = %s

                [node a]
                role = full-member
                address = 127.0.0.1

                [node b]
                role = full-member
                address = 127.0.0.2

                [node w]
                role = quorum-only
                address = 127.0.0.3

                [vip web]
                address = 198.18.0.10/24
                interface = lo
                pre_start = %s
                """.formatted(secret, dir.resolve("state"), hook));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new CommandLine(new Lcsd(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8))).execute("--check-config", "-c", conf.toString());
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A hook the runner accepts: root's, in directories only root may write (a temp dir is not). */
    private static String hook() {
        return "/bin/true";
    }

    @Test
    void aWorldReadableSecretFileIsOneErrorVerdictWithoutOkOrSummary() throws Exception {
        Run r = check("rw-r--r--", hook());
        assertEquals(1, r.exit(), r.out() + r.err());
        assertFalse(r.out().contains("OK"), "no OK before the error:\n" + r.out());
        assertEquals("", r.out(), "no summary of a config that has an error");
        assertTrue(r.err().contains("lcs.conf:4: secret_file " + dir.resolve("secret") + ": is readable by every user"),
                r.err());
        assertTrue(r.err().endsWith("1 error(s) in " + dir.resolve("lcs.conf") + "; nothing was started\n"), r.err());
    }

    @Test
    void aMissingHookFileIsAWarningNamingItsLineAndTheHookAndTheOtherErrorsAreStillReported() throws Exception {
        String missing = dir.resolve("no-such-hook").toString();
        Run ok = check("rw-------", missing);
        assertEquals(0, ok.exit(), ok.out() + ok.err());
        assertTrue(ok.out().startsWith(dir.resolve("lcs.conf") + ": OK (1 warning)\n"), ok.out());
        assertTrue(ok.out().contains("lcs.conf:22: [vip web] pre_start = " + missing
                + ": no such file; the hook would fail"), ok.out());

        Run both = check("rw-r--r--", missing);
        assertEquals(1, both.exit());
        assertTrue(both.err().contains("is readable by every user"), both.err());
        assertTrue(both.err().contains("pre_start = " + missing + ": no such file; the hook would fail (warning)"),
                both.err());
    }

    @Test
    void aCleanConfigIsOkWithoutWarnings() throws Exception {
        Run r = check("rw-------", hook());
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().startsWith(dir.resolve("lcs.conf") + ": OK\n"), r.out());
        assertEquals("", r.err());
    }
}
