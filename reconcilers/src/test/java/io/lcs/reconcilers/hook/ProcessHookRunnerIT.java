package io.lcs.reconcilers.hook;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcessHookRunnerIT {
    @TempDir
    Path dir;
    private final ProcessHookRunner runner = new ProcessHookRunner();

    private Path script(String name, String body) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    private static HookInvocation inv(Path program, Duration timeout) {
        return new HookInvocation("pre_start", program, Map.of(
                "LCS_CLUSTER", "c1", "LCS_NODE", "a", "LCS_VIP", "web", "LCS_ADDRESS", "198.18.0.201/24",
                "LCS_INTERFACE", "eth0", "LCS_EPOCH", "7", "LCS_EVENT", "pre_start"), timeout);
    }

    /** Alive = /proc/PID exists and is not a zombie (a zombie has no code left to run). */
    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    private static long readPid(Path file) throws Exception {
        for (int i = 0; i < 200 && (!Files.exists(file) || Files.readString(file).isBlank()); i++) {
            Thread.sleep(10);
        }
        return Long.parseLong(Files.readString(file).strip());
    }

    private static void assertGone(long pid) throws InterruptedException {
        for (int i = 0; i < 200 && running(pid); i++) {
            Thread.sleep(10);
        }
        assertFalse(running(pid), "process " + pid + " survived the hook's timeout");
    }

    @Test
    void hookGetsOnlyPathAndTheLcsVariables() throws Exception {
        HookResult r = runner.run(inv(script("env", "env | sort\npwd\n"), Duration.ofSeconds(10)));
        assertTrue(r.succeeded(), r.toString());
        assertEquals("""
                LCS_ADDRESS=198.18.0.201/24
                LCS_CLUSTER=c1
                LCS_EPOCH=7
                LCS_EVENT=pre_start
                LCS_INTERFACE=eth0
                LCS_NODE=a
                LCS_VIP=web
                PATH=/usr/sbin:/usr/bin:/sbin:/bin
                PWD=/
                /
                """, r.output());
    }

    @Test
    void exitCodeAndBothOutputStreamsAreReported() throws Exception {
        HookResult r = runner.run(inv(script("fail", "echo to-stdout\necho to-stderr >&2\nexit 3\n"),
                Duration.ofSeconds(10)));
        assertEquals(3, r.exitCode());
        assertFalse(r.timedOut());
        assertFalse(r.succeeded());
        assertTrue(r.output().contains("to-stdout") && r.output().contains("to-stderr"), r.output());
    }

    @Test
    void stdinIsEmpty() throws Exception {
        HookResult r = runner.run(inv(script("stdin", "cat\necho end\n"), Duration.ofSeconds(10)));
        assertEquals("end\n", r.output());
    }

    @Test
    void chattyHookNeverBlocksAndItsOutputIsBounded() throws Exception {
        // about 1 MiB on stdout and stderr: far more than a pipe buffer
        HookResult r = runner.run(inv(script("chatty",
                "echo FIRST\ni=0\nwhile [ $i -lt 20000 ]; do echo 'line of hook output 0123456789 0123456789'; "
                        + "echo 'err line 0123456789' >&2; i=$((i+1)); done\necho LAST\n"), Duration.ofSeconds(30)));
        assertTrue(r.succeeded(), "exit " + r.exitCode() + " timedOut " + r.timedOut());
        assertTrue(r.output().length() <= ProcessHookRunner.MAX_OUTPUT_BYTES + 64, "kept " + r.output().length());
        assertTrue(r.output().startsWith("FIRST\n"));
        assertTrue(r.output().endsWith("LAST\n"));
        assertTrue(r.output().contains("bytes truncated"));
    }

    /**
     * The bound that holds without lcsd (frozen or killed): the hook runs under {@code timeout -s KILL}
     * with its timeout plus the extra, so its process group dies even when nobody in lcsd is left to
     * kill it (a hook-only resource's next owner relies on it).
     */
    @Test
    void theHookRunsUnderAnExternalKillLimitThatDoesNotNeedLcsd() throws Exception {
        HookResult r = runner.run(inv(script("parent", "tr '\\0' ' ' < /proc/$PPID/cmdline\n"),
                Duration.ofMillis(300)));
        assertTrue(r.succeeded(), r.toString());
        String parent = r.output().strip();
        assertTrue(parent.matches(".*timeout -s KILL 1\\.300 .*/parent"), "the hook's parent: " + parent);
    }

    @Test
    void timeoutKillsTheHookAndItsGrandchildren() throws Exception {
        Path pids = dir.resolve("pids");
        Path hook = script("hang", "sleep 100 &\necho $! > " + pids + "\nwait\n");
        long start = System.nanoTime();
        HookResult r = runner.run(inv(hook, Duration.ofMillis(1_000)));
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(r.timedOut());
        assertFalse(r.succeeded());
        assertTrue(tookMillis < 6_000, "took " + tookMillis + " ms");
        assertGone(readPid(pids));
    }

    @Test
    void timeoutKillsAHookThatIgnoresSigterm() throws Exception {
        Path pids = dir.resolve("pids");
        Path hook = script("stubborn", "trap '' TERM\nsh -c 'trap \"\" TERM; sleep 100' &\necho $! > " + pids
                + "\nwhile :; do sleep 1; done\n");
        HookResult r = runner.run(inv(hook, Duration.ofMillis(1_000)));
        assertTrue(r.timedOut());
        assertEquals(137, r.exitCode(), "killed by SIGKILL after the grace");
        assertGone(readPid(pids));
    }

    @Test
    void timeoutKillsGrandchildrenWhoseParentAlreadyExited() throws Exception {
        // the orphan is reparented away from the hook, so only the process-group kill can find it
        Path pids = dir.resolve("pids");
        Path hook = script("orphan", "sh -c 'sleep 100 & echo $! > " + pids + "'\nsleep 100\n");
        HookResult r = runner.run(inv(hook, Duration.ofMillis(1_000)));
        assertTrue(r.timedOut());
        assertGone(readPid(pids));
    }

    @Test
    void aHookMayLeaveADaemonBehindButACheckRunLeavesNothing() throws Exception {
        Path pids = dir.resolve("pids");
        Path program = script("leaves", "sleep 100 &\necho $! > " + pids + "\necho checked\nexit 0\n");
        HookResult hook = runner.run(inv(program, Duration.ofSeconds(5)));
        assertTrue(hook.succeeded(), hook.toString());
        long daemon = readPid(pids);
        try {
            assertTrue(running(daemon), "a hook's child is left alone (it may be a daemon started on purpose)");
        } finally {
            ProcessHandle.of(daemon).ifPresent(ProcessHandle::destroyForcibly); // ours: started by this test
        }
        Files.delete(pids);
        HookResult check = ProcessHookRunner.forChecks().run(inv(program, Duration.ofSeconds(5)));
        assertTrue(check.succeeded(), check.toString());
        assertTrue(check.output().contains("checked"), check.output());
        assertGone(readPid(pids)); // a check runs every few seconds: what it leaves would pile up
    }

    @Test
    void withoutSetsidDescendantsAreStillKilled() throws Exception {
        ProcessHookRunner plain = new ProcessHookRunner(Optional.empty(), Optional.empty());
        Path pids = dir.resolve("pids");
        Path hook = script("hang2", "sleep 100 &\necho $! > " + pids + "\nwait\n");
        HookResult r = plain.run(inv(hook, Duration.ofMillis(1_000)));
        assertTrue(r.timedOut());
        assertGone(readPid(pids));
    }

    @Test
    void missingOrNonExecutableProgramIsAFailedResultNotAnException() throws Exception {
        HookResult missing = runner.run(inv(dir.resolve("nope"), Duration.ofSeconds(1)));
        assertEquals(127, missing.exitCode());
        assertTrue(missing.output().contains("does not exist"), missing.output());
        Path plain = dir.resolve("plain");
        Files.writeString(plain, "#!/bin/sh\nexit 0\n");
        HookResult notExecutable = runner.run(inv(plain, Duration.ofSeconds(1)));
        assertEquals(126, notExecutable.exitCode());
        assertTrue(notExecutable.output().contains("not an executable"), notExecutable.output());
        assertEquals(126, runner.run(inv(dir, Duration.ofSeconds(1))).exitCode(), "a directory");
        assertEquals(127, runner.run(inv(Path.of("relative/hook"), Duration.ofSeconds(1))).exitCode());
    }

    @Test
    void badEnvironmentNamesAreRefusedBeforeAnythingRuns() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new HookInvocation("pre_start", dir, Map.of("PATH", "/tmp"), Duration.ofSeconds(1)));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new HookInvocation("pre_start", dir, Map.of("LCS_X", "a\0b"), Duration.ofSeconds(1)));
    }
}
