package io.lcs.reconcilers.net;

/**
 * An address lifetime as the kernel reports it: whole seconds left, or forever (the kernel's
 * {@code INFINITY_LIFE_TIME}, 4294967295, which {@code ip -j} prints as is).
 *
 * @param seconds 0..4294967295; {@value #FOREVER_SECONDS} means forever
 */
public record Lifetime(long seconds) {
    public static final long FOREVER_SECONDS = 0xFFFF_FFFFL;
    public static final Lifetime FOREVER = new Lifetime(FOREVER_SECONDS);

    public Lifetime {
        if (seconds < 0 || seconds > FOREVER_SECONDS) {
            throw new IllegalArgumentException("lifetime " + seconds + " s out of range 0.." + FOREVER_SECONDS);
        }
    }

    public static Lifetime ofSeconds(long seconds) {
        return new Lifetime(seconds);
    }

    public boolean isForever() {
        return seconds == FOREVER_SECONDS;
    }

    @Override
    public String toString() {
        return isForever() ? "forever" : seconds + "s";
    }
}
