package io.lcs.model.api;

/** Identifies one desired-state object: its kind and its name. Ordered by kind, then name. */
public record ObjectKey(String kind, String name) implements Comparable<ObjectKey> {
    public ObjectKey {
        if (kind == null || name == null) {
            throw new IllegalArgumentException("kind and name are required");
        }
    }

    @Override
    public int compareTo(ObjectKey o) {
        int c = kind.compareTo(o.kind);
        return c != 0 ? c : name.compareTo(o.name);
    }

    @Override
    public String toString() {
        return kind + "/" + name;
    }
}
