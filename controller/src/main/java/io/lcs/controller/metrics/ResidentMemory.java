package io.lcs.controller.metrics;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process' resident set size, from the {@code VmRSS} line of {@code /proc/self/status} (Linux).
 * Read on demand (one small file read per scrape); NaN if the file or line is missing or malformed.
 */
final class ResidentMemory {

    private static final Path STATUS = Path.of("/proc/self/status");
    /** /proc/self/status is ~1.5 KiB; VmRSS is around line 22. Bounded so a strange file cannot stall a scrape. */
    private static final int MAX_LINES = 200;

    private ResidentMemory() {
    }

    /** Whether {@link #bytes()} yields a number on this system. */
    static boolean available() {
        return !Double.isNaN(bytes());
    }

    /** Resident set size in bytes, or NaN if unknown. */
    static double bytes() {
        try (BufferedReader reader = Files.newBufferedReader(STATUS, StandardCharsets.US_ASCII)) {
            for (int i = 0; i < MAX_LINES; i++) {
                String line = reader.readLine();
                if (line == null) {
                    return Double.NaN;
                }
                if (line.startsWith("VmRSS:")) {
                    return parseKibLine(line.substring("VmRSS:".length()));
                }
            }
            return Double.NaN;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** Parses {@code "   12345 kB"} into bytes; NaN if it is not of that form. */
    static double parseKibLine(String rest) {
        String trimmed = rest.trim();
        if (!trimmed.endsWith(" kB")) {
            return Double.NaN;
        }
        try {
            return Long.parseLong(trimmed.substring(0, trimmed.length() - 3).trim()) * 1024.0;
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
