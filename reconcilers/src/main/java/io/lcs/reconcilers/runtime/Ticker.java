package io.lcs.reconcilers.runtime;

/**
 * A monotonic time source in nanoseconds, like {@link System#nanoTime()}: only differences between
 * two readings mean anything. Injected wherever a delay or a lifetime is computed so tests can drive
 * time by hand. Implementations must be thread-safe and never go backwards.
 */
@FunctionalInterface
public interface Ticker {
    long nanoTime();

    /** The JVM's monotonic clock. */
    static Ticker system() {
        return System::nanoTime;
    }
}
