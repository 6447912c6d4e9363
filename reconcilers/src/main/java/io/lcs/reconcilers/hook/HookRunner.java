package io.lcs.reconcilers.hook;

/**
 * Runs failover hooks. Blocks the calling thread for at most the invocation's timeout plus a
 * short kill grace; call it from a worker thread. Thread-safe. Never throws for a failing,
 * missing or hanging hook: every outcome is a {@link HookResult}.
 */
public interface HookRunner {
    HookResult run(HookInvocation invocation) throws InterruptedException;
}
