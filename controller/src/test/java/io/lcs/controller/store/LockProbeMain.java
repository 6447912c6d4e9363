package io.lcs.controller.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run in a second JVM by {@link StateDirectoryTest}: {@code probe DIR} tries to open DIR and exits
 * {@value #OPENED} (opened), {@value #LOCKED} (refused as locked; the message on stdout) or
 * {@value #FAILED} (anything else); {@code hold DIR MARKER} opens DIR, writes MARKER, and sleeps
 * (at most {@value #HOLD_LIMIT_MILLIS} ms) until it is killed.
 */
public final class LockProbeMain {
    static final int OPENED = 20;
    static final int LOCKED = 21;
    static final int FAILED = 22;
    static final int USAGE = 23;
    static final long HOLD_LIMIT_MILLIS = 60_000;

    private LockProbeMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("probe")) {
            try (StateDirectory dir = StateDirectory.open(Path.of(args[1]))) {
                System.exit(OPENED);
            } catch (StateDirectoryLockedException e) {
                System.out.println(e.getMessage());
                System.out.flush();
                System.exit(LOCKED);
            } catch (Exception e) {
                e.printStackTrace(System.out);
                System.exit(FAILED);
            }
        } else if (args.length == 3 && args[0].equals("hold")) {
            StateDirectory dir = StateDirectory.open(Path.of(args[1]));
            Path marker = Path.of(args[2]);
            Path temp = marker.resolveSibling(marker.getFileName() + ".partial");
            Files.writeString(temp, Long.toString(ProcessHandle.current().pid()), StandardCharsets.US_ASCII);
            Files.move(temp, marker);
            Thread.sleep(HOLD_LIMIT_MILLIS);
            dir.close();
            System.exit(OPENED);
        }
        System.exit(USAGE);
    }
}
