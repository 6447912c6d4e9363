package io.lcs.controller.daemon;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.lcs.controller.store.StateDirectory;
import io.lcs.controller.store.StoreCorruptException;
import io.lcs.model.codec.LcsJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long a starting lcsd must wait before it votes on a lease, from what its previous run left.
 *
 * <p>An acceptor keeps no promises on disk, so after a start it may have forgotten a grant that is
 * still live, and it votes on nothing until any such grant has ended: one whole lease (lengthened by
 * the drift bound). That wait is only needed when it does not know when its previous run's grants
 * ended. A clean stop knows: once lcsd has closed its event loops it grants nothing more, so every
 * grant it ever gave ends within one such lease from then. lcsd records that moment in the state
 * directory (record {@value #RECORD}) on the kernel's boot clock ({@code /proc/uptime}, which counts
 * across processes and suspends, unlike a JVM's {@code System.nanoTime}) with the boot's id. The
 * next start in the same boot waits only for what is left of that lease, usually nothing: a
 * cluster restarted in place (an upgrade, {@code systemctl restart lcsd} on each node) votes as soon
 * as its members connect.
 *
 * <p>The start consumes the record: it removes it, durably, before the node can vote, so a run that
 * then crashes leaves none and the start after it waits the whole lease. A record from another boot,
 * a clock that went back, or a record that cannot be read: the whole lease, said in the log. A
 * record that cannot be removed stops the start (a later start could otherwise trust it after a
 * crash). A kill -9, a crash or a stop that did not finish leaves no record. Like the epochs kept
 * beside it, the record assumes the state directory is never rolled back to an older copy.
 */
final class CleanStop {
    /** The record's name in the state directory ({@code records/clean-stop.record}). */
    static final String RECORD = "clean-stop";
    /** One hour: no lease is that long; a recorded wait beyond it is not trusted. */
    static final long MAX_RECORDED_WAIT_MILLIS = 3_600_000;
    private static final long NANOS_PER_CENTI = 10_000_000L;

    /** lcs's strict mapper (unknown fields, nulls for numbers, floats for integers fail), and no field may be missing. */
    private static final ObjectMapper JSON = LcsJson.json();
    private static final ObjectReader ENTRY = JSON.readerFor(Entry.class)
            .with(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);

    /**
     * What a clean stop leaves.
     *
     * @param bootId the kernel's boot id then
     * @param stoppedAtCentis the boot clock (hundredths of a second since boot) once the node granted nothing more
     * @param waitMillis how long a grant of that run may outlive that moment (its whole restart wait)
     */
    record Entry(@JsonProperty("bootId") String bootId, @JsonProperty("stoppedAtCentis") long stoppedAtCentis,
                 @JsonProperty("waitMillis") long waitMillis) {
    }

    /**
     * @param waitNanos how long to vote on nothing, from now
     * @param reason one line for the log: why that long
     */
    record Decision(long waitNanos, String reason) {
        long waitMillis() {
            return ceilMillis(waitNanos);
        }
    }

    /** The kernel's boot id and boot clock; {@link #SYSTEM} reads them from /proc. */
    interface BootClock {
        /** The kernel's boot id and this process's time namespace: the boot clock is comparable only within one. */
        String bootId() throws IOException;

        /** Hundredths of a second since boot, suspends included, as {@code /proc/uptime} gives them. */
        long uptimeCentis() throws IOException;

        BootClock SYSTEM = new BootClock() {
            @Override
            public String bootId() throws IOException {
                // /proc/uptime reads through this process's time namespace, which a boot id does not
                // name: a start in another one (a container, a restored checkpoint) is another boot here
                String timeNamespace;
                try {
                    timeNamespace = Files.readSymbolicLink(Path.of("/proc/self/ns/time")).toString();
                } catch (IOException | UnsupportedOperationException noTimeNamespaces) {
                    timeNamespace = "-"; // a kernel before 5.6: one time for every process
                }
                return readSmall(Path.of("/proc/sys/kernel/random/boot_id")).trim() + " " + timeNamespace;
            }

            @Override
            public long uptimeCentis() throws IOException {
                return parseUptime(readSmall(Path.of("/proc/uptime")));
            }
        };
    }

    private static final Pattern UPTIME = Pattern.compile("(\\d{1,12})\\.(\\d{2})\\s.*", Pattern.DOTALL);

    /** The first field of {@code /proc/uptime} ("350.71 653.26") in hundredths of a second. */
    static long parseUptime(String text) throws IOException {
        Matcher m = UPTIME.matcher(text);
        if (!m.matches()) {
            throw new IOException("/proc/uptime: unexpected content '" + text.strip() + "'");
        }
        return Long.parseLong(m.group(1)) * 100 + Long.parseLong(m.group(2));
    }

    private static String readSmall(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readNBytes(256), StandardCharsets.US_ASCII);
        }
    }

    private CleanStop() {
    }

    /** Whole milliseconds, rounded up: a wait is never said or recorded shorter than it is. */
    static long ceilMillis(long nanos) {
        return (nanos + 999_999) / 1_000_000;
    }

    /**
     * Records a clean stop: to be called once this node grants nothing more (its event loops are
     * closed) and before the state directory closes. Durable when it returns.
     *
     * @param fullWaitNanos the whole restart wait of the running configuration
     */
    static void record(StateDirectory dir, BootClock clock, long fullWaitNanos) throws IOException {
        Entry e = new Entry(clock.bootId(), clock.uptimeCentis(), ceilMillis(fullWaitNanos));
        dir.writeRecord(RECORD, JSON.writeValueAsBytes(e));
    }

    /**
     * Reads and removes the record of the previous run's clean stop and says how long this start
     * must vote on nothing: what is left of that run's last possible grant, or {@code fullWaitNanos}
     * when there is no usable record.
     *
     * @throws IOException if the record is there but cannot be removed: the start must not go on
     */
    static Decision consume(StateDirectory dir, BootClock clock, long fullWaitNanos) throws IOException {
        return consume(new Store() {
            @Override
            public Optional<byte[]> read() throws IOException {
                return dir.readRecord(RECORD);
            }

            @Override
            public void delete() throws IOException {
                dir.deleteRecord(RECORD);
            }
        }, clock, fullWaitNanos);
    }

    /** Where the record is kept: the state directory, or a test's stand-in. */
    interface Store {
        /** @throws StoreCorruptException if the file is damaged */
        Optional<byte[]> read() throws IOException;

        /** Removes it durably (nothing if it is not there). */
        void delete() throws IOException;
    }

    static Decision consume(Store store, BootClock clock, long fullWaitNanos) throws IOException {
        Optional<byte[]> raw;
        String unusable = null;
        Entry entry = null;
        try {
            raw = store.read();
        } catch (StoreCorruptException e) {
            raw = Optional.empty();
            unusable = "the record of the last clean stop is damaged (" + e.getMessage() + ")";
        } catch (IOException e) {
            throw new IOException("cannot read the record of the last clean stop: " + e.getMessage(), e);
        }
        if (raw.isPresent()) {
            try {
                entry = ENTRY.readValue(raw.get());
                if (entry.bootId() == null || entry.waitMillis() < 0 || entry.waitMillis() > MAX_RECORDED_WAIT_MILLIS
                        || entry.stoppedAtCentis() < 0) {
                    unusable = "the record of the last clean stop has values out of range: " + entry;
                    entry = null;
                }
            } catch (IOException e) {
                unusable = "the record of the last clean stop is not what lcsd writes: " + e.getMessage();
            }
        }
        if (raw.isPresent() || unusable != null) {
            // before this node can vote: a run that crashes from here on must leave no record behind
            try {
                store.delete();
            } catch (IOException e) {
                throw new IOException("cannot remove the record of the last clean stop: " + e.getMessage(), e);
            }
        }
        String whole = String.format(Locale.ROOT, "waiting a whole lease (%d ms)", ceilMillis(fullWaitNanos));
        if (unusable != null) {
            return new Decision(fullWaitNanos, unusable + ": " + whole);
        }
        if (entry == null) {
            return new Decision(fullWaitNanos, "no record of a clean stop (first start, or the last run was killed"
                    + " or crashed): it may have granted a lease it no longer knows of, " + whole);
        }
        String bootId;
        long now;
        try {
            bootId = clock.bootId();
            now = clock.uptimeCentis();
        } catch (IOException e) {
            return new Decision(fullWaitNanos, "cannot read the boot clock (" + e.getMessage() + "): " + whole);
        }
        if (!bootId.equals(entry.bootId())) {
            return new Decision(fullWaitNanos, "the last clean stop was in an earlier boot (its time cannot be"
                    + " compared): " + whole);
        }
        if (now < entry.stoppedAtCentis()) {
            return new Decision(fullWaitNanos, "the boot clock is behind the recorded clean stop: " + whole);
        }
        // /proc/uptime is truncated to 10 ms: the stop may have been up to a hundredth later than it
        // says, so one more; the reading at start being low only makes the wait longer
        long endCentis = entry.stoppedAtCentis() + (entry.waitMillis() + 9) / 10 + 1;
        long agoMillis = (now - entry.stoppedAtCentis()) * 10;
        if (now >= endCentis) {
            return new Decision(0, String.format(Locale.ROOT, "stopped cleanly %.2f s ago: every lease it granted"
                    + " has ended (its restart wait was %d ms), voting at once", agoMillis / 1000.0, entry.waitMillis()));
        }
        long left = (endCentis - now) * NANOS_PER_CENTI;
        return new Decision(left, String.format(Locale.ROOT, "stopped cleanly %.2f s ago: a lease it granted can"
                + " live %d ms more", agoMillis / 1000.0, ceilMillis(left)));
    }
}
