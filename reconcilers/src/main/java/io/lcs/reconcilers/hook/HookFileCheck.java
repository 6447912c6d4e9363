package io.lcs.reconcilers.hook;

import io.lcs.model.config.HookPolicy;
import io.lcs.reconcilers.hook.HookRefusal.Reason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Decides, just before a hook would run, whether its file may run as root's hook: lcsd runs hooks as
 * itself (root in production), so anyone who can change the file, or swap it through a directory on
 * its path, could run code as root. Reads file attributes (I/O): call it on the thread that is about
 * to run the hook, never on an event loop.
 *
 * <p>The rules, in order:
 * <ol>
 *   <li>the path is allowed by the node's own lcs.conf ({@link HookPolicy}): named in a {@code [vip]}
 *       section, or (for a hook named by an API object) inside a {@code hook_dirs} directory, also
 *       once symbolic links are resolved (so a link inside the directory to a file outside is
 *       refused);</li>
 *   <li>the file it resolves to is a regular file, owned by root (or by lcsd's own uid when lcsd does
 *       not run as root, as in tests), and not writable by its group or others;</li>
 *   <li>every directory from it up to {@code /}, on its real path and on the path as written, is
 *       owned by root (or that uid) and not writable by its group or others (so nothing under
 *       {@code /tmp}); every symbolic link on the path as written is owned by root (or that uid).</li>
 * </ol>
 * A file that does not exist is not refused here: the runner reports it (exit 127) as before.
 * Stateless apart from the trusted uid; thread-safe.
 */
public final class HookFileCheck {
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFLNK = 0120000;
    private static final int GROUP_WRITE = 0020;
    private static final int OTHER_WRITE = 0002;

    private final int ownUid;

    /** @param ownUid lcsd's own uid: files it owns are trusted like root's (they are the same when it runs as root) */
    public HookFileCheck(int ownUid) {
        this.ownUid = ownUid;
    }

    /** A check trusting root and the uid this process runs as (read from {@code /proc/self}). */
    public static HookFileCheck forThisProcess() throws IOException {
        return new HookFileCheck((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    }

    /**
     * @param program the hook as named (absolute)
     * @return null if it may run (or does not exist: the runner says so), otherwise why not
     */
    public HookRefusal check(String program, HookPolicy policy) {
        boolean fromConfig = policy.namedInConfig(program);
        if (!fromConfig) {
            String problem = policy.problem(program);
            if (problem != null) {
                return refusal(Reason.NOT_ALLOWED, program, problem);
            }
        }
        Path given = Path.of(program);
        Path real;
        try {
            real = given.toRealPath();
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | SecurityException e) {
            return refusal(Reason.UNREADABLE, program, program + " cannot be resolved: " + e.getMessage());
        }
        if (!fromConfig && !insideARealHookDir(real, policy)) {
            return refusal(Reason.NOT_ALLOWED, program, "it resolves to " + real + ", which is not inside the allowed"
                    + " hook directories (" + String.join(", ", policy.dirs()) + ")");
        }
        try {
            Map<String, Object> file = attributes(real);
            int mode = (Integer) file.get("mode");
            if ((mode & S_IFMT) != S_IFREG) {
                return refusal(Reason.NOT_REGULAR_FILE, program, real + " is not a regular file");
            }
            HookRefusal r = ownerAndMode(program, real, file, Reason.OWNER, Reason.WRITABLE, "");
            if (r != null) {
                return r;
            }
            for (Path dir = real.getParent(); dir != null; dir = dir.getParent()) {
                r = ownerAndMode(program, dir, attributes(dir), Reason.DIRECTORY_OWNER, Reason.DIRECTORY_WRITABLE,
                        "directory ");
                if (r != null) {
                    return r;
                }
            }
            return checkPathAsWritten(program, given);
        } catch (IOException | SecurityException | ClassCastException e) {
            return refusal(Reason.UNREADABLE, program, "the attributes of " + real + " cannot be read: " + e.getMessage());
        }
    }

    /**
     * The components of the path as written, each as the kernel walks it without following the last
     * link: a link or directory that another user controls could be pointed elsewhere after the check.
     */
    private HookRefusal checkPathAsWritten(String program, Path given) throws IOException {
        List<Path> prefixes = new ArrayList<>();
        for (Path p = given.getParent(); p != null && p.getParent() != null; p = p.getParent()) {
            prefixes.add(0, p);
        }
        prefixes.add(given);
        for (Path p : prefixes) {
            Map<String, Object> a = attributes(p);
            int type = (Integer) a.get("mode") & S_IFMT;
            if (type == S_IFLNK) {
                int uid = (Integer) a.get("uid");
                if (!trusted(uid)) {
                    return refusal(Reason.OWNER, program, "symbolic link " + p + " on its path is owned by uid " + uid
                            + ", not " + trustedText());
                }
            } else if (type == S_IFDIR) {
                HookRefusal r = ownerAndMode(program, p, a, Reason.DIRECTORY_OWNER, Reason.DIRECTORY_WRITABLE,
                        "directory ");
                if (r != null) {
                    return r;
                }
            }
        }
        return null;
    }

    private HookRefusal ownerAndMode(String program, Path p, Map<String, Object> a, Reason ownerReason,
                                     Reason writableReason, String what) {
        int uid = (Integer) a.get("uid");
        int mode = (Integer) a.get("mode");
        String where = what.isEmpty() ? p.toString() : what + p + " on its path";
        if (!trusted(uid)) {
            return refusal(ownerReason, program, where + " is owned by uid " + uid + ", not " + trustedText());
        }
        if ((mode & OTHER_WRITE) != 0) {
            return refusal(writableReason, program, where + " is writable by others");
        }
        if ((mode & GROUP_WRITE) != 0) {
            return refusal(writableReason, program, where + " is writable by its group");
        }
        return null;
    }

    private static boolean insideARealHookDir(Path real, HookPolicy policy) {
        String r = real.toString();
        for (String dir : policy.dirs()) {
            try {
                if (HookPolicy.inside(r, Path.of(dir).toRealPath().toString())) {
                    return true;
                }
            } catch (IOException | SecurityException e) {
                // a hook directory that does not exist here holds no hook
            }
        }
        return false;
    }

    private boolean trusted(int uid) {
        return uid == 0 || uid == ownUid;
    }

    private String trustedText() {
        return ownUid == 0 ? "root" : "root or uid " + ownUid + " (lcsd)";
    }

    private static Map<String, Object> attributes(Path p) throws IOException {
        return Files.readAttributes(p, "unix:mode,uid", LinkOption.NOFOLLOW_LINKS);
    }

    private static HookRefusal refusal(Reason reason, String program, String why) {
        return new HookRefusal(reason, program, "hook " + program + " refused: " + why);
    }
}
