package io.lcs.controller.store;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.lcs.model.Names;
import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.ObjectVersion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * The durable state of one lcsd under {@code state_dir}, held exclusively:
 *
 * <pre>
 * state_dir/            0700
 *   lock                exclusive lock (FileChannel.tryLock) + the holder's PID
 *   objects/            one file per object: &lt;Kind&gt;.&lt;name&gt;.json
 *   records/            small named records for the cluster core: &lt;name&gt;.record
 * </pre>
 *
 * <p><b>Crash safety:</b> every write goes to {@code <file>.tmp} in the same directory, is forced to
 * disk ({@code fsync}), renamed over the target atomically, and then the directory itself is
 * forced, so after a crash a file holds either its old or its new content, and a completed write
 * survives. When a write method returns, the data is durable: the driver may then acknowledge.
 * Leftover {@code *.tmp} files (a crash between write and rename) are removed at {@link #open}
 * and listed in {@link #cleanedTempFiles()} for the daemon to log.
 *
 * <p><b>Integrity:</b> each file carries a CRC32C over its whole content (key, version, deleted
 * flag, body). A file that is empty, truncated, malformed, failing its checksum, too large, or whose
 * name does not match its content makes {@link #loadObjects}/{@link #readRecord} throw
 * {@link StoreCorruptException} naming the file and the problem. Such files are never repaired,
 * replaced or deleted here: the operator decides.
 *
 * <p><b>Object file format</b> ({@value #FORMAT}): a JSON envelope
 * {@code {"format":1,"kind","name","version":{"counter","writer"},"deleted","body","crc32c"}}.
 * The body is stored as a JSON string holding the body's UTF-8 JSON text, so it round-trips
 * byte for byte (re-serialising a parsed tree would not), and stays readable for an operator.
 *
 * <p><b>Threading:</b> not thread-safe; call from one thread (a blocking worker, never an event
 * loop: every write waits for the disk). {@link #close()} releases the lock.
 */
public final class StateDirectory implements AutoCloseable {

    /** Envelope format version written into every file. */
    public static final int FORMAT = 1;
    /** 1 MiB: a VirtualIP manifest is well under 1 KiB; anything near this is a bug or an attack. */
    public static final int MAX_BODY_BYTES = 1 << 20;
    /** 1 MiB: the core's records (e.g. the highest lease epoch per VIP) are a few KiB for 1,000 VIPs. */
    public static final int MAX_RECORD_BYTES = 1 << 20;
    /** 100,000 files: 100 times the 1,000 VIPs the design targets, each with a Move and an ack. */
    public static final int MAX_OBJECT_FILES = 100_000;
    /** A body escaped into a JSON string grows at most 6x (a control byte becomes a six-character escape); plus room for the envelope. */
    static final long MAX_OBJECT_FILE_BYTES = 6L * MAX_BODY_BYTES + 64 * 1024;
    /** Base64 grows 4/3; plus room for the envelope. */
    static final long MAX_RECORD_FILE_BYTES = 2L * MAX_RECORD_BYTES + 64 * 1024;

    static final String LOCK_FILE = "lock";
    static final String OBJECTS_DIR = "objects";
    static final String RECORDS_DIR = "records";
    static final String TEMP_SUFFIX = ".tmp";
    static final String OBJECT_SUFFIX = ".json";
    static final String RECORD_SUFFIX = ".record";
    /** Kinds have no dots, so {@code <Kind>.<name>.json} splits at the first dot unambiguously. */
    private static final Pattern KIND = Pattern.compile("[A-Za-z][A-Za-z0-9]{0,62}");
    private static final int MAX_LOCK_FILE_BYTES = 64;

    /** Directories (real paths) this JVM holds. Guarded by itself. See {@link #open} for why. */
    private static final Set<Path> HELD_IN_THIS_JVM = new HashSet<>();

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final Path directory;
    private final Path heldKey;
    private final Path objectsDir;
    private final Path recordsDir;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final FileChannel objectsDirChannel;
    private final FileChannel recordsDirChannel;
    private final FileAttribute<?>[] fileAttributes;
    private final List<Path> cleanedTempFiles;
    private boolean closed;

    private StateDirectory(Path directory, Path heldKey, FileChannel lockChannel, FileLock lock,
                           FileChannel objectsDirChannel, FileChannel recordsDirChannel,
                           FileAttribute<?>[] fileAttributes, List<Path> cleanedTempFiles) {
        this.directory = directory;
        this.heldKey = heldKey;
        this.objectsDir = directory.resolve(OBJECTS_DIR);
        this.recordsDir = directory.resolve(RECORDS_DIR);
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.objectsDirChannel = objectsDirChannel;
        this.recordsDirChannel = recordsDirChannel;
        this.fileAttributes = fileAttributes;
        this.cleanedTempFiles = List.copyOf(cleanedTempFiles);
    }

    /**
     * Opens {@code dir}, creating it (mode 0700) and its subdirectories if missing, takes the
     * exclusive lock, records this process's PID in the lock file, and removes leftover temp files.
     *
     * <p>Within one JVM a second open is refused before the lock file is even opened: on Linux,
     * closing <em>any</em> descriptor of a file drops every POSIX lock this process holds on it,
     * so merely probing the lock from the same process would silently unlock the first holder.
     * For the same reason nothing else in this process may open {@code state_dir/lock}.
     *
     * @throws StateDirectoryLockedException if another process, or this one, holds the directory
     * @throws IOException if the directory cannot be created, locked or cleaned
     */
    public static StateDirectory open(Path dir) throws IOException {
        Path directory = dir.toAbsolutePath().normalize();
        boolean posix = directory.getFileSystem().supportedFileAttributeViews().contains("posix");
        FileAttribute<?>[] dirAttributes = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))}
                : new FileAttribute<?>[0];
        FileAttribute<?>[] fileAttributes = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];

        createDirectory(directory, dirAttributes, "state directory");
        Path heldKey = directory.toRealPath();
        long ourPid = ProcessHandle.current().pid();
        synchronized (HELD_IN_THIS_JVM) {
            if (!HELD_IN_THIS_JVM.add(heldKey)) {
                throw new StateDirectoryLockedException(directory, OptionalLong.of(ourPid),
                        "state directory " + directory + " is already open in this process (pid " + ourPid + ")");
            }
        }
        FileChannel lockChannel = null;
        FileChannel objectsChannel = null;
        FileChannel recordsChannel = null;
        try {
            Path lockFile = directory.resolve(LOCK_FILE);
            lockChannel = FileChannel.open(lockFile,
                    Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE), fileAttributes);
            FileLock lock;
            try {
                lock = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // cannot happen given HELD_IN_THIS_JVM, but never treat it as success
            }
            if (lock == null) {
                OptionalLong holder = readPid(lockChannel);
                throw new StateDirectoryLockedException(directory, holder, "state directory " + directory
                        + " is locked by another process"
                        + (holder.isPresent() ? " (pid " + holder.getAsLong() + ")" : " (no pid recorded in " + lockFile + ")")
                        + "; is another lcsd running with the same state_dir?");
            }
            lockChannel.truncate(0);
            writeFully(lockChannel, (ourPid + "\n").getBytes(StandardCharsets.US_ASCII), 0);
            lockChannel.force(true);

            Path objects = directory.resolve(OBJECTS_DIR);
            Path records = directory.resolve(RECORDS_DIR);
            createDirectory(objects, dirAttributes, "objects directory");
            createDirectory(records, dirAttributes, "records directory");
            objectsChannel = FileChannel.open(objects, StandardOpenOption.READ);
            recordsChannel = FileChannel.open(records, StandardOpenOption.READ);
            List<Path> cleaned = new ArrayList<>();
            removeTempFiles(objects, cleaned);
            removeTempFiles(records, cleaned);
            objectsChannel.force(true);
            recordsChannel.force(true);
            forceDirectory(directory);
            return new StateDirectory(directory, heldKey, lockChannel, lock, objectsChannel, recordsChannel,
                    fileAttributes, cleaned);
        } catch (IOException | RuntimeException | Error e) {
            closeQuietly(recordsChannel, e);
            closeQuietly(objectsChannel, e);
            closeQuietly(lockChannel, e); // also releases the lock if we took it
            synchronized (HELD_IN_THIS_JVM) {
                HELD_IN_THIS_JVM.remove(heldKey);
            }
            throw e;
        }
    }

    /** The state directory (absolute). */
    public Path directory() {
        return directory;
    }

    /** Leftover temp files (from a crash mid-write) that {@link #open} removed, for the daemon to log. */
    public List<Path> cleanedTempFiles() {
        return cleanedTempFiles;
    }

    /** The file that holds {@code key}: {@code objects/<Kind>.<name>.json}. */
    public Path objectFile(ObjectKey key) {
        String problem = keyProblem(key);
        if (problem != null) {
            throw new IllegalArgumentException("cannot store " + key + ": " + problem);
        }
        return objectsDir.resolve(objectFileName(key));
    }

    /**
     * Reads every object file under {@code objects/}, in key order. Stops at the first bad file.
     *
     * @throws StoreCorruptException naming the first corrupt file and what is wrong with it
     */
    public List<StoreEntry> loadObjects() throws IOException {
        checkOpen();
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(objectsDir)) {
            for (Path p : stream) {
                if (p.getFileName().toString().endsWith(TEMP_SUFFIX)) {
                    continue; // an interrupted write of this process; never authoritative
                }
                if (files.size() == MAX_OBJECT_FILES) {
                    throw new IOException(objectsDir + ": more than " + MAX_OBJECT_FILES + " object files");
                }
                files.add(p);
            }
        }
        files.sort(Comparator.comparing(p -> p.getFileName().toString()));
        List<StoreEntry> out = new ArrayList<>(files.size());
        for (Path file : files) {
            out.add(readObjectFile(file));
        }
        out.sort(Comparator.comparing(StoreEntry::key));
        return out;
    }

    /**
     * Durably writes {@code entry} (live or tombstone) to its file, replacing any older content.
     * Returns once the write is on disk.
     *
     * @throws IllegalArgumentException if the key is not a valid kind/name, the body is larger than
     *         {@link #MAX_BODY_BYTES} or not valid UTF-8 (nothing is written)
     */
    public void writeObject(StoreEntry entry) throws IOException {
        checkOpen();
        Path target = objectFile(entry.key());
        atomicWrite(objectsDirChannel, target, encodeObject(entry));
    }

    /** The file content of {@code entry}; checks the body (size, UTF-8) first. */
    private static byte[] encodeObject(StoreEntry entry) throws IOException {
        String bodyText = null;
        if (entry.body() != null) {
            if (entry.body().length > MAX_BODY_BYTES) {
                throw new IllegalArgumentException("cannot store " + entry.key() + ": body is " + entry.body().length
                        + " bytes, more than the " + MAX_BODY_BYTES + "-byte limit");
            }
            bodyText = decodeUtf8(entry);
        }
        String crc = hex(objectChecksum(entry.key(), entry.version(), entry.deleted(), entry.body()));
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + (entry.body() == null ? 0 : entry.body().length * 11 / 10));
        try (JsonGenerator g = JSON.getFactory().createGenerator(out, JsonEncoding.UTF8)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeNumberField("format", FORMAT);
            g.writeStringField("kind", entry.key().kind());
            g.writeStringField("name", entry.key().name());
            g.writeObjectFieldStart("version");
            g.writeNumberField("counter", entry.version().counter());
            g.writeStringField("writer", entry.version().writer());
            g.writeEndObject();
            g.writeBooleanField("deleted", entry.deleted());
            if (bodyText == null) {
                g.writeNullField("body");
            } else {
                g.writeStringField("body", bodyText);
            }
            g.writeStringField("crc32c", crc);
            g.writeEndObject();
        }
        out.write('\n');
        return out.toByteArray();
    }

    /**
     * Durably removes the file of {@code key} (tombstone garbage collection).
     *
     * @return whether a file was there
     */
    public boolean deleteObject(ObjectKey key) throws IOException {
        checkOpen();
        return deleteDurably(objectFile(key), objectsDirChannel);
    }

    /** Removes {@code file} and, if it was there, forces its directory so the removal survives a crash. */
    private static boolean deleteDurably(Path file, FileChannel dirChannel) throws IOException {
        boolean existed = Files.deleteIfExists(file);
        if (existed) {
            dirChannel.force(true);
        }
        return existed;
    }

    /**
     * Durably writes the named record (opaque bytes), replacing the previous content.
     *
     * @throws IllegalArgumentException if the name breaks {@link Names} or the record is larger
     *         than {@link #MAX_RECORD_BYTES} (nothing is written)
     */
    public void writeRecord(String name, byte[] bytes) throws IOException {
        checkOpen();
        Path target = recordFile(name);
        atomicWrite(recordsDirChannel, target, encodeRecord(name, bytes));
    }

    /**
     * Durably removes the named record: when this returns, a crash cannot bring it back.
     *
     * @return whether it was there
     */
    public boolean deleteRecord(String name) throws IOException {
        checkOpen();
        return deleteDurably(recordFile(name), recordsDirChannel);
    }

    /**
     * Durably applies a batch of changes: writes each object (live or tombstone) and each named
     * record, and removes the files of {@code deletes}. One sync per file written plus one per
     * directory changed, where the same changes one by one cost two per file: every new content goes
     * to its temp file, then each temp file is forced to disk and renamed over its target, and each
     * directory is forced once at the end (making the renames and removals durable). Returns once all
     * of it is on disk. After a crash every file holds its old or its new content; the batch as a
     * whole is not atomic (nor was a sequence of single writes).
     *
     * <p>Everything is checked before anything is written: a key, record name, size or body that
     * {@link #writeObject}/{@link #writeRecord} would refuse throws {@link IllegalArgumentException}
     * and changes nothing. A key written twice keeps its last content; deletes come after the
     * writes (as {@link #writeObject} then {@link #deleteObject} would).
     */
    public void writeBatch(List<StoreEntry> objects, List<ObjectKey> deletes, java.util.Map<String, byte[]> records)
            throws IOException {
        checkOpen();
        java.util.Map<Path, byte[]> objectFiles = new java.util.LinkedHashMap<>();
        for (StoreEntry e : objects) {
            objectFiles.put(objectFile(e.key()), encodeObject(e));
        }
        List<Path> deleteFiles = new ArrayList<>(deletes.size());
        for (ObjectKey k : deletes) {
            deleteFiles.add(objectFile(k));
        }
        java.util.Map<Path, byte[]> recordFiles = new java.util.LinkedHashMap<>();
        for (java.util.Map.Entry<String, byte[]> r : records.entrySet()) {
            recordFiles.put(recordFile(r.getKey()), encodeRecord(r.getKey(), r.getValue()));
        }
        java.util.Map<Path, byte[]> all = new java.util.LinkedHashMap<>(objectFiles);
        all.putAll(recordFiles);
        List<Path> temps = new ArrayList<>(all.size());
        try {
            for (java.util.Map.Entry<Path, byte[]> f : all.entrySet()) {
                Path temp = tempFile(f.getKey());
                temps.add(temp);
                try (FileChannel ch = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE), fileAttributes)) {
                    writeFully(ch, f.getValue(), 0);
                }
            }
            // forced after all are written, so the file system can write them out together
            for (Path temp : temps) {
                try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
            }
            for (Path target : all.keySet()) {
                Files.move(tempFile(target), target, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException | RuntimeException e) {
            for (Path temp : temps) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        boolean deleted = false;
        for (Path f : deleteFiles) {
            deleted |= Files.deleteIfExists(f);
        }
        if (!objectFiles.isEmpty() || deleted) {
            objectsDirChannel.force(true);
        }
        if (!recordFiles.isEmpty()) {
            recordsDirChannel.force(true);
        }
    }

    /** The file content of record {@code name}; checks its size first. */
    private static byte[] encodeRecord(String name, byte[] bytes) throws IOException {
        if (bytes.length > MAX_RECORD_BYTES) {
            throw new IllegalArgumentException("cannot store record '" + name + "': " + bytes.length
                    + " bytes, more than the " + MAX_RECORD_BYTES + "-byte limit");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(128 + bytes.length * 4 / 3);
        try (JsonGenerator g = JSON.getFactory().createGenerator(out, JsonEncoding.UTF8)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeNumberField("format", FORMAT);
            g.writeStringField("record", name);
            g.writeBinaryField("bytes", bytes);
            g.writeStringField("crc32c", hex(recordChecksum(name, bytes)));
            g.writeEndObject();
        }
        out.write('\n');
        return out.toByteArray();
    }

    /**
     * Reads the named record, or empty if it was never written.
     *
     * @throws StoreCorruptException if the record file is corrupt
     */
    public Optional<byte[]> readRecord(String name) throws IOException {
        checkOpen();
        Path file = recordFile(name);
        byte[] raw;
        try {
            raw = readBounded(file, MAX_RECORD_FILE_BYTES);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        JsonNode root = parse(file, raw);
        checkFields(file, root, Set.of("format", "record", "bytes", "crc32c"));
        checkFormat(file, root);
        String recorded = text(file, root, "record");
        byte[] bytes;
        JsonNode b = required(file, root, "bytes");
        if (!b.isTextual()) {
            throw new StoreCorruptException(file, "field 'bytes' must be a base64 string");
        }
        try {
            bytes = Base64.getDecoder().decode(b.textValue());
        } catch (IllegalArgumentException e) {
            throw new StoreCorruptException(file, "field 'bytes' is not valid base64: " + e.getMessage());
        }
        int expected = checksumField(file, root);
        int actual = recordChecksum(recorded, bytes);
        if (expected != actual) {
            throw checksumMismatch(file, expected, actual);
        }
        if (!recorded.equals(name)) {
            throw new StoreCorruptException(file, "file name does not match its content (content is record '"
                    + Names.abbreviate(recorded) + "')");
        }
        return Optional.of(bytes);
    }

    /** Releases the lock and closes the directory. Idempotent. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        IOException failure = null;
        try {
            lockChannel.truncate(0); // the PID is no longer true; best effort
        } catch (IOException e) {
            failure = e;
        }
        for (AutoCloseable c : new AutoCloseable[] {objectsDirChannel, recordsDirChannel, lock, lockChannel}) {
            try {
                c.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e instanceof IOException io ? io : new IOException(e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        synchronized (HELD_IN_THIS_JVM) {
            HELD_IN_THIS_JVM.remove(heldKey);
        }
        if (failure != null) {
            throw failure;
        }
    }

    // ---------------------------------------------------------------- objects: reading

    private StoreEntry readObjectFile(Path file) throws IOException {
        String fileName = file.getFileName().toString();
        if (!fileName.endsWith(OBJECT_SUFFIX) || fileName.indexOf('.') == fileName.length() - OBJECT_SUFFIX.length()) {
            throw new StoreCorruptException(file, "not an object file (expected <Kind>.<name>.json)");
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new StoreCorruptException(file, "not a regular file");
        }
        return decodeObject(file, readBounded(file, MAX_OBJECT_FILE_BYTES));
    }

    /** Decodes the content {@code raw} of the object file {@code file} (whose name is checked too). */
    static StoreEntry decodeObject(Path file, byte[] raw) throws StoreCorruptException {
        String fileName = file.getFileName().toString();
        JsonNode root = parse(file, raw);
        checkFields(file, root, Set.of("format", "kind", "name", "version", "deleted", "body", "crc32c"));
        checkFormat(file, root);
        String kind = text(file, root, "kind");
        String name = text(file, root, "name");
        JsonNode version = required(file, root, "version");
        if (!version.isObject()) {
            throw new StoreCorruptException(file, "field 'version' must be an object");
        }
        checkFields(file, version, Set.of("counter", "writer"), "version.");
        JsonNode counterNode = required(file, version, "counter", "version.");
        if (!counterNode.isIntegralNumber() || !counterNode.canConvertToLong() || counterNode.longValue() < 0) {
            throw new StoreCorruptException(file, "field 'version.counter' must be a non-negative 64-bit integer");
        }
        String writer = text(file, version, "writer", "version.");
        JsonNode deletedNode = required(file, root, "deleted");
        if (!deletedNode.isBoolean()) {
            throw new StoreCorruptException(file, "field 'deleted' must be true or false");
        }
        boolean deleted = deletedNode.booleanValue();
        JsonNode bodyNode = required(file, root, "body");
        byte[] body;
        if (bodyNode.isNull()) {
            body = null;
        } else if (bodyNode.isTextual()) {
            body = bodyNode.textValue().getBytes(StandardCharsets.UTF_8);
        } else {
            throw new StoreCorruptException(file, "field 'body' must be a string (the object's JSON) or null");
        }
        int expected = checksumField(file, root);
        ObjectKey key = new ObjectKey(kind, name);
        ObjectVersion objectVersion = new ObjectVersion(counterNode.longValue(), writer);
        int actual = objectChecksum(key, objectVersion, deleted, body);
        if (expected != actual) {
            throw checksumMismatch(file, expected, actual);
        }
        if (deleted && body != null) {
            throw new StoreCorruptException(file, "a tombstone (deleted: true) must have body null");
        }
        if (!deleted && body == null) {
            throw new StoreCorruptException(file, "a live object (deleted: false) must have a body");
        }
        String keyProblem = keyProblem(key);
        if (keyProblem != null) {
            throw new StoreCorruptException(file, "content names an invalid key: " + keyProblem);
        }
        String expectedName = objectFileName(key);
        if (!expectedName.equals(fileName)) {
            throw new StoreCorruptException(file, "file name does not match its content (content is "
                    + key + ", which belongs in " + expectedName + ")");
        }
        return new StoreEntry(key, objectVersion, deleted, body);
    }

    private static JsonNode parse(Path file, byte[] raw) throws StoreCorruptException {
        if (raw.length == 0) {
            throw new StoreCorruptException(file, "empty file (0 bytes)");
        }
        JsonNode root;
        try {
            root = JSON.readTree(raw);
        } catch (JsonEOFException e) {
            throw new StoreCorruptException(file, "truncated JSON at byte " + offset(e.getLocation(), raw.length));
        } catch (JsonProcessingException e) {
            long at = offset(e.getLocation(), -1);
            if (at >= raw.length || !endsWithClosingBrace(raw)) {
                // the parser needed more input, or stopped inside a cut-off token ("fa" of
                // "false"): every file we write ends with '}', so this one ends too early
                throw new StoreCorruptException(file, "truncated JSON at byte " + raw.length);
            }
            String why = e.getOriginalMessage();
            int nl = why == null ? -1 : why.indexOf('\n');
            why = why == null ? e.getClass().getSimpleName() : nl < 0 ? why : why.substring(0, nl);
            why = why.length() <= 200 ? why : why.substring(0, 197) + "...";
            throw new StoreCorruptException(file, "malformed JSON at byte " + at + ": " + why);
        } catch (IOException e) {
            throw new StoreCorruptException(file, "unreadable JSON: " + e);
        }
        if (root == null || root.isMissingNode()) {
            throw new StoreCorruptException(file, "no JSON content");
        }
        if (!root.isObject()) {
            throw new StoreCorruptException(file, "expected a JSON object, found " + root.getNodeType().name().toLowerCase());
        }
        return root;
    }

    private static boolean endsWithClosingBrace(byte[] raw) {
        for (int i = raw.length - 1; i >= 0; i--) {
            byte b = raw[i];
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return b == '}';
            }
        }
        return false;
    }

    private static long offset(JsonLocation location, long fallback) {
        if (location == null) {
            return fallback;
        }
        long byteOffset = location.getByteOffset();
        return byteOffset >= 0 ? byteOffset : location.getCharOffset() >= 0 ? location.getCharOffset() : fallback;
    }

    private static void checkFields(Path file, JsonNode node, Set<String> allowed) throws StoreCorruptException {
        checkFields(file, node, allowed, "");
    }

    private static void checkFields(Path file, JsonNode node, Set<String> allowed, String prefix) throws StoreCorruptException {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw new StoreCorruptException(file, "unexpected field '" + prefix + Names.abbreviate(f) + "'");
            }
        }
    }

    private static void checkFormat(Path file, JsonNode root) throws StoreCorruptException {
        JsonNode f = required(file, root, "format");
        if (!f.isInt() || f.intValue() != FORMAT) {
            throw new StoreCorruptException(file, "unsupported format " + Names.abbreviate(f.toString())
                    + " (this lcsd reads format " + FORMAT + ")");
        }
    }

    private static JsonNode required(Path file, JsonNode node, String field) throws StoreCorruptException {
        return required(file, node, field, "");
    }

    private static JsonNode required(Path file, JsonNode node, String field, String prefix) throws StoreCorruptException {
        JsonNode v = node.get(field);
        if (v == null) {
            throw new StoreCorruptException(file, "missing field '" + prefix + field + "'");
        }
        return v;
    }

    private static String text(Path file, JsonNode node, String field) throws StoreCorruptException {
        return text(file, node, field, "");
    }

    private static String text(Path file, JsonNode node, String field, String prefix) throws StoreCorruptException {
        JsonNode v = required(file, node, field, prefix);
        if (!v.isTextual()) {
            throw new StoreCorruptException(file, "field '" + prefix + field + "' must be a string");
        }
        return v.textValue();
    }

    private static int checksumField(Path file, JsonNode root) throws StoreCorruptException {
        String s = text(file, root, "crc32c");
        if (s.length() != 8 || !s.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            throw new StoreCorruptException(file, "field 'crc32c' must be 8 lowercase hex digits, found '"
                    + Names.abbreviate(s) + "'");
        }
        return Integer.parseUnsignedInt(s, 16);
    }

    private static StoreCorruptException checksumMismatch(Path file, int expected, int actual) {
        return new StoreCorruptException(file, "checksum mismatch: the file records crc32c " + hex(expected)
                + " but its content gives " + hex(actual));
    }

    // ---------------------------------------------------------------- checksums and names

    /** CRC32C over kind, name, counter, writer, deleted and body, NUL-separated (names hold no NUL). */
    static int objectChecksum(ObjectKey key, ObjectVersion version, boolean deleted, byte[] body) {
        CRC32C crc = new CRC32C();
        update(crc, key.kind());
        update(crc, key.name());
        update(crc, Long.toString(version.counter()));
        update(crc, version.writer());
        crc.update(deleted ? '1' : '0');
        crc.update(0);
        if (body != null) {
            crc.update(body);
        }
        return (int) crc.getValue();
    }

    static int recordChecksum(String name, byte[] bytes) {
        CRC32C crc = new CRC32C();
        update(crc, name);
        crc.update(bytes);
        return (int) crc.getValue();
    }

    private static void update(CRC32C crc, String s) {
        crc.update(s.getBytes(StandardCharsets.UTF_8));
        crc.update(0);
    }

    private static String hex(int v) {
        String s = Integer.toHexString(v);
        return "00000000".substring(s.length()) + s;
    }

    private static String keyProblem(ObjectKey key) {
        if (!KIND.matcher(key.kind()).matches()) {
            return "kind '" + Names.abbreviate(key.kind()) + "' must be a letter followed by letters or digits (at most 63)";
        }
        String problem = Names.problem(key.name());
        return problem == null ? null : problem;
    }

    private static String objectFileName(ObjectKey key) {
        return key.kind() + "." + key.name() + OBJECT_SUFFIX;
    }

    private Path recordFile(String name) {
        String problem = Names.problem(name);
        if (problem != null) {
            throw new IllegalArgumentException("bad record name: " + problem);
        }
        return recordsDir.resolve(name + RECORD_SUFFIX);
    }

    private static String decodeUtf8(StoreEntry entry) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(entry.body()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("cannot store " + entry.key() + ": body is not valid UTF-8", e);
        }
    }

    // ---------------------------------------------------------------- file system

    private static Path tempFile(Path target) {
        return target.resolveSibling(target.getFileName() + TEMP_SUFFIX);
    }

    private void atomicWrite(FileChannel dirChannel, Path target, byte[] bytes) throws IOException {
        Path temp = tempFile(target);
        try {
            try (FileChannel ch = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE), fileAttributes)) {
                writeFully(ch, bytes, 0);
                ch.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        dirChannel.force(true); // makes the rename itself durable
    }

    private static void writeFully(FileChannel ch, byte[] bytes, long position) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        // A file channel writes everything or throws; the bound only guards against a 0-byte loop.
        for (int attempts = 0; buf.hasRemaining(); attempts++) {
            if (attempts > bytes.length) {
                throw new IOException("write made no progress");
            }
            position += ch.write(buf, position);
        }
    }

    private static byte[] readBounded(Path file, long maxBytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > maxBytes) {
                throw new StoreCorruptException(file, "file is " + size + " bytes, more than the " + maxBytes + "-byte limit");
            }
            ByteBuffer buf = ByteBuffer.allocate((int) size);
            for (int attempts = 0; buf.hasRemaining() && attempts <= size; attempts++) {
                if (ch.read(buf) < 0) {
                    break; // shrank while reading; parse what we have and report it
                }
            }
            buf.flip();
            byte[] out = new byte[buf.remaining()];
            buf.get(out);
            return out;
        }
    }

    private static OptionalLong readPid(FileChannel ch) {
        try {
            ByteBuffer buf = ByteBuffer.allocate(MAX_LOCK_FILE_BYTES);
            ch.read(buf, 0);
            String s = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).trim();
            return s.matches("[0-9]{1,19}") ? OptionalLong.of(Long.parseLong(s)) : OptionalLong.empty();
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private static void createDirectory(Path dir, FileAttribute<?>[] attributes, String what) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(what + " " + dir + " exists but is not a directory");
        }
        Files.createDirectories(dir, attributes);
        Path parent = dir.getParent();
        if (parent != null) {
            forceDirectory(parent);
        }
    }

    private static void forceDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private static void removeTempFiles(Path dir, List<Path> cleaned) throws IOException {
        List<Path> temps = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*" + TEMP_SUFFIX)) {
            for (Path p : stream) {
                if (temps.size() == MAX_OBJECT_FILES) {
                    throw new IOException(dir + ": more than " + MAX_OBJECT_FILES + " leftover temp files");
                }
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    temps.add(p);
                }
            }
        }
        temps.sort(Comparator.naturalOrder());
        for (Path p : temps) {
            Files.deleteIfExists(p);
            cleaned.add(p);
        }
    }

    private static void closeQuietly(AutoCloseable c, Throwable primary) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            primary.addSuppressed(e);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("state directory " + directory + " is closed");
        }
    }
}
