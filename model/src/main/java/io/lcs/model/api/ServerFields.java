package io.lcs.model.api;

/**
 * The fields only lcs writes: {@code metadata.version}, {@code metadata.generation},
 * {@code metadata.creationTimestamp} and {@code status}. {@link #strip} removes them, which is how
 * operator input ({@link Origin#USER}) is normalised before it reaches the store: whatever a user
 * copied from {@code lcs get -o yaml} into a manifest, the store's values win.
 */
public final class ServerFields {
    private ServerFields() {
    }

    /** @return {@code object} without server-maintained fields (same instance if it had none) */
    public static LcsObject strip(LcsObject object) {
        ObjectMeta m = object.metadata();
        ObjectMeta meta = m == null || (m.version() == null && m.generation() == null && m.creationTimestamp() == null)
                ? m : new ObjectMeta(m.name(), null, null, null, m.labels());
        if (object instanceof VirtualIP vip) {
            return meta == m && vip.status() == null ? vip
                    : new VirtualIP(vip.apiVersion(), vip.kind(), meta, vip.spec(), null);
        }
        if (object instanceof Service svc) {
            return meta == m && svc.status() == null ? svc
                    : new Service(svc.apiVersion(), svc.kind(), meta, svc.spec(), null);
        }
        if (meta == m) {
            return object;
        }
        if (object instanceof HealthCheck check) {
            return new HealthCheck(check.apiVersion(), check.kind(), meta, check.spec());
        }
        if (object instanceof Move move) {
            return new Move(move.apiVersion(), move.kind(), meta, move.spec());
        }
        if (object instanceof ConflictAck ack) {
            return new ConflictAck(ack.apiVersion(), ack.kind(), meta, ack.spec());
        }
        if (object instanceof ResourceIntent r) {
            return new ResourceIntent(r.apiVersion(), r.kind(), meta, r.spec());
        }
        NodeIntent intent = (NodeIntent) object;
        return new NodeIntent(intent.apiVersion(), intent.kind(), meta, intent.spec());
    }
}
