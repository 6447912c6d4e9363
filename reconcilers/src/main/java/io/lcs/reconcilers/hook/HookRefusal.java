package io.lcs.reconcilers.hook;

import java.util.Locale;
import java.util.Objects;

/**
 * Why a hook was not run: the file may not run as a hook on this node. {@link #message()} is one
 * sentence for logs, events and status, e.g. {@code hook /x refused: /x is writable by others}.
 *
 * @param reason what rule it broke (a metric label)
 * @param program the hook as named (lcs.conf or the object)
 * @param message the sentence, naming the file or directory at fault
 */
public record HookRefusal(Reason reason, String program, String message) {
    /** The rules of {@link HookFileCheck}; {@link #label()} is the {@code reason} metric label. */
    public enum Reason {
        /** An API object's hook outside {@code hook_dirs} (by name or once symbolic links are resolved). */
        NOT_ALLOWED,
        /** Not a regular file (a directory, a device, a socket...). */
        NOT_REGULAR_FILE,
        /** The file (or a symbolic link on its path) is owned by another user than root (or lcsd's own uid). */
        OWNER,
        /** The file is writable by its group or by others. */
        WRITABLE,
        /** A directory on its path is owned by another user. */
        DIRECTORY_OWNER,
        /** A directory on its path is writable by its group or by others (e.g. {@code /tmp}). */
        DIRECTORY_WRITABLE,
        /** Its attributes could not be read. */
        UNREADABLE;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public HookRefusal {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(program, "program");
        Objects.requireNonNull(message, "message");
    }
}
