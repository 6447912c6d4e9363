package io.lcs.harness.bench;

import java.time.Duration;
import java.util.List;

/**
 * A system under test running on the benchmark's nodes (lcs or keepalived), node i = 1..N. Every
 * method acts only on processes this subject started, by PID, and is bounded in time.
 */
public interface Subject extends AutoCloseable {
    /** "lcs" or "keepalived". */
    String name();

    int nodes();

    /** Starts every node's daemon at once (as fast as processes can be spawned). */
    void startAll();

    /** Starts node i's daemon (no-op if it runs). */
    void start(int node);

    /** Graceful stop of every daemon (releases VIPs), bounded; SIGKILL after the bound. */
    void stopAll();

    /** SIGKILL of every process of node i's daemon, at once; waits (bounded) until they are gone. */
    void kill9(int node);

    /** SIGSTOP of every process of node i's daemon. */
    void freeze(int node);

    /** SIGCONT. */
    void thaw(int node);

    /** Whether node i's daemon runs. */
    boolean running(int node);

    /** PIDs of node i's daemon processes now (empty if not running). */
    List<Long> pids(int node);

    /**
     * Waits (bounded) until every node is a working member again after a restart (lcs: quorum
     * and restart wait over; keepalived: running for a few adverts); false at the deadline.
     */
    boolean awaitMembers(Duration timeout);

    @Override
    void close();
}
