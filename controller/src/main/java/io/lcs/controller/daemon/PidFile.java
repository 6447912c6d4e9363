package io.lcs.controller.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code [cluster] pidfile} (a key of the C lcs): lcsd's process ID, written once it is ready and
 * removed when it stops. Written to a temporary file in the same directory and renamed into place,
 * so a reader never sees a partial number. Not a lock (the state directory's lock is): a pidfile
 * that cannot be written is a warning, not a reason to stop.
 */
final class PidFile {
    private static final Logger LOG = Logger.getLogger("lcsd");
    private final Path path;
    private final long pid;

    private PidFile(Path path, long pid) {
        this.path = path;
        this.pid = pid;
    }

    /** Writes {@code pid} to {@code path}; null when {@code path} is null or the write failed (logged). */
    static PidFile write(String path, long pid) {
        if (path == null) {
            return null;
        }
        Path p = Path.of(path);
        try {
            Path dir = p.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".lcsd-pid-", ".tmp");
            Files.writeString(tmp, pid + "\n", StandardCharsets.US_ASCII);
            Files.move(tmp, p, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return new PidFile(p, pid);
        } catch (IOException | SecurityException e) {
            LOG.log(Level.WARNING, "pidfile " + path + " not written: " + e);
            return null;
        }
    }

    /** Removes the file if it still holds this process's ID (another lcsd may have replaced it). */
    void remove() {
        try {
            if (Files.readString(path, StandardCharsets.US_ASCII).strip().equals(Long.toString(pid))) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            LOG.log(Level.FINE, "pidfile " + path + ": " + e);
        }
    }
}
