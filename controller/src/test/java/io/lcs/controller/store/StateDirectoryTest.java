package io.lcs.controller.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.ObjectVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateDirectoryTest {

    @TempDir
    Path tmp;

    static final ObjectKey WEB = new ObjectKey("VirtualIP", "web");
    static final byte[] WEB_BODY = ("{\"apiVersion\":\"lcs/v1\",\"kind\":\"VirtualIP\",\"metadata\":{\"name\":\"web\"},"
            + "\"spec\":{\"address\":\"198.18.0.201/24\",\"interface\":\"eth0\",\"note\":\"quote \\\" and ünïcødé\"}}")
            .getBytes(StandardCharsets.UTF_8);

    static StoreEntry web(long counter) {
        return StoreEntry.live(WEB, new ObjectVersion(counter, "node-a"), WEB_BODY);
    }

    Path stateDir() {
        return tmp.resolve("state");
    }

    @Test
    void openCreatesAPrivateDirectoryAndRecordsOurPid() throws IOException {
        try (StateDirectory dir = StateDirectory.open(stateDir())) {
            assertTrue(Files.isDirectory(stateDir().resolve("objects")));
            assertTrue(Files.isDirectory(stateDir().resolve("records")));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(stateDir())));
            assertEquals(ProcessHandle.current().pid() + "\n",
                    Files.readString(stateDir().resolve("lock"), StandardCharsets.US_ASCII));
            assertTrue(dir.loadObjects().isEmpty());
            assertTrue(dir.cleanedTempFiles().isEmpty());
        }
    }

    @Test
    void writesSurviveARestart() throws IOException {
        StoreEntry tombstone = StoreEntry.tombstone(new ObjectKey("Move", "web.to-b"), new ObjectVersion(3, "node-b"));
        StoreEntry ack = StoreEntry.live(new ObjectKey("ConflictAck", "db"), new ObjectVersion(1, "node-c"),
                "{}".getBytes(StandardCharsets.UTF_8));
        try (StateDirectory dir = StateDirectory.open(stateDir())) {
            dir.writeObject(web(1));
            dir.writeObject(web(2)); // replaces
            dir.writeObject(tombstone);
            dir.writeObject(ack);
            dir.writeObject(StoreEntry.live(new ObjectKey("VirtualIP", "gc-me"), new ObjectVersion(1, "a"),
                    "{}".getBytes(StandardCharsets.UTF_8)));
            assertTrue(dir.deleteObject(new ObjectKey("VirtualIP", "gc-me")));
            assertFalse(dir.deleteObject(new ObjectKey("VirtualIP", "gc-me")));
        }
        try (StateDirectory dir = StateDirectory.open(stateDir())) {
            List<StoreEntry> loaded = dir.loadObjects();
            assertEquals(List.of(ack, tombstone, web(2)), loaded, "key order, latest content");
            assertArrayEquals(WEB_BODY, loaded.get(2).body(), "body round-trips byte for byte");
            assertTrue(Files.exists(stateDir().resolve("objects/Move.web.to-b.json")));
        }
    }

    @Test
    void recordsRoundTripAndSurviveARestart() throws IOException {
        byte[] epochs = {0, 1, 2, (byte) 0xff, 'x', '\n'};
        try (StateDirectory dir = StateDirectory.open(stateDir())) {
            assertTrue(dir.readRecord("lease-epochs").isEmpty());
            dir.writeRecord("lease-epochs", new byte[] {9});
            dir.writeRecord("lease-epochs", epochs);
            dir.writeRecord("empty", new byte[0]);
            assertArrayEquals(epochs, dir.readRecord("lease-epochs").orElseThrow());
        }
        try (StateDirectory dir = StateDirectory.open(stateDir())) {
            assertArrayEquals(epochs, dir.readRecord("lease-epochs").orElseThrow());
            assertArrayEquals(new byte[0], dir.readRecord("empty").orElseThrow());
            assertThrows(IllegalArgumentException.class, () -> dir.writeRecord("../escape", epochs));
            assertThrows(IllegalArgumentException.class, () -> dir.readRecord(".."));
        }
    }

    @Test
    void truncatedFileIsReportedWithItsPathAndNeverRemoved() throws IOException {
        Path file;
        try (StateDirectory dir = StateDirectory.open(stateDir())) {
            dir.writeObject(web(1));
            file = dir.objectFile(WEB);
        }
        byte[] full = Files.readAllBytes(file);
        byte[] cut = java.util.Arrays.copyOf(full, 57);
        Files.write(file, cut);
        try (StateDirectory dir = StateDirectory.open(stateDir())) {
            StoreCorruptException e = assertThrows(StoreCorruptException.class, dir::loadObjects);
            assertEquals(file.toAbsolutePath(), e.file());
            assertEquals(file.toAbsolutePath() + ": truncated JSON at byte 57", e.getMessage());
        }
        assertArrayEquals(cut, Files.readAllBytes(file), "the corrupt file is left as found");
    }

    @Test
    void everyTruncationAndEverySingleBitFlipIsDetected() throws IOException {
        try (StateDirectory dir = StateDirectory.open(stateDir())) {
            StoreEntry small = StoreEntry.live(WEB, new ObjectVersion(12, "node-a"),
                    "{\"spec\":{\"address\":\"198.18.0.201/24\",\"q\":\"\\\"\"}}".getBytes(StandardCharsets.UTF_8));
            dir.writeObject(small);
            Path file = dir.objectFile(WEB);
            byte[] good = Files.readAllBytes(file);
            assertEquals(List.of(small), dir.loadObjects());
            assertEquals(small, StateDirectory.decodeObject(file, good));
            // The last byte is the newline after the object: dropping it loses nothing.
            // Through the file system once, then in memory (thousands of cases; the disk adds nothing).
            Files.write(file, java.util.Arrays.copyOf(good, good.length / 2));
            assertThrows(StoreCorruptException.class, dir::loadObjects);
            for (int length = 0; length < good.length - 1; length++) {
                byte[] cut = java.util.Arrays.copyOf(good, length);
                StoreCorruptException e = assertThrows(StoreCorruptException.class,
                        () -> StateDirectory.decodeObject(file, cut), "length " + length);
                assertEquals(file, e.file());
                assertEquals(length == 0 ? "empty file (0 bytes)" : "truncated JSON at byte " + length, e.problem());
            }
            for (int i = 0; i < good.length; i++) {
                for (int bit = 0; bit < 8; bit++) {
                    byte[] flipped = good.clone();
                    flipped[i] ^= (byte) (1 << bit);
                    int at = i;
                    int b = bit;
                    assertThrows(StoreCorruptException.class, () -> StateDirectory.decodeObject(file, flipped),
                            () -> "flip of bit " + b + " at byte " + at + ": " + new String(flipped, StandardCharsets.UTF_8));
                }
            }
        }
    }

    @Test
    void emptyFileIsReportedAsCorrupt() throws IOException {
        Path file;
        try (StateDirectory dir = StateDirectory.open(stateDir())) {
            dir.writeObject(web(1));
            file = dir.objectFile(WEB);
        }
        Files.write(file, new byte[0]);
        try (StateDirectory dir = StateDirectory.open(stateDir())) {
            StoreCorruptException e = assertThrows(StoreCorruptException.class, dir::loadObjects);
            assertEquals(file + ": empty file (0 bytes)", e.getMessage());
        }
    }

    @Test
    void bitFlippedBodyFailsTheChecksum() throws IOException {
        Path file;
        try (StateDirectory dir = StateDirectory.open(stateDir())) {
            dir.writeObject(web(1));
            file = dir.objectFile(WEB);
        }
        byte[] bytes = Files.readAllBytes(file);
        String text = new String(bytes, StandardCharsets.UTF_8);
        int at = text.indexOf("198.18.0.201");
        assertTrue(at > 0);
        bytes[text.substring(0, at).getBytes(StandardCharsets.UTF_8).length + 2] ^= 0x02; // '8' -> ':'... still valid JSON text
        Files.write(file, bytes);
        try (StateDirectory dir = StateDirectory.open(stateDir())) {
            StoreCorruptException e = assertThrows(StoreCorruptException.class, dir::loadObjects);
            assertTrue(e.getMessage().startsWith(file + ": checksum mismatch"), e.getMessage());
        }
        assertArrayEquals(bytes, Files.readAllBytes(file));
    }

    @Test
    void bitFlippedVersionFailsTheChecksum() throws IOException {
        Path file;
        try (StateDirectory dir = StateDirectory.open(stateDir())) {
            dir.writeObject(web(5));
            file = dir.objectFile(WEB);
        }
        String text = Files.readString(file);
        Files.writeString(file, text.replace("\"counter\" : 5", "\"counter\" : 7"));
        assertFalse(Files.readString(file).equals(text), "test setup: the counter was rewritten");
        try (StateDirectory dir = StateDirectory.open(stateDir())) {
            StoreCorruptException e = assertThrows(StoreCorruptException.class, dir::loadObjects);
            assertTrue(e.problem().startsWith("checksum mismatch"), e.getMessage());
        }
    }

    @Test
    void fileWhoseNameDoesNotMatchItsContentIsCorrupt() throws IOException {
        Path file;
        try (StateDirectory dir = StateDirectory.open(stateDir())) {
            dir.writeObject(web(1));
            file = dir.objectFile(WEB);
        }
        Path renamed = file.resolveSibling("VirtualIP.api.json");
        Files.move(file, renamed);
        try (StateDirectory dir = StateDirectory.open(stateDir())) {
            StoreCorruptException e = assertThrows(StoreCorruptException.class, dir::loadObjects);
            assertEquals(renamed, e.file());
            assertTrue(e.problem().contains("does not match its content"), e.getMessage());
            assertTrue(e.problem().contains("VirtualIP.web.json"), e.getMessage());
        }
    }

    @Test
    void unknownFilesInObjectsAreReportedNotIgnored() throws IOException {
        try (StateDirectory dir = StateDirectory.open(stateDir())) {
            dir.writeObject(web(1));
        }
        Path stray = stateDir().resolve("objects/notes.txt");
        Files.writeString(stray, "hi");
        try (StateDirectory dir = StateDirectory.open(stateDir())) {
            StoreCorruptException e = assertThrows(StoreCorruptException.class, dir::loadObjects);
            assertEquals(stray, e.file());
            assertTrue(e.problem().startsWith("not an object file"), e.getMessage());
        }
    }

    @Test
    void malformedAndIncompleteEnvelopesAreNamed() throws IOException {
        try (StateDirectory dir = StateDirectory.open(stateDir())) {
            Path file = dir.objectFile(WEB);
            Files.writeString(file, "{\"format\":1,\"kind\":\"VirtualIP\"}");
            assertEquals(file + ": missing field 'name'",
                    assertThrows(StoreCorruptException.class, dir::loadObjects).getMessage());
            Files.writeString(file, "{\"format\":1,\"kind\":\"VirtualIP\",\"kind\":\"Move\"}");
            assertTrue(assertThrows(StoreCorruptException.class, dir::loadObjects).problem().startsWith("malformed JSON at byte"));
            Files.writeString(file, "[1,2]");
            assertEquals(file + ": expected a JSON object, found array",
                    assertThrows(StoreCorruptException.class, dir::loadObjects).getMessage());
            Files.writeString(file, "{\"format\":2}");
            assertTrue(assertThrows(StoreCorruptException.class, dir::loadObjects).problem().startsWith("unsupported format 2"));
            Files.writeString(file, "{\"format\":1,\"extra\":true}");
            assertEquals(file + ": unexpected field 'extra'",
                    assertThrows(StoreCorruptException.class, dir::loadObjects).getMessage());
        }
    }

    @Test
    void corruptRecordIsReported() throws IOException {
        try (StateDirectory dir = StateDirectory.open(stateDir())) {
            dir.writeRecord("lease-epochs", "hello".getBytes(StandardCharsets.US_ASCII));
        }
        Path file = stateDir().resolve("records/lease-epochs.record");
        String text = Files.readString(file);
        assertTrue(text.contains("aGVsbG8="), text);
        Files.writeString(file, text.replace("aGVsbG8=", "aGVsbH8=")); // one base64 digit changed
        try (StateDirectory dir = StateDirectory.open(stateDir())) {
            StoreCorruptException e = assertThrows(StoreCorruptException.class, () -> dir.readRecord("lease-epochs"));
            assertEquals(file, e.file());
            assertTrue(e.problem().startsWith("checksum mismatch"), e.getMessage());
        }
    }

    @Test
    void leftoverTempFilesAreCleanedAtOpenAndListed() throws IOException {
        try (StateDirectory dir = StateDirectory.open(stateDir())) {
            dir.writeObject(web(1));
        }
        Path objectTemp = stateDir().resolve("objects/VirtualIP.web.json.tmp");
        Path recordTemp = stateDir().resolve("records/lease-epochs.record.tmp");
        Files.writeString(objectTemp, "{\"format\":1,\"ki"); // a crash mid-write
        Files.writeString(recordTemp, "");
        try (StateDirectory dir = StateDirectory.open(stateDir())) {
            assertEquals(List.of(objectTemp, recordTemp), dir.cleanedTempFiles());
            assertFalse(Files.exists(objectTemp));
            assertFalse(Files.exists(recordTemp));
            assertEquals(List.of(web(1)), dir.loadObjects(), "the committed version is intact");
        }
    }

    @Test
    void badInputIsRefusedAndWritesNothing() throws IOException {
        try (StateDirectory dir = StateDirectory.open(stateDir())) {
            ObjectVersion v = new ObjectVersion(1, "a");
            byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
            assertThrows(IllegalArgumentException.class,
                    () -> dir.writeObject(StoreEntry.live(new ObjectKey("VirtualIP", ".."), v, body)));
            assertThrows(IllegalArgumentException.class,
                    () -> dir.writeObject(StoreEntry.live(new ObjectKey("VirtualIP", "a/b"), v, body)));
            assertThrows(IllegalArgumentException.class,
                    () -> dir.writeObject(StoreEntry.live(new ObjectKey("Virtual.IP", "a"), v, body)));
            IllegalArgumentException utf8 = assertThrows(IllegalArgumentException.class,
                    () -> dir.writeObject(StoreEntry.live(WEB, v, new byte[] {'"', (byte) 0xc3, '"'})));
            assertTrue(utf8.getMessage().contains("VirtualIP/web"), utf8.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> dir.writeObject(StoreEntry.live(WEB, v, new byte[StateDirectory.MAX_BODY_BYTES + 1])));
            assertTrue(dir.loadObjects().isEmpty());
            try (var files = Files.list(stateDir().resolve("objects"))) {
                assertEquals(0, files.count(), "no temp files left behind either");
            }
        }
    }

    @Test
    void closedDirectoryRefusesUseAndCanBeReopened() throws IOException {
        StateDirectory dir = StateDirectory.open(stateDir());
        dir.close();
        dir.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> dir.writeObject(web(1)));
        try (StateDirectory again = StateDirectory.open(stateDir())) {
            again.writeObject(web(1));
        }
    }

    @Test
    void secondOpenInTheSameProcessIsRefusedAndLeavesTheFirstLocked() throws Exception {
        try (StateDirectory first = StateDirectory.open(stateDir())) {
            StateDirectoryLockedException e = assertThrows(StateDirectoryLockedException.class,
                    () -> StateDirectory.open(stateDir()));
            assertTrue(e.getMessage().contains(stateDir().toString()), e.getMessage());
            assertEquals(ProcessHandle.current().pid(), e.holderPid().orElseThrow());
            // the same directory through another spelling of its path is the same directory
            assertThrows(StateDirectoryLockedException.class,
                    () -> StateDirectory.open(stateDir().resolve("objects").resolve("..")));
            // the refused attempt must not have dropped our lock: another process is still refused
            ProbeResult probe = probeFromAnotherJvm(stateDir());
            assertEquals(LockProbeMain.LOCKED, probe.exitCode, probe.output);
            first.writeObject(web(1));
        }
    }

    @Test
    void anotherProcessIsRefusedWhileWeHoldTheDirectory() throws Exception {
        try (StateDirectory held = StateDirectory.open(stateDir())) {
            ProbeResult probe = probeFromAnotherJvm(stateDir());
            assertEquals(LockProbeMain.LOCKED, probe.exitCode, probe.output);
            assertTrue(probe.output.contains(stateDir().toString()), probe.output);
            assertTrue(probe.output.contains("pid " + ProcessHandle.current().pid()), probe.output);
        }
        ProbeResult after = probeFromAnotherJvm(stateDir());
        assertEquals(LockProbeMain.OPENED, after.exitCode, "released on close: " + after.output);
    }

    @Test
    void weAreRefusedWhileAnotherProcessHoldsTheDirectoryAndMayOpenOnceItDies() throws Exception {
        Path marker = tmp.resolve("holder-ready");
        Process holder = javaProcess("hold", stateDir().toString(), marker.toString()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.exists(marker)) {
                assertTrue(holder.isAlive(), "holder exited early with " + (holder.isAlive() ? "" : holder.exitValue()));
                assertTrue(System.nanoTime() < deadline, "holder did not open the directory within 30 s");
                Thread.sleep(20);
            }
            assertEquals(Long.toString(holder.pid()), Files.readString(marker));
            StateDirectoryLockedException e = assertThrows(StateDirectoryLockedException.class,
                    () -> StateDirectory.open(stateDir()));
            assertEquals(holder.pid(), e.holderPid().orElseThrow());
            assertTrue(e.getMessage().contains(stateDir().toString()), e.getMessage());
            assertTrue(e.getMessage().contains("pid " + holder.pid()), e.getMessage());
        } finally {
            holder.destroyForcibly();
            assertTrue(holder.waitFor(30, TimeUnit.SECONDS), "holder did not die");
        }
        // the kernel drops a dead process's lock: no stale lock file blocks a restart
        try (StateDirectory dir = StateDirectory.open(stateDir())) {
            assertTrue(dir.loadObjects().isEmpty());
        }
    }

    record ProbeResult(int exitCode, String output) {
    }

    private ProbeResult probeFromAnotherJvm(Path dir) throws Exception {
        Path out = tmp.resolve("probe-" + System.nanoTime() + ".out");
        Process p = javaProcess("probe", dir.toString())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        try {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe JVM did not finish within 60 s");
        } finally {
            p.destroyForcibly();
        }
        return new ProbeResult(p.exitValue(), Files.readString(out));
    }

    private static ProcessBuilder javaProcess(String... args) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(List.of(java, "-Xmx32m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), LockProbeMain.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command);
    }

    @Test
    void openRefusesAPathThatIsAFile() throws IOException {
        Path file = tmp.resolve("not-a-dir");
        Files.writeString(file, "x");
        IOException e = assertThrows(IOException.class, () -> StateDirectory.open(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertEquals(Optional.of("x"), Optional.of(Files.readString(file)));
    }

    @Test
    void aBatchWritesItsObjectsAndRecordsThenItsDeletesAndSurvivesARestart() throws IOException {
        ObjectKey gone = new ObjectKey("Move", "web.to-b");
        StoreEntry ack = StoreEntry.live(new ObjectKey("ConflictAck", "db"), new ObjectVersion(1, "node-c"),
                "{}".getBytes(StandardCharsets.UTF_8));
        try (StateDirectory dir = StateDirectory.open(stateDir())) {
            dir.writeObject(StoreEntry.tombstone(gone, new ObjectVersion(3, "node-b")));
            dir.writeBatch(List.of(web(1), ack, web(2)), List.of(gone),
                    java.util.Map.of("epochs", new byte[] {1, 2}, "other", new byte[0]));
        }
        try (StateDirectory dir = StateDirectory.open(stateDir())) {
            assertEquals(List.of(ack, web(2)), dir.loadObjects(), "a key written twice keeps its last content");
            assertArrayEquals(new byte[] {1, 2}, dir.readRecord("epochs").orElseThrow());
            assertArrayEquals(new byte[0], dir.readRecord("other").orElseThrow());
            assertTrue(dir.cleanedTempFiles().isEmpty(), "no temp file left behind");
        }
    }

    @Test
    void aBatchWithOneBadEntryIsRefusedWhole() throws IOException {
        try (StateDirectory dir = StateDirectory.open(stateDir())) {
            dir.writeObject(web(1));
            StoreEntry bad = StoreEntry.live(new ObjectKey("VirtualIP", "a/b"), new ObjectVersion(1, "a"),
                    "{}".getBytes(StandardCharsets.UTF_8));
            assertThrows(IllegalArgumentException.class, () -> dir.writeBatch(List.of(web(2), bad), List.of(WEB),
                    java.util.Map.of()));
            assertThrows(IllegalArgumentException.class, () -> dir.writeBatch(List.of(web(2)), List.of(),
                    java.util.Map.of("epochs", new byte[StateDirectory.MAX_RECORD_BYTES + 1])));
            assertEquals(List.of(web(1)), dir.loadObjects(), "nothing written, nothing deleted");
            assertEquals(Optional.empty(), dir.readRecord("epochs"));
            try (var files = Files.list(stateDir().resolve("objects"))) {
                assertEquals(1, files.count(), "no temp files left behind either");
            }
        }
    }
}
