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
 * {@link CoreEvent.ObjectChanged} and {@link CoreEvent.WriteCompleted}.
 *
 * <p><b>Tombstones</b> are collected {@code tombstoneGcMillis} after they were stored, and only
 * while every peer is {@link Membership#settled settled} and its last heartbeat reported our live
 * digest: no node holds an older live copy, and none can still read one from a backlog queued
 * while it was cut off or frozen (it has had a peer timeout to read it, and its digest would
 * show it). What remains assumed is that no message spends longer than the tombstone's age in the
 * network between two running nodes.
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

    private final CoreConfig config;
    private final String self;
    private final Membership membership;
    private final Outbox out;
    /** This node's replica: the object store (tombstones included) with its live digest. */
    private final InMemoryObjectStore objects = new InMemoryObjectStore();
    private final Map<ObjectKey, Long> tombstoneSeenNanos = new HashMap<>();
    private final Map<Long, PendingWrite> writes = new HashMap<>();
    private final Map<String, Replica> replicas = new HashMap<>();
    private long nextRequestId = 1;

    ReplicatedStore(CoreConfig config, Membership membership, Outbox out) {
        this.config = config;
        this.self = config.self();
        this.membership = membership;
        this.out = out;
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
            out.event(new CoreEvent.WriteCompleted(new WriteResult(id, op.key(), Outcome.TIMED_OUT, null,
                    "too many writes in flight (" + MAX_PENDING_WRITES + "); try again")));
            return id;
        }
        PendingWrite w = new PendingWrite(id, op, nowNanos);
        writes.put(id, w);
        // ABD phase 1: read the highest version from a majority (ourselves included).
        w.readFrom.add(self);
        w.highest = objects.get(op.key()).orElse(null);
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
        if (w == null || w.phase != 1 || !w.readFrom.add(from)) {
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
        if (w == null || w.phase != 2 || !a.version().equals(w.written.version()) || !w.ackFrom.add(from)) {
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
        StoredObject local = objects.get(w.op.key()).orElse(null);
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
        out.send(from, new Message.ReadReply(r.requestId(), r.key(), objects.get(r.key()).orElse(null)));
    }

    void onWriteRequest(String from, Message.WriteRequest w, long nowNanos) {
        putObject(w.object(), nowNanos, true);
        out.send(from, new Message.WriteAck(w.requestId(), w.object().key(), w.object().version()));
    }

    /** Stores {@code o} if it is newer than what we hold; persists and reports the change. */
    private boolean putObject(StoredObject o, long nowNanos, boolean persist) {
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

    /** A matching peer's heartbeat digests: start an exchange if they differ from ours (at most once per sync interval). */
    void onPeerDigests(String peer, long liveDigest, long tombstoneDigest, long nowNanos) {
        Replica r = replicas.get(peer);
        r.digest = liveDigest;
        r.tombstoneDigest = tombstoneDigest;
        if ((liveDigest != objects.liveDigest() || tombstoneDigest != objects.tombstoneDigest())
                && nowNanos - r.lastSyncNanos >= config.syncIntervalMillis() * 1_000_000L) {
            r.lastSyncNanos = nowNanos;
            sendVersions(peer, false);
        }
    }

    private void sendVersions(String to, boolean reply) {
        List<Message.VersionEntry> batch = new ArrayList<>();
        for (StoredObject o : objects.all()) {
            batch.add(new Message.VersionEntry(o.key(), o.version(), o.deleted()));
            if (batch.size() == MAX_VERSIONS_PER_SYNC) {
                out.send(to, new Message.SyncVersions(batch, reply));
                batch = new ArrayList<>();
            }
        }
        out.send(to, new Message.SyncVersions(batch, reply));
    }

    void onSyncVersions(String from, Message.SyncVersions sv) {
        Map<ObjectKey, Message.VersionEntry> theirs = new HashMap<>();
        for (Message.VersionEntry e : sv.versions()) {
            theirs.put(e.key(), e);
        }
        List<StoredObject> newer = new ArrayList<>();
        for (StoredObject mine : objects.all()) {
            Message.VersionEntry t = theirs.get(mine.key());
            // A tombstone is only sent to a peer holding an older live copy: for a peer that has
            // nothing, "absent" already means "deleted" (and it may have collected the tombstone).
            boolean send = t == null ? !mine.deleted() : mine.version().isNewerThan(t.version());
            if (send) {
                newer.add(mine);
                if (newer.size() == MAX_OBJECTS_PER_SYNC) {
                    out.send(from, new Message.SyncObjects(newer));
                    newer = new ArrayList<>();
                }
            }
        }
        if (!newer.isEmpty()) {
            out.send(from, new Message.SyncObjects(newer));
        }
        if (!sv.reply()) {
            sendVersions(from, true);
        }
    }

    void onSyncObjects(Message.SyncObjects so, long nowNanos) {
        for (StoredObject o : so.objects()) {
            putObject(o, nowNanos, true);
        }
    }

    // ------------------------------------------------------------------ time

    /** Write timeouts and tombstone collection. */
    void tick(long nowNanos) {
        expireWrites(nowNanos);
        collectTombstones(nowNanos);
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
                objects.forget(e.getKey());
                tombstoneSeenNanos.remove(e.getKey());
                out.forget(e.getKey());
            }
        }
    }

    /** The earliest time a tick has store work: a write timeout. */
    long nextDeadlineNanos() {
        long next = Long.MAX_VALUE;
        long writeTimeout = config.writeTimeoutMillis() * 1_000_000L;
        for (PendingWrite w : writes.values()) {
            next = Math.min(next, w.startNanos + writeTimeout + 1);
        }
        return next;
    }

    // ------------------------------------------------------------------ queries

    Optional<StoredObject> object(ObjectKey key) {
        return objects.get(key).filter(o -> !o.deleted());
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

    /** What this node knows of one peer's replica, from its heartbeats. */
    private static final class Replica {
        long digest;
        long tombstoneDigest;
        long lastSyncNanos = Long.MIN_VALUE / 2;
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
