package io.lcs.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example hooks of examples/cloud/hooks, run as lcsd runs them (a clean environment with the
 * {@code LCS_*} variables, no arguments) against a provider command that records its arguments
 * ({@code LCS_CLOUD_CLI} in the settings file): each event makes the calls the provider needs,
 * the detach only when the address is still on this node, and a second run is harmless.
 */
class CloudExampleHooksTest {
    private static final Path HOOKS = Path.of("..", "examples", "cloud", "hooks");

    @TempDir
    Path dir;

    /** A copy of the example hook {@code name} in {@link #dir}, with {@code settings} as its fip.env. */
    private Path hook(String name, String settings) throws IOException {
        Path hook = dir.resolve(name);
        Files.copy(HOOKS.resolve(name), hook, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(dir.resolve("fip.env"), settings);
        return hook;
    }

    /** A provider command that records its arguments, one call a line, and prints {@code answer}. */
    private Path recorder(String answer) throws IOException {
        Path rec = dir.resolve("recorder");
        Files.writeString(dir.resolve("answer"), answer);
        Files.writeString(rec, "#!/bin/sh\nfor a; do printf '[%s]' \"$a\" >> " + dir.resolve("calls") + "; done\n"
                + "echo >> " + dir.resolve("calls") + "\ncat " + dir.resolve("answer") + "\n");
        Files.setPosixFilePermissions(rec, PosixFilePermissions.fromString("rwxr-xr-x"));
        return rec;
    }

    private List<String> calls() throws IOException {
        Path calls = dir.resolve("calls");
        List<String> out = Files.exists(calls) ? Files.readAllLines(calls) : List.of();
        Files.deleteIfExists(calls);
        return out;
    }

    /** Runs {@code hook} as lcsd would for {@code event} on {@code node}; returns its exit code. */
    private static int run(Path hook, String event, String node) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(hook.toString()).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        pb.environment().put("LCS_RESOURCE", "fip");
        pb.environment().put("LCS_NODE", node);
        pb.environment().put("LCS_EVENT", event);
        pb.environment().put("LCS_EPOCH", "4");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "hook ran too long");
        if (p.exitValue() != 0) {
            System.out.println(hook.getFileName() + " " + event + ": exit " + p.exitValue() + ": " + out);
        }
        return p.exitValue();
    }

    @Test
    void awsAssignsWithReassignmentAndUnassignsOnlyFromItsOwnInterface() throws Exception {
        Path fake = dir.resolve("fake-aws");
        Files.copy(Path.of("src/test/resources/cloud/fake-aws"), fake);
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path hook = hook("aws-secondary-ip", "ENI=eni-$LCS_NODE\nPRIVATE_IP=198.18.0.77\nLCS_CLOUD_CLI=" + fake + "\n");
        assertEquals(0, run(hook, "pre_start", "a"));
        assertEquals(0, run(hook, "pre_start", "a"), "idempotent");
        assertEquals(0, run(hook, "pre_start", "b"), "moves it from a");
        assertEquals(0, run(hook, "post_stop", "a"), "no longer a's: nothing to do, no error");
        assertEquals("eni-b", Files.readString(dir.resolve("state")).strip(), "a's detach left b's assignment");
        assertEquals(0, run(hook, "post_stop", "b"));
        assertEquals(0, run(hook, "post_stop", "b"), "idempotent");
        assertEquals(0, run(hook, "post_start", "b"), "other events do nothing");
        List<String> ops = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("calls.log"))) {
            String[] f = line.split(" ");
            ops.add(f[1] + " " + f[2] + " " + f[3] + " " + f[5]);
        }
        assertEquals(List.of("a attach 4 -", "a attach 4 eni-a", "b attach 4 eni-a", "b detach 4 eni-b"), ops);
        assertEquals("", Files.readString(dir.resolve("state")).strip());
    }

    @Test
    void hetznerCloudAssignsAndUnassignsOnlyWhenTheFloatingIpPointsHere() throws Exception {
        Path rec = recorder("{\"floating_ip\": {\"id\": 7, \"server\": 42}}");
        String base = "HETZNER_API=cloud\nFLOATING_IP=my-fip\nSERVER=web-1\nLCS_CLOUD_CLI=" + rec + "\n";
        Path hook = hook("hetzner-failover-ip", base + "SERVER_ID=42\n");
        assertEquals(0, run(hook, "pre_start", "a"));
        assertEquals(List.of("[floating-ip][assign][my-fip][web-1]"), calls());
        assertEquals(0, run(hook, "post_stop", "a"));
        assertEquals(List.of("[floating-ip][describe][my-fip][-o][json]", "[floating-ip][unassign][my-fip]"), calls());
        hook("hetzner-failover-ip", base + "SERVER_ID=4\n"); // 42 is another server, not this one
        assertEquals(0, run(hook, "post_stop", "a"));
        assertEquals(List.of("[floating-ip][describe][my-fip][-o][json]"), calls(), "not ours: left alone");
    }

    @Test
    void hetznerRobotRoutesAndUnroutesOnlyWhenTheFailoverIpPointsHere() throws Exception {
        Path rec = recorder("{\"failover\":{\"ip\":\"198.51.100.7\",\"active_server_ip\":\"203.0.113.10\"}}");
        String base = "HETZNER_API=robot\nFAILOVER_IP=198.51.100.7\nROBOT_USER=u\nROBOT_PASSWORD=p\nLCS_CLOUD_CLI="
                + rec + "\n";
        String url = "[https://robot-ws.your-server.de/failover/198.51.100.7]";
        Path hook = hook("hetzner-failover-ip", base + "SERVER_IP=203.0.113.10\n");
        assertEquals(0, run(hook, "pre_start", "a"));
        assertEquals(List.of("[-fsS][-u][u:p]" + url + "[-d][active_server_ip=203.0.113.10]"), calls());
        assertEquals(0, run(hook, "post_stop", "a"));
        assertEquals(List.of("[-fsS][-u][u:p]" + url, "[-fsS][-u][u:p][-X][DELETE]" + url), calls());
        hook("hetzner-failover-ip", base + "SERVER_IP=203.0.113.11\n");
        assertEquals(0, run(hook, "post_stop", "b"));
        assertEquals(List.of("[-fsS][-u][u:p]" + url), calls(), "routed elsewhere: left alone");
    }

    @Test
    void gcpTakesTheRangeOffAnyOtherInstanceThenSetsItHere() throws Exception {
        Path rec = recorder("web-2\tzone-b\n");
        Path hook = hook("gcp-alias-ip", "INSTANCE=web-1\nZONE=zone-a\nALIAS_RANGE=10.132.5.10/32\nLCS_CLOUD_CLI="
                + rec + "\n");
        String list = "[compute][instances][list][--filter=networkInterfaces.aliasIpRanges.ipCidrRange:10.132.5.10/32]"
                + "[--format=value(name,zone.basename())]";
        assertEquals(0, run(hook, "pre_start", "a"));
        assertEquals(List.of(list,
                "[compute][instances][network-interfaces][update][web-2][--zone][zone-b][--network-interface][nic0]"
                        + "[--aliases][]",
                "[compute][instances][network-interfaces][update][web-1][--zone][zone-a][--network-interface][nic0]"
                        + "[--aliases][10.132.5.10/32]"), calls());
        assertEquals(0, run(hook, "post_stop", "a"));
        assertEquals(List.of(list), calls(), "not here: nothing removed");
        recorder("web-1\tzone-a\n");
        assertEquals(0, run(hook, "pre_start", "a"));
        assertEquals(List.of(list), calls(), "already here: idempotent");
        assertEquals(0, run(hook, "post_stop", "a"));
        assertEquals(List.of(list, "[compute][instances][network-interfaces][update][web-1][--zone][zone-a]"
                + "[--network-interface][nic0][--aliases][]"), calls());
    }

    @Test
    void aMissingSettingsFileIsAClearFailure() throws Exception {
        for (String name : List.of("aws-secondary-ip", "hetzner-failover-ip", "gcp-alias-ip")) {
            Path hook = hook(name, "");
            Files.delete(dir.resolve("fip.env"));
            assertEquals(2, run(hook, "pre_start", "a"), name);
        }
    }
}
