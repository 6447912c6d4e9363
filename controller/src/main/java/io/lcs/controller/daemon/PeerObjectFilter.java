package io.lcs.controller.daemon;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.lcs.model.Names;
import io.lcs.model.api.FieldProblem;
import io.lcs.model.api.Kinds;
import io.lcs.model.api.LcsObject;
import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.ObjectValidator;
import io.lcs.model.api.ObjectVersion;
import io.lcs.model.api.Origin;
import io.lcs.model.api.StoredObject;
import io.lcs.model.codec.LcsJson;
import io.lcs.model.wire.Message;
import io.lcs.reconcilers.runtime.LogThrottle;
import io.lcs.reconcilers.runtime.Ticker;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Function;

/**
 * The peer boundary of the replicated store: every object a peer sends ({@code WriteRequest},
 * {@code SyncObjects}, {@code ReadReply}) is checked here, in the driver, before the core sees it.
 * A peer is authenticated, not trusted: a bug, an older or newer lcsd, or a member whose secret
 * leaked must not be able to make a node store what it cannot persist (which used to stop the node,
 * and anti-entropy delivered the object again after every restart) or pin a register forever.
 *
 * <p>An object is dropped, counted ({@link #rejected}) and logged (once per peer and reason per
 * {@link #LOG_INTERVAL}) when:
 * <ul>
 *   <li>{@code kind}: its kind is not one lcs stores ({@link Kinds}, plus the conflict record);</li>
 *   <li>{@code name}: its name breaks {@link Names} (names become file names in the state directory);</li>
 *   <li>{@code size}: its body is larger than {@link #MAX_OBJECT_BYTES};</li>
 *   <li>{@code mismatch}: the body's {@code apiVersion}, {@code kind}, {@code metadata.name} or
 *       {@code metadata.version} disagree with the key and version it travels under;</li>
 *   <li>{@code invalid}: the body is not a valid object of its kind ({@link ObjectValidator} with
 *       {@link Origin#SERVER}, the same rules {@code lcs apply} enforces);</li>
 *   <li>{@code writer}: the version's writer is not a configured node, or its counter is 0;</li>
 *   <li>{@code version}: the version is skewed: its counter is more than {@link #MAX_VERSION_LEAD}
 *       above the version this node holds for that key (0 if none).</li>
 * </ul>
 * A {@code WriteRequest} or {@code ReadReply} with a bad object is dropped whole (no acknowledgement,
 * no vote: to the writer it is a lost message); a {@code SyncObjects} loses only its bad objects.
 * Other messages pass unchanged. Not thread-safe except {@link #rejected}: the driver's context only.
 */
final class PeerObjectFilter {
    private static final Logger LOG = System.getLogger("io.lcs.core");

    /**
     * 256 KiB: above the largest object {@link ObjectValidator} admits (64 labels of 253 + 253
     * characters and four hooks of 4,095, about 150 KB in the worst UTF-8) and a quarter of both the
     * 1 MiB frame and the state directory's 1 MiB body limit, so one bad object cannot fill a frame
     * or the disk on its own.
     */
    static final int MAX_OBJECT_BYTES = 256 * 1024;
    /**
     * 2^32: how far ahead of this node's copy a peer's version counter may be. Every write of an
     * object adds one, so no honest history comes near it (2^32 writes of one object is 136 years at
     * one write a second); a counter far beyond it could only be forged, and one near 2^63 would
     * make the next write's version overflow, pinning the object at the forged content forever.
     */
    static final long MAX_VERSION_LEAD = 1L << 32;
    /** One line per peer and reason per minute: a bad peer resends on every anti-entropy round. */
    static final Duration LOG_INTERVAL = Duration.ofMinutes(1);

    /** Why an object was dropped; {@link #label()} is the {@code reason} metric label. */
    enum Reason {
        KIND, NAME, SIZE, MISMATCH, INVALID, WRITER, VERSION;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Set<String> members;
    /** Sorted, for messages. */
    private final List<String> kinds;
    private final LogThrottle throttle;
    /** Per peer, one count per {@link Reason}; read by scrapes on other threads. */
    private final Map<String, AtomicLongArray> counts = new ConcurrentHashMap<>();

    /**
     * @param members every configured node (writers of versions must be one of them)
     * @param extraKinds kinds the daemon stores besides {@link Kinds} (the conflict record)
     */
    PeerObjectFilter(Set<String> members, Set<String> extraKinds, Ticker ticker) {
        this.members = Set.copyOf(members);
        TreeSet<String> all = new TreeSet<>(Kinds.names());
        all.addAll(extraKinds);
        this.kinds = List.copyOf(all);
        this.throttle = new LogThrottle(LOG_INTERVAL, ticker);
        for (String m : members) {
            counts.put(m, new AtomicLongArray(Reason.values().length));
        }
    }

    /** Objects dropped so far from {@code peer} for {@code reason}; any thread. */
    long rejected(String peer, Reason reason) {
        AtomicLongArray c = counts.get(peer);
        return c == null ? 0 : c.get(reason.ordinal());
    }

    /**
     * @param local this node's copy of a key (tombstones included), for the skew bound
     * @return what the core may receive: {@code message} itself, a {@code SyncObjects} without its
     *     bad objects, or null to drop the message
     */
    Message admit(String peer, Message message, Function<ObjectKey, Optional<StoredObject>> local) {
        if (message instanceof Message.WriteRequest w) {
            return check(peer, w.object(), local) == null ? message : null;
        }
        if (message instanceof Message.ReadReply r) {
            return r.current() == null || check(peer, r.current(), local) == null ? message : null;
        }
        if (message instanceof Message.SyncObjects so) {
            List<StoredObject> good = new ArrayList<>(so.objects().size());
            for (StoredObject o : so.objects()) {
                if (check(peer, o, local) == null) {
                    good.add(o);
                }
            }
            if (good.size() == so.objects().size()) {
                return message;
            }
            return good.isEmpty() ? null : new Message.SyncObjects(good);
        }
        return message;
    }

    /** @return null if {@code o} may be stored, else the reason it was dropped (already counted and logged) */
    private Reason check(String peer, StoredObject o, Function<ObjectKey, Optional<StoredObject>> local) {
        String[] why = new String[1];
        Reason r = problem(o, local, why);
        if (r != null) {
            counts.computeIfAbsent(peer, p -> new AtomicLongArray(Reason.values().length)).incrementAndGet(r.ordinal());
            long suppressed = throttle.permit(peer + "/" + r.label());
            if (suppressed >= 0) {
                LOG.log(Level.WARNING, LogThrottle.withSuppressed("dropped " + printable(o.key().toString())
                        + " at version " + printable(o.version().toString()) + " from peer " + peer + " ("
                        + r.label() + "): " + why[0] + "; not stored", suppressed));
            }
        }
        return r;
    }

    private Reason problem(StoredObject o, Function<ObjectKey, Optional<StoredObject>> local, String[] why) {
        ObjectKey key = o.key();
        if (!kinds.contains(key.kind())) {
            why[0] = "lcs stores no kind '" + printable(key.kind()) + "' (kinds: " + String.join(", ", kinds) + ")";
            return Reason.KIND;
        }
        String nameProblem = Names.problem(key.name());
        if (nameProblem != null) {
            why[0] = printable(nameProblem);
            return Reason.NAME;
        }
        ObjectVersion v = o.version();
        if (v.counter() < 1 || !members.contains(v.writer())) {
            why[0] = v.counter() < 1 ? "version counter " + v.counter() + " was never written"
                    : "writer '" + printable(v.writer()) + "' is not a configured node";
            return Reason.WRITER;
        }
        long ours = local.apply(key).map(s -> s.version().counter()).orElse(0L);
        if (v.counter() - ours > MAX_VERSION_LEAD) {
            why[0] = "version counter " + v.counter() + " is more than " + MAX_VERSION_LEAD + " ahead of this node's "
                    + ours;
            return Reason.VERSION;
        }
        if (o.deleted()) {
            return null; // a tombstone has no body (StoredObject enforces it)
        }
        JsonNode body = o.body();
        int size;
        try {
            size = LcsJson.json().writeValueAsBytes(body).length;
        } catch (JsonProcessingException e) {
            why[0] = "body cannot be written: " + e.getOriginalMessage();
            return Reason.INVALID;
        }
        if (size > MAX_OBJECT_BYTES) {
            why[0] = "body is " + size + " bytes, more than " + MAX_OBJECT_BYTES;
            return Reason.SIZE;
        }
        JsonNode meta = body.path("metadata");
        JsonNode version = meta.get("version");
        if (!LcsObject.API_VERSION.equals(body.path("apiVersion").asText(null))
                || !key.kind().equals(body.path("kind").asText(null))
                || !key.name().equals(meta.path("name").asText(null))
                || (version != null && !(version.canConvertToLong() && version.asLong() == v.counter()))) {
            why[0] = "the body's apiVersion, kind, metadata.name or metadata.version disagree with " + key + " at "
                    + v.counter();
            return Reason.MISMATCH;
        }
        String invalid = key.kind().equals(CoreDriver.CONFLICT_KIND) ? conflictProblem(body) : objectProblem(o);
        if (invalid != null) {
            why[0] = printable(invalid);
            return Reason.INVALID;
        }
        return null;
    }

    private static String objectProblem(StoredObject o) {
        LcsObject object;
        try {
            object = o.toObject();
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        List<FieldProblem> problems = ObjectValidator.validate(object, Origin.SERVER);
        return problems.isEmpty() ? null : problems.get(0).toString();
    }

    /** The conflict record the VIP reconciler writes: {@code spec.vip} (its own name) and {@code spec.epoch} ≥ 1. */
    private String conflictProblem(JsonNode body) {
        JsonNode spec = body.path("spec");
        if (!spec.isObject()) {
            return "spec: is required";
        }
        if (!body.path("metadata").path("name").asText("").equals(spec.path("vip").asText(null))) {
            return "spec.vip: must be the record's own name";
        }
        JsonNode epoch = spec.get("epoch");
        if (epoch == null || !epoch.canConvertToLong() || !epoch.isIntegralNumber() || epoch.asLong() < 1) {
            return "spec.epoch: must be an epoch (a whole number from 1)";
        }
        JsonNode node = spec.get("node");
        if (node != null && !members.contains(node.asText())) {
            return "spec.node: '" + node.asText() + "' is not a configured node";
        }
        return null;
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), 100));
        for (int i = 0; i < s.length() && i < 100; i++) {
            char c = s.charAt(i);
            sb.append(Character.isISOControl(c) ? '?' : c);
        }
        return s.length() > 100 ? sb + "..." : sb.toString();
    }
}
