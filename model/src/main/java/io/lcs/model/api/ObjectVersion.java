package io.lcs.model.api;

/**
 * The version of a replicated object, as the ABD register orders writes: a counter, ties broken by
 * the name of the node that wrote it. {@link #ZERO} is below every written version.
 */
public record ObjectVersion(long counter, String writer) implements Comparable<ObjectVersion> {
    public static final ObjectVersion ZERO = new ObjectVersion(0, "");

    public ObjectVersion {
        if (counter < 0 || writer == null) {
            throw new IllegalArgumentException("bad version " + counter + "/" + writer);
        }
    }

    /** The next version a writer takes after reading {@code this} as the highest from a majority. */
    public ObjectVersion next(String writerName) {
        return new ObjectVersion(counter + 1, writerName);
    }

    @Override
    public int compareTo(ObjectVersion o) {
        int c = Long.compare(counter, o.counter);
        return c != 0 ? c : writer.compareTo(o.writer);
    }

    public boolean isNewerThan(ObjectVersion o) {
        return compareTo(o) > 0;
    }

    @Override
    public String toString() {
        return counter + "." + writer;
    }
}
