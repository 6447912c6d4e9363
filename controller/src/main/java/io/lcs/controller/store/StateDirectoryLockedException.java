package io.lcs.controller.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * {@link StateDirectory#open} refused a state directory that another lcsd (another process, or
 * this one) holds. The message names the directory and, when the lock file records it, the PID.
 */
public final class StateDirectoryLockedException extends IOException {
    private final Path directory;
    private final OptionalLong holderPid;

    public StateDirectoryLockedException(Path directory, OptionalLong holderPid, String message) {
        super(message);
        this.directory = directory;
        this.holderPid = holderPid;
    }

    public Path directory() {
        return directory;
    }

    /** The PID recorded in the lock file by the holder, if any was readable. */
    public OptionalLong holderPid() {
        return holderPid;
    }
}
