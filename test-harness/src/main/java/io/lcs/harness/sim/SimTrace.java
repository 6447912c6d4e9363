package io.lcs.harness.sim;

import java.io.PrintStream;

/**
 * The simulation's record of what happened: the last {@link #KEEP} steps (formatted only when a
 * failure message or a verbose run needs them) and a running 64-bit hash of every step, so two runs
 * of one seed can be compared exactly. Entries are formatted lazily: recording is cheap.
 */
public final class SimTrace {
    /** Steps kept for a failure message. */
    public static final int KEEP = 50;

    private final long[] times = new long[KEEP];
    private final String[] what = new String[KEEP];
    private final String[] node = new String[KEEP];
    private final Object[] detail = new Object[KEEP];
    private int next;
    private long count;
    private long hash = 0x243F6A8885A308D3L;
    private final PrintStream verbose;

    /** @param verbose where to print every step as it happens, or null */
    public SimTrace(PrintStream verbose) {
        this.verbose = verbose;
    }

    /**
     * Records one step. {@code detailHash} must be deterministic across JVMs (no identity hashes):
     * callers pass hashes of records made of strings and numbers.
     */
    public void record(long realNanos, String what, String node, Object detail, long detailHash) {
        times[next] = realNanos;
        this.what[next] = what;
        this.node[next] = node;
        this.detail[next] = detail;
        next = (next + 1) % KEEP;
        count++;
        hash = mix(hash ^ realNanos);
        hash = mix(hash ^ what.hashCode());
        hash = mix(hash ^ (node == null ? 0 : node.hashCode()));
        hash = mix(hash ^ detailHash);
        if (verbose != null) {
            verbose.println(format(realNanos, what, node, detail));
        }
    }

    /** Mixes a value into the hash without a step (e.g. a store digest after a tick). */
    public void mixIn(long value) {
        hash = mix(hash ^ value);
    }

    public long hash() {
        return hash;
    }

    public long steps() {
        return count;
    }

    /** The last steps, oldest first, one per line. */
    public String tail() {
        StringBuilder sb = new StringBuilder();
        int n = (int) Math.min(count, KEEP);
        for (int i = 0; i < n; i++) {
            int j = Math.floorMod(next - n + i, KEEP);
            sb.append("  ").append(format(times[j], what[j], node[j], detail[j])).append('\n');
        }
        return sb.toString();
    }

    private static String format(long realNanos, String what, String node, Object detail) {
        String d = detail == null ? "" : String.valueOf(detail);
        if (d.length() > 400) {
            d = d.substring(0, 400) + "...";
        }
        return String.format("%10.3f ms %-8s %-10s %s", realNanos / 1e6, what, node == null ? "" : node, d);
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
