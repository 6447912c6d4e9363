package io.lcs.controller.store;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file under {@code state_dir} is corrupt: truncated, malformed, failing its checksum, or not
 * matching its own name. The file is left exactly as found: the operator decides what to do.
 * The message is {@code <path>: <problem>}.
 */
public final class StoreCorruptException extends IOException {
    private final Path file;
    private final String problem;

    public StoreCorruptException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
        this.problem = problem;
    }

    /** The corrupt file. */
    public Path file() {
        return file;
    }

    /** What is wrong with it, without the path. */
    public String problem() {
        return problem;
    }
}
