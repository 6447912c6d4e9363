package io.lcs.harness.sim;

/**
 * Simulated time. {@link #nowNanos()} is real time (what an outside observer's perfect clock reads),
 * starting at 0 and only moving forward under the simulation's control. Each node reads it through a
 * {@link NodeClock}: a monotonic clock running at its own rate (1 + drift) from its own offset, which
 * stops while the node is suspended, and a wall clock that keeps running through a suspend.
 *
 * <p>Not thread-safe: one simulation thread owns it.
 */
public final class SimClock {
    private long nowNanos;

    public long nowNanos() {
        return nowNanos;
    }

    /** Moves real time to {@code realNanos}; never backwards. */
    public void advanceTo(long realNanos) {
        if (realNanos < nowNanos) {
            throw new IllegalStateException("time would go back: " + realNanos + " < " + nowNanos);
        }
        nowNanos = realNanos;
    }

    /**
     * One node's clocks. Monotonic: {@code offset + rate * (real time not spent suspended)}, so it
     * never goes back and does not advance during a suspend (like CLOCK_MONOTONIC). Wall:
     * {@code wallOffset + rate * real time}, so after a suspend it has jumped ahead of monotonic time.
     */
    public static final class NodeClock {
        private final SimClock real;
        private final double rate;
        private final long monoOffsetNanos;
        private final long wallOffsetMillis;
        private long suspendedTotalNanos;
        private long suspendStartNanos = -1;

        /**
         * @param rate 1 + drift; the simulation keeps |drift| at most half the configured drift bound,
         *     so two nodes' rates differ by at most the bound
         */
        public NodeClock(SimClock real, double rate, long monoOffsetNanos, long wallOffsetMillis) {
            this.real = real;
            this.rate = rate;
            this.monoOffsetNanos = monoOffsetNanos;
            this.wallOffsetMillis = wallOffsetMillis;
        }

        public double rate() {
            return rate;
        }

        /** The node's monotonic clock now. */
        public long monoNanos() {
            long r = real.nowNanos();
            long running = r - suspendedTotalNanos - (suspendStartNanos >= 0 ? r - suspendStartNanos : 0);
            return monoOffsetNanos + (long) (running * rate);
        }

        /** The node's wall clock now, in milliseconds; runs through a suspend. */
        public long wallMillis() {
            return wallOffsetMillis + (long) (real.nowNanos() * rate) / 1_000_000L;
        }

        /** Real nanoseconds that pass while this node's monotonic clock advances {@code localNanos}. */
        public long realNanosFor(long localNanos) {
            return (long) Math.ceil(localNanos / rate);
        }

        public boolean suspended() {
            return suspendStartNanos >= 0;
        }

        /** Real nanoseconds the current suspend has lasted (0 when not suspended). */
        public long suspendedForNanos() {
            return suspendStartNanos < 0 ? 0 : real.nowNanos() - suspendStartNanos;
        }

        public void suspend() {
            if (suspendStartNanos < 0) {
                suspendStartNanos = real.nowNanos();
            }
        }

        public void resume() {
            if (suspendStartNanos >= 0) {
                suspendedTotalNanos += real.nowNanos() - suspendStartNanos;
                suspendStartNanos = -1;
            }
        }
    }
}
