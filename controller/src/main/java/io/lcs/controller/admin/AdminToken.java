package io.lcs.controller.admin;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The admin API's bearer token: the credential that carries root's authority over the cluster.
 * Loaded once at start from a file that only its owner (root or the user running lcsd) may read,
 * created there first if missing ({@link #loadOrCreate}), then compared in constant time. The
 * {@code lcs} CLI reads the same file, so whoever can read it (root) may change the cluster.
 */
public final class AdminToken {
    /** 16 characters: anything shorter is guessable; `openssl rand -hex 32` gives 64. */
    public static final int MIN_LENGTH = 16;
    /** 4 KiB: a token file is one line; refuse to read anything that is clearly not one. */
    public static final int MAX_FILE_BYTES = 4096;
    /** 32 random bytes (256 bits), written as 64 hex digits: not guessable, one line, no spaces. */
    public static final int GENERATED_BYTES = 32;
    private static final Pattern IP_LITERAL = Pattern.compile("[0-9.]+|[0-9A-Fa-f:.%]*:[0-9A-Fa-f:.%]*");
    private static final Set<PosixFilePermission> GROUP_OR_OTHER = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);

    private final byte[] digest;

    private AdminToken(String token) {
        this.digest = sha256(token.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads and checks {@code file}: owned by root or by the current user, no group/other read or
     * write permission, one non-blank line of at least {@link #MIN_LENGTH} characters. Blocking.
     *
     * @throws IllegalStateException with a message naming the file and how to fix it
     */
    public static AdminToken load(Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                throw new IllegalStateException("admin token file " + file + " does not exist or is not a regular file");
            }
            String owner = Files.getOwner(file, LinkOption.NOFOLLOW_LINKS).getName();
            String me = System.getProperty("user.name");
            if (!owner.equals("root") && !owner.equals(me)) {
                throw new IllegalStateException("admin token file " + file + " is owned by '" + owner
                        + "'; it must be owned by root or by " + me + " (chown root " + file + ")");
            }
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
            Set<PosixFilePermission> bad = EnumSet.noneOf(PosixFilePermission.class);
            bad.addAll(perms);
            bad.retainAll(GROUP_OR_OTHER);
            if (!bad.isEmpty()) {
                throw new IllegalStateException("admin token file " + file + " is accessible by group or others "
                        + bad + "; run: chmod 600 " + file);
            }
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new IllegalStateException("admin token file " + file + " is larger than " + MAX_FILE_BYTES
                        + " bytes; it must hold one line, the token");
            }
            String token = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (token.length() < MIN_LENGTH || token.contains("\n") || token.contains(" ")) {
                throw new IllegalStateException("admin token file " + file + " must hold one token of at least "
                        + MIN_LENGTH + " characters without spaces (e.g. openssl rand -hex 32 > " + file + ")");
            }
            return new AdminToken(token);
        } catch (UnsupportedOperationException e) {
            throw new IllegalStateException("admin token file " + file + ": file system has no POSIX permissions", e);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read admin token file " + file + ": " + e, e);
        }
    }

    /**
     * Loads {@code file} as {@link #load} does; if it does not exist, first writes a new random token
     * there ({@value #GENERATED_BYTES} bytes from {@link SecureRandom}, hex), mode 0600, atomically
     * (a temporary file renamed into place, both forced to disk), so a crash never leaves a partial
     * token. The directory must exist and be writable by its owner only (root or this user): a
     * directory others may write lets them replace the file. Blocking.
     *
     * @return the token and whether it was created now
     * @throws IllegalStateException with a message naming the file or directory and how to fix it
     */
    public static Loaded loadOrCreate(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        checkDirectory(file, dir);
        boolean created = false;
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            create(file, dir);
            created = true;
        }
        return new Loaded(load(file), created);
    }

    /** The outcome of {@link #loadOrCreate}. */
    public record Loaded(AdminToken token, boolean created) {
    }

    private static void checkDirectory(Path file, Path dir) {
        try {
            if (dir == null || !Files.isDirectory(dir)) {
                throw new IllegalStateException("admin token file " + file + ": directory " + dir + " does not exist");
            }
            String owner = Files.getOwner(dir).getName();
            String me = System.getProperty("user.name");
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
            if ((!owner.equals("root") && !owner.equals(me)) || perms.contains(PosixFilePermission.GROUP_WRITE)
                    || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
                throw new IllegalStateException("admin token file " + file + ": its directory " + dir + " is owned by '"
                        + owner + "' with mode " + PosixFilePermissions.toString(perms) + "; it must be owned by root"
                        + (me.equals("root") ? "" : " or " + me) + " and writable by its owner only (others could"
                        + " replace the token): use the default (state_dir/admin.token) or chmod go-w " + dir);
            }
        } catch (UnsupportedOperationException e) {
            throw new IllegalStateException("admin token file " + file + ": file system has no POSIX permissions", e);
        } catch (IOException e) {
            throw new IllegalStateException("admin token file " + file + ": cannot check directory " + dir + ": " + e, e);
        }
    }

    private static void create(Path file, Path dir) {
        byte[] random = new byte[GENERATED_BYTES];
        new SecureRandom().nextBytes(random);
        byte[] text = (HexFormat.of().formatHex(random) + "\n").getBytes(StandardCharsets.US_ASCII);
        Path temp = dir.resolve(file.getFileName() + ".tmp");
        try {
            Files.deleteIfExists(temp); // a leftover of a crash: never written through, never trusted
            try (FileChannel ch = FileChannel.open(temp, EnumSet.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                ch.write(ByteBuffer.wrap(text));
                ch.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            } catch (IOException ignored) {
                // some file systems cannot sync a directory; the rename is still atomic
            }
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // reported below
            }
            throw new IllegalStateException("cannot create admin token file " + file + ": " + e + " (create it yourself:"
                    + " openssl rand -hex 32 > " + file + "; chmod 600 " + file + ")", e);
        } finally {
            Arrays.fill(random, (byte) 0);
        }
    }

    /** For tests and embedding: a token given as text. */
    public static AdminToken of(String token) {
        if (token == null || token.length() < MIN_LENGTH) {
            throw new IllegalArgumentException("token shorter than " + MIN_LENGTH + " characters");
        }
        return new AdminToken(token);
    }

    /**
     * @param authorizationHeader the request's {@code Authorization} header, or null
     * @return true if it is {@code Bearer <this token>}; time independent of where they differ
     */
    public boolean matches(String authorizationHeader) {
        if (authorizationHeader == null || authorizationHeader.length() < 7
                || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        String presented = authorizationHeader.substring(7).strip();
        // Comparing digests keeps the time independent of the length of the presented token too.
        return MessageDigest.isEqual(digest, sha256(presented.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * True for {@code localhost} and loopback IP literals; false for anything else, including host
     * names (resolved never: no DNS here; a name is treated as non-loopback, so a token is required).
     */
    public static boolean isLoopback(String bindHost) {
        String h = bindHost.strip();
        if (h.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (!IP_LITERAL.matcher(h).matches()) {
            return false;
        }
        try {
            return InetAddress.getByName(h).isLoopbackAddress(); // a literal: no lookup happens
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static byte[] sha256(byte[] in) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(in);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JDK without SHA-256", e);
        }
    }
}
