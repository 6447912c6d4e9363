package io.lcs.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lcs.core.WriteResult.Outcome;
import io.lcs.core.store.InMemoryObjectStore;
import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.ObjectVersion;
import io.lcs.model.api.StoredObject;
import io.lcs.model.wire.Message;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * This node's replica of the desired-state objects and its part in replicating them
 * (docs/architecture.md, "Replicated objects"): an ABD register per object, this node being the
 * coordinator of the writes submitted here and an acceptor of every other node's; anti-entropy
 * with peers whose digests differ; tombstone collection.
 *
 * <p><b>Writes:</b> phase 1 reads the highest version from a majority (our own copy counts); phase 2
 * writes version + 1 to a majority. A write whose answer needs no new version (UNCHANGED: the same
 * content is already the highest; NOT_FOUND: it is already deleted) still has a phase 2 unless a
 * majority reported that highest version: it writes the version it read back to a majority, so an
 * answer never rests on a copy only a minority holds (a timed-out write that reached one node).
 * These writes are the only reads that serve a decision; {@link #object} and {@link #objects} are
 * this node's copy, which may be stale.
 *
 * <p><b>Inputs:</b> {@link #submit} (a client write), the ABD and anti-entropy messages from peers
 * whose membership matches ({@link #onReadRequest}, {@link #onReadReply}, {@link #onWriteRequest},
 * {@link #onWriteAck}, {@link #onSyncVersions}, {@link #onSyncObjects}), the digests of every
 * matching peer's heartbeat ({@link #onPeerDigests}), and {@link #tick}. <b>Outputs</b> (to the
 * {@link Outbox}): objects to persist and tombstones to forget, which must be durable before the
 * acknowledgements sent in the same drain; ABD and anti-entropy messages; the events
 * {@link CoreEvent.ObjectChanged}, {@link CoreEvent.WriteCompleted} and {@link CoreEvent.SyncPaced}.
 *
 * <p><b>Anti-entropy</b> is paced: at most {@link #SYNC_BYTES_PER_PEER_PER_HEARTBEAT} per peer per
 * heartbeat interval, in the bulk lane of the {@link Outbox} (after lease traffic), so a node far
 * behind catches up over several intervals without ever crowding out leases.
 *
 * <p><b>Tombstones</b> are collected {@code tombstoneGcMillis} after they were stored, and only
 * while every peer is {@link Membership#settled settled} and its last heartbeat reported our live
 * digest: no node holds an older live copy, and none can still read one from a backlog queued
 * while it was cut off or frozen (it has had a peer timeout to read it, and its digest would
 * show it). What remains assumed is that no message spends longer than the tombstone's age in the
 * network between two running nodes. Peers collect at different times; until every peer holds
 * exactly our tombstones, a collected one is still remembered in memory ({@link #collected}) and
 * answered in reads, so an object re-created meanwhile gets a version above it.
 *
 * <p><b>What it assumes of {@link Membership}:</b> {@link Membership#hasQuorum()} and
 * {@link Membership#settled} as documented there: a write is refused without quorum, tombstones
 * wait for settled peers. It knows nothing of leases.
 *
 * <p>Not thread-safe: one thread calls everything (the core's).
 */
final class ReplicatedStore {
    /** Objects per anti-entropy message, so a large store never makes one oversized frame. */
    static final int MAX_OBJECTS_PER_SYNC = 64;
    /** Versions per anti-entropy message; each entry is well under 200 bytes of JSON. */
    static final int MAX_VERSIONS_PER_SYNC = 2_000;
    /** Bound on writes in flight from this node. */
    static final int MAX_PENDING_WRITES = 1_024;
    /**
     * Anti-entropy bytes sent to one peer per heartbeat interval (estimated from the JSON the
     * messages encode to): a quarter of the transport's 256 KiB queue per peer, so one interval's
     * sync never fills it and the lease traffic of the same turn, which goes first, always fits
     * (1,000 VIPs' lease messages are under 100 KB even without lease sets). At the default 250 ms
     * heartbeat that is 256 KiB/s per peer: a node 10,000 objects (~4 MB) behind catches up in
     * about 16 s.
     */
    static final int SYNC_BYTES_PER_PEER_PER_HEARTBEAT = 64 * 1024;
    /** Type tag, field names and brackets of one sync message ({@code {"t":"sv","versions":[],...}}), over-estimated. */
    private static final int MESSAGE_OVERHEAD_BYTES = 160;
    /** In {@link Replica#push}: the peer reported no copy of the key. */
    private static final ObjectVersion ABSENT = new ObjectVersion(0, "(absent)");

    private final CoreConfig config;
    private final String self;
    private final Membership membership;
    private final Outbox out;
    /** This node's replica: the object store (tombstones included) with its live digest. */
    private final InMemoryObjectStore objects = new InMemoryObjectStore();
    private final Map<ObjectKey, Long> tombstoneSeenNanos = new HashMap<>();
    /**
     * The versions of the tombstones this node collected while a peer may still hold them (until
     * every peer's tombstone digest equals ours). Off disk and out of the digests, they still count
     * in ABD reads and against older copies: versions start again after a collection (a re-created
     * object reads nothing and writes version 1), and a re-create must not lose to the old tombstone
     * a slower peer still holds. At most the tombstones collected since peers last agreed.
     */
    private final Map<ObjectKey, ObjectVersion> collected = new HashMap<>();
    private final Map<Long, PendingWrite> writes = new HashMap<>();
    private final Map<String, Replica> replicas = new HashMap<>();
    /**
     * Request ids start from the incarnation (random per start), not from 1: a peer's reply to a
     * request of this node's previous run can reach this run (it is addressed to the node, not to a
     * connection), and must not be taken for the reply to this run's request of the same id.
     */
    private long nextRequestId;
    private long writesRefused;
    private long syncPaced;

    ReplicatedStore(CoreConfig config, Membership membership, Outbox out) {
        this.config = config;
        this.self = config.self();
        this.membership = membership;
        this.out = out;
        this.nextRequestId = (membership.incarnation() >>> 2) + 1;
        for (String peer : membership.peerNames()) {
            replicas.put(peer, new Replica());
        }
    }

    /** What the state directory held at start (objects and tombstones); nothing is persisted again. */
    void restore(Collection<StoredObject> restored, long nowNanos) {
        for (StoredObject o : restored) {
            putObject(o, nowNanos, false);
        }
    }

    // ------------------------------------------------------------------ client writes (coordinator)

    /** Starts a write; its end comes as a {@link CoreEvent.WriteCompleted} with the returned id. */
    long submit(WriteOp op, long nowNanos) {
        long id = nextRequestId++;
        if (!membership.hasQuorum()) {
            out.event(new CoreEvent.WriteCompleted(new WriteResult(id, op.key(), Outcome.NO_QUORUM, null,
                    "no quorum: " + membership.votesSeen() + " of " + config.members().size() + " votes seen, "
                            + config.quorumSize() + " needed; the write was not applied")));
            return id;
        }
        if (writes.size() >= MAX_PENDING_WRITES) {
            writesRefused++;
            out.event(new CoreEvent.WriteCompleted(new WriteResult(id, op.key(), Outcome.TIMED_OUT, null,
                    "too many writes in flight (" + MAX_PENDING_WRITES + "); try again")));
            return id;
        }
        PendingWrite w = new PendingWrite(id, op, nowNanos);
        writes.put(id, w);
        // ABD phase 1: read the highest version from a majority (ourselves included).
        w.readFrom.add(self);
        w.highest = current(op.key());
        if (w.highest != null) {
            w.highestFrom.add(self);
        }
        for (String peer : membership.peerNames()) {
            out.send(peer, new Message.ReadRequest(id, op.key()));
        }
        maybeAdvanceWrite(w, nowNanos);
        return id;
    }

    void onReadReply(String from, Message.ReadReply r, long nowNanos) {
        PendingWrite w = writes.get(r.requestId());
        // a reply of another key under this id answers another request (of a previous run)
        if (w == null || w.phase != 1 || !w.op.key().equals(r.key()) || !w.readFrom.add(from)) {
            return;
        }
        if (r.current() != null && (w.highest == null || r.current().version().isNewerThan(w.highest.version()))) {
            w.highest = r.current();
            w.highestFrom.clear();
        }
        if (r.current() != null && r.current().version().equals(w.highest.version())) {
            w.highestFrom.add(from);
        }
        maybeAdvanceWrite(w, nowNanos);
    }

    void onWriteAck(String from, Message.WriteAck a) {
        PendingWrite w = writes.get(a.requestId());
        if (w == null || w.phase != 2 || !w.written.key().equals(a.key()) || !w.written.version().equals(a.version())
                || !w.ackFrom.add(from)) {
            return;
        }
        maybeFinishWrite(w);
    }

    private void maybeAdvanceWrite(PendingWrite w, long nowNanos) {
        if (w.phase != 1 || w.readFrom.size() < config.quorumSize()) {
            return;
        }
        StoredObject highest = w.highest;
        // Our own store counts as one more read reply, taken now: a concurrent write to the same key
        // from this node may have entered phase 2 since this one started, and two writes from one
        // node must never pick the same version (same version + different content = divergence).
        StoredObject local = current(w.op.key());
        if (local != null && (highest == null || local.version().isNewerThan(highest.version()))) {
            highest = local;
            w.highestFrom.clear();
        }
        if (local != null && local.version().equals(highest.version())) {
            w.highestFrom.add(self);
        }
        boolean existed = highest != null && !highest.deleted();
        ObjectVersion base = highest == null ? ObjectVersion.ZERO : highest.version();
        StoredObject next = null;
        if (w.op instanceof WriteOp.Delete) {
            if (!existed) {
                w.outcome = Outcome.NOT_FOUND;
                w.message = w.op.key() + " not found";
            } else {
                w.outcome = Outcome.DELETED;
                next = StoredObject.tombstone(w.op.key(), base.next(self));
            }
        } else {
            ObjectNode body = ((WriteOp.Put) w.op).body().deepCopy();
            body.remove("status");
            ObjectNode meta = body.with("metadata");
            long generation = 1;
            if (existed && Json.equalOrMissing(highest.body().get("spec"), body.get("spec"))
                    && Json.equalOrMissing(highest.body().path("metadata").get("labels"), meta.get("labels"))) {
                w.outcome = Outcome.UNCHANGED;
            } else {
                if (existed) {
                    JsonNode old = highest.body();
                    generation = old.path("metadata").path("generation").asLong(0) + 1;
                    JsonNode created = old.path("metadata").get("creationTimestamp");
                    if (created != null) {
                        meta.set("creationTimestamp", created);
                    }
                }
                ObjectVersion v = base.next(self);
                meta.put("version", v.counter());
                meta.put("generation", generation);
                w.outcome = existed ? Outcome.CONFIGURED : Outcome.CREATED;
                next = new StoredObject(w.op.key(), v, false, body);
            }
        }
        if (next == null) {
            // Nothing new to write (UNCHANGED, or NOT_FOUND: absent or already deleted). The answer rests
            // on the highest version read, which may be on a minority only (a timed-out write that
            // reached one acceptor): unless a majority reported it, write it back to a majority (ABD's
            // phase 2 with the same version) before answering, or the acknowledged state could vanish
            // with that minority. Nothing read anywhere leaves nothing to write back.
            if (highest == null || w.highestFrom.size() >= config.quorumSize()) {
                complete(w, w.outcome, base, w.message);
                return;
            }
            next = highest;
        }
        // ABD phase 2: write the new version (or write back the highest read) to a majority; each
        // acceptor persists before it acknowledges.
        w.phase = 2;
        w.written = next;
        putObject(next, nowNanos, true);
        w.ackFrom.add(self);
        for (String peer : membership.peerNames()) {
            out.send(peer, new Message.WriteRequest(w.id, next));
        }
        maybeFinishWrite(w);
    }

    private void maybeFinishWrite(PendingWrite w) {
        if (w.phase == 2 && w.ackFrom.size() >= config.quorumSize()) {
            complete(w, w.outcome, w.written.version(), w.message);
        }
    }

    private void complete(PendingWrite w, Outcome outcome, ObjectVersion version, String message) {
        writes.remove(w.id);
        out.event(new CoreEvent.WriteCompleted(new WriteResult(w.id, w.op.key(), outcome, version, message)));
    }

    private void expireWrites(long nowNanos) {
        if (writes.isEmpty()) {
            return;
        }
        long limit = config.writeTimeoutMillis() * 1_000_000L;
        for (PendingWrite w : List.copyOf(writes.values())) {
            if (nowNanos - w.startNanos > limit) {
                int got = w.phase == 1 ? w.readFrom.size() : w.ackFrom.size();
                // A write that timed out in phase 2 may still land on a majority later: say so.
                complete(w, Outcome.TIMED_OUT, null, "timed out after " + config.writeTimeoutMillis() + " ms: "
                        + got + " of " + config.quorumSize() + " needed nodes answered"
                        + (w.phase == 2 ? " (the write may still be applied)" : "; the write was not applied"));
            }
        }
    }

    // ------------------------------------------------------------------ other nodes' writes (acceptor)

    void onReadRequest(String from, Message.ReadRequest r) {
        out.send(from, new Message.ReadReply(r.requestId(), r.key(), current(r.key())));
    }

    void onWriteRequest(String from, Message.WriteRequest w, long nowNanos) {
        putObject(w.object(), nowNanos, true);
        out.send(from, new Message.WriteAck(w.requestId(), w.object().key(), w.object().version()));
    }

    /**
     * What this node answers for {@code key} in an ABD read: its copy, or the tombstone it collected
     * while some peer may still hold it ({@link #collected}), or null.
     */
    private StoredObject current(ObjectKey key) {
        StoredObject o = objects.get(key).orElse(null);
        if (o == null) {
            ObjectVersion gone = collected.get(key);
            return gone == null ? null : StoredObject.tombstone(key, gone);
        }
        return o;
    }

    /** Stores {@code o} if it is newer than what we hold (a collected tombstone counts); persists and reports the change. */
    private boolean putObject(StoredObject o, long nowNanos, boolean persist) {
        ObjectVersion gone = collected.get(o.key());
        if (gone != null) {
            if (!o.version().isNewerThan(gone)) {
                return false;
            }
            collected.remove(o.key());
        }
        StoredObject before = objects.get(o.key()).orElse(null);
        if (!objects.applyIfNewer(o)) {
            return false;
        }
        if (!o.deleted()) {
            tombstoneSeenNanos.remove(o.key());
        } else {
            tombstoneSeenNanos.put(o.key(), nowNanos);
        }
        if (persist) {
            out.persist(o);
            out.event(new CoreEvent.ObjectChanged(before, o));
        }
        return true;
    }

    // ------------------------------------------------------------------ anti-entropy

    /**
     * A matching peer's heartbeat digests: if they differ from ours, start an exchange with it (at
     * most one at a time, at most one start per sync interval). An exchange sends our versions in
     * key ranges; the peer pushes what we lack and answers with its versions of each range, and we
     * push what it lacks. All of it is paced ({@link #SYNC_BYTES_PER_PEER_PER_HEARTBEAT}).
     */
    void onPeerDigests(String peer, long liveDigest, long tombstoneDigest, long nowNanos) {
        Replica r = replicas.get(peer);
        r.digest = liveDigest;
        r.tombstoneDigest = tombstoneDigest;
        if ((liveDigest != objects.liveDigest() || tombstoneDigest != objects.tombstoneDigest()) && !r.exchanging
                && nowNanos - r.lastSyncNanos >= config.syncIntervalMillis() * 1_000_000L) {
            r.lastSyncNanos = nowNanos;
            r.exchanging = true;
            r.cursor = null;
            pace(peer, r, nowNanos);
        }
    }

    void onSyncVersions(String from, Message.SyncVersions sv, long nowNanos) {
        Replica r = replicas.get(from);
        Map<ObjectKey, Message.VersionEntry> theirs = new HashMap<>();
        for (Message.VersionEntry e : sv.versions()) {
            theirs.put(e.key(), e);
        }
        for (StoredObject mine : objects.range(sv.after(), sv.upTo())) {
            Message.VersionEntry t = theirs.get(mine.key());
            if (shouldPush(mine, t == null ? null : t.version())) {
                r.push.put(mine.key(), t == null ? ABSENT : t.version());
            }
        }
        if (!sv.reply()) {
            r.reply = r.reply == null ? new Range(sv.after(), sv.upTo()) : r.reply.union(sv.after(), sv.upTo());
        }
        pace(from, r, nowNanos);
    }

    /**
     * A tombstone is only sent to a peer holding an older live copy: for a peer that has nothing,
     * "absent" already means "deleted" (and it may have collected the tombstone).
     */
    private static boolean shouldPush(StoredObject mine, ObjectVersion theirs) {
        return theirs == null || theirs == ABSENT ? !mine.deleted() : mine.version().isNewerThan(theirs);
    }

    void onSyncObjects(Message.SyncObjects so, long nowNanos) {
        for (StoredObject o : so.objects()) {
            putObject(o, nowNanos, true);
        }
    }

    /**
     * Sends {@code peer} what its budget allows this heartbeat interval, most useful first: objects
     * it lacks, then our versions of the ranges it asked about, then the next range of our own
     * exchange. An object larger than a whole budget still goes, alone, at the start of an interval.
     */
    private void pace(String peer, Replica r, long nowNanos) {
        if (!r.hasWork()) {
            r.pacedReported = false;
            return;
        }
        if (nowNanos - r.budgetSinceNanos >= config.heartbeatMillis() * 1_000_000L) {
            r.budgetSinceNanos = nowNanos;
            r.budget = SYNC_BYTES_PER_PEER_PER_HEARTBEAT;
        }
        while (r.budget > 0 && !r.push.isEmpty()) {
            sendObjects(peer, r);
        }
        while (r.budget > 0 && r.reply != null) {
            Sent sent = sendVersions(peer, r, r.reply.after(), r.reply.upTo(), true);
            if (sent.finished()) {
                r.reply = null;
            } else if (sent.last() != null) {
                r.reply = new Range(sent.last(), r.reply.upTo());
            }
        }
        while (r.budget > 0 && r.exchanging) {
            Sent sent = sendVersions(peer, r, r.cursor, null, false);
            if (sent.finished()) {
                r.exchanging = false;
                r.cursor = null;
            } else if (sent.last() != null) {
                r.cursor = sent.last();
            }
        }
        if (!r.hasWork()) {
            r.pacedReported = false;
        } else if (!r.pacedReported) {
            r.pacedReported = true;
            syncPaced++;
            out.event(new CoreEvent.SyncPaced(peer, r.push.size(), SYNC_BYTES_PER_PEER_PER_HEARTBEAT));
        }
    }

    private void sendObjects(String peer, Replica r) {
        List<StoredObject> batch = new ArrayList<>();
        long bytes = 0;
        while (!r.push.isEmpty() && batch.size() < MAX_OBJECTS_PER_SYNC) {
            Map.Entry<ObjectKey, ObjectVersion> e = r.push.firstEntry();
            StoredObject mine = objects.get(e.getKey()).orElse(null);
            if (mine == null || !shouldPush(mine, e.getValue())) {
                r.push.pollFirstEntry(); // collected, or no longer newer than theirs
                continue;
            }
            long size = wireBytes(mine);
            if (bytes + size > r.budget && !(batch.isEmpty() && r.budget == SYNC_BYTES_PER_PEER_PER_HEARTBEAT)) {
                break; // the rest waits for the next interval (an object larger than a whole budget goes alone)
            }
            r.push.pollFirstEntry();
            batch.add(mine);
            bytes += size;
        }
        if (batch.isEmpty()) {
            r.budget = 0; // nothing more fits this interval
            return;
        }
        out.sendBulk(peer, new Message.SyncObjects(batch));
        r.budget -= bytes + MESSAGE_OVERHEAD_BYTES;
    }

    /** What {@link #sendVersions} sent: the whole range, or up to {@code last} (null: nothing, no room left). */
    private record Sent(boolean finished, ObjectKey last) {
    }

    /** Sends our versions of the keys in {@code (after, upTo]}, as many as the budget allows. */
    private Sent sendVersions(String peer, Replica r, ObjectKey after, ObjectKey upTo, boolean reply) {
        List<Message.VersionEntry> batch = new ArrayList<>();
        long bytes = 0;
        ObjectKey last = null;
        boolean finished = true;
        long room = r.budget - MESSAGE_OVERHEAD_BYTES;
        for (StoredObject o : objects.range(after, upTo)) {
            Message.VersionEntry e = new Message.VersionEntry(o.key(), o.version(), o.deleted());
            long size = wireBytes(e);
            if (batch.size() == MAX_VERSIONS_PER_SYNC || bytes + size > room) {
                finished = false;
                break;
            }
            batch.add(e);
            bytes += size;
            last = o.key();
        }
        if (!finished && batch.isEmpty()) {
            r.budget = 0; // not even one entry fits: the next interval
            return new Sent(false, null);
        }
        out.sendBulk(peer, new Message.SyncVersions(batch, reply, after, finished ? upTo : last));
        r.budget -= bytes + MESSAGE_OVERHEAD_BYTES;
        return new Sent(finished, finished ? null : last);
    }

    /**
     * JSON bytes of one object in a {@link Message.SyncObjects}, over-estimated: its body plus key,
     * version and field names ({@code {"key":{"kind":"","name":""},"version":{"counter":,"writer":""},
     * "deleted":false,"body":}}, 122 bytes with a 20-digit counter, less the names).
     */
    static long wireBytes(StoredObject o) {
        return 130 + utf8Max(o.key().kind()) + utf8Max(o.key().name()) + utf8Max(o.version().writer())
                + (o.body() == null ? 0 : utf8Max(o.body().toString()));
    }

    /** JSON bytes of one version entry, over-estimated the same way (96 bytes of names and a 20-digit counter). */
    static long wireBytes(Message.VersionEntry e) {
        return 100 + utf8Max(e.key().kind()) + utf8Max(e.key().name()) + utf8Max(e.version().writer());
    }

    /** At most this many UTF-8 bytes (three per UTF-16 unit covers every character, escapes aside). */
    private static long utf8Max(String s) {
        long n = s.length();
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                n += 2;
            }
        }
        return n;
    }

    // ------------------------------------------------------------------ time

    /** Write timeouts, tombstone collection, and the next paced share of anti-entropy per peer. */
    void tick(long nowNanos) {
        expireWrites(nowNanos);
        forgetCollected(nowNanos);
        collectTombstones(nowNanos);
        for (String peer : membership.peerNames()) {
            Replica r = replicas.get(peer);
            if (r.hasWork()) {
                pace(peer, r, nowNanos);
            }
        }
    }

    private void collectTombstones(long nowNanos) {
        if (tombstoneSeenNanos.isEmpty()) {
            return;
        }
        for (String peer : membership.peerNames()) {
            if (!membership.settled(peer, nowNanos) || replicas.get(peer).digest != objects.liveDigest()) {
                return;
            }
        }
        long age = config.tombstoneGcMillis() * 1_000_000L;
        for (Map.Entry<ObjectKey, Long> e : List.copyOf(tombstoneSeenNanos.entrySet())) {
            if (nowNanos - e.getValue() >= age) {
                collected.put(e.getKey(), objects.get(e.getKey()).orElseThrow().version());
                objects.forget(e.getKey());
                tombstoneSeenNanos.remove(e.getKey());
                out.forget(e.getKey());
            }
        }
    }

    /** Once every peer is settled and holds exactly our tombstones, no peer holds one we collected. */
    private void forgetCollected(long nowNanos) {
        if (collected.isEmpty()) {
            return;
        }
        for (String peer : membership.peerNames()) {
            if (!membership.settled(peer, nowNanos) || replicas.get(peer).tombstoneDigest != objects.tombstoneDigest()) {
                return;
            }
        }
        collected.clear();
    }

    /** The earliest time a tick has store work: a write timeout, the next share of paced anti-entropy. */
    long nextDeadlineNanos() {
        long next = Long.MAX_VALUE;
        long writeTimeout = config.writeTimeoutMillis() * 1_000_000L;
        for (PendingWrite w : writes.values()) {
            next = Math.min(next, w.startNanos + writeTimeout + 1);
        }
        for (Replica r : replicas.values()) {
            if (r.hasWork()) {
                next = Math.min(next, r.budgetSinceNanos + config.heartbeatMillis() * 1_000_000L);
            }
        }
        return next;
    }

    /** Writes refused because {@link #MAX_PENDING_WRITES} were in flight. */
    long writesRefused() {
        return writesRefused;
    }

    /** Times a peer's anti-entropy had more to send than one interval's budget (each reported once by an event). */
    long syncPaced() {
        return syncPaced;
    }

    // ------------------------------------------------------------------ queries

    Optional<StoredObject> object(ObjectKey key) {
        return objects.get(key).filter(o -> !o.deleted());
    }

    /** The object or tombstone this node stores for {@code key} (a collected tombstone is not stored). */
    Optional<StoredObject> stored(ObjectKey key) {
        return objects.get(key);
    }

    List<StoredObject> objects(String kind) {
        return objects.live(kind);
    }

    Collection<StoredObject> allObjects() {
        return objects.all();
    }

    long liveDigest() {
        return objects.liveDigest();
    }

    long tombstoneDigest() {
        return objects.tombstoneDigest();
    }

    // ------------------------------------------------------------------ state records

    /** A key range {@code (after, upTo]}; null bounds are open. */
    private record Range(ObjectKey after, ObjectKey upTo) {
        /** The smallest range covering this one and {@code (a, u]}. */
        Range union(ObjectKey a, ObjectKey u) {
            ObjectKey lo = after == null || a == null ? null : (after.compareTo(a) <= 0 ? after : a);
            ObjectKey hi = upTo == null || u == null ? null : (upTo.compareTo(u) >= 0 ? upTo : u);
            return new Range(lo, hi);
        }
    }

    /**
     * What this node knows of one peer's replica (its heartbeat digests) and the anti-entropy it
     * owes it. Bounded: {@link #push} holds each of our keys at most once, one reply range, one
     * exchange cursor.
     */
    private static final class Replica {
        long digest;
        long tombstoneDigest;
        long lastSyncNanos = Long.MIN_VALUE / 2;
        /** Our objects the peer lacks or holds older, with the version it reported ({@link #ABSENT}: none). */
        final TreeMap<ObjectKey, ObjectVersion> push = new TreeMap<>();
        /** The key range the peer asked for our versions of (merged), or null. */
        Range reply;
        /** Our own exchange with the peer is under way; its next message starts after {@link #cursor}. */
        boolean exchanging;
        ObjectKey cursor;
        long budget;
        long budgetSinceNanos = Long.MIN_VALUE / 2;
        /** A {@link CoreEvent.SyncPaced} went out since the work last ran out. */
        boolean pacedReported;

        boolean hasWork() {
            return !push.isEmpty() || reply != null || exchanging;
        }
    }

    private static final class PendingWrite {
        final long id;
        final WriteOp op;
        final long startNanos;
        int phase = 1;
        final Set<String> readFrom = new HashSet<>();
        final Set<String> ackFrom = new HashSet<>();
        StoredObject highest;
        /** The nodes whose read reply (or our own store) held {@link #highest}'s version. */
        final Set<String> highestFrom = new HashSet<>();
        StoredObject written;
        Outcome outcome;
        /** The message of the result, for an outcome that has one (NOT_FOUND). */
        String message;

        PendingWrite(long id, WriteOp op, long startNanos) {
            this.id = id;
            this.op = op;
            this.startNanos = startNanos;
        }
    }
}
