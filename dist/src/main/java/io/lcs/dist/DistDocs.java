package io.lcs.dist;

import io.lcs.cli.CliCommandModel;
import io.lcs.controller.daemon.Lcsd;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import picocli.AutoComplete;
import picocli.CommandLine;

/**
 * Build step: writes {@code man/lcs.8}, {@code man/lcsd.8} (and {@code .gz} copies for the Debian
 * package) and {@code completion/lcs.bash} under an installation tree, all generated from the
 * Picocli models of {@code lcs} and {@code lcsd}. Usage: {@code DistDocs HOME VERSION}.
 */
public final class DistDocs {
    private DistDocs() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: DistDocs HOME VERSION");
            System.exit(2);
        }
        Path home = Path.of(args[0]);
        String version = args[1];
        Path man = Files.createDirectories(home.resolve("man"));
        Path completion = Files.createDirectories(home.resolve("completion"));

        CommandLine lcs = CliCommandModel.commandLine();
        write(man.resolve("lcs.8"), ManPage.render(lcs.getCommandSpec(), version, List.of(
                new ManPage.Section("ENVIRONMENT", List.of(
                        "LCS_HOME: the installation directory (default: the directory above the launcher, "
                                + "/usr/share/lcs in the Debian package).",
                        "LCS_JAVA_OPTS: extra options for the Java runtime.")),
                new ManPage.Section("FILES", List.of(
                        "/etc/lcs/lcs.conf: read to find the local lcsd's admin API (admin_bind, admin_port, "
                                + "admin_token_file, state_dir).",
                        "/var/lib/lcs/admin.token: the admin token (state_dir/admin.token unless admin_token_file "
                                + "names another file), readable by root only. Changes need it: run as another "
                                + "user, lcs refuses them with exit code 1.",
                        "/usr/share/bash-completion/completions/lcs: bash completion.")),
                new ManPage.Section("C LCS COMPATIBILITY", List.of(
                        "The C lcs's command lines work unchanged: lcs resource list, lcs resource move RES NODE "
                                + "(and lcs move RES NODE), lcs resource start|stop RES, lcs resource "
                                + "clear-conflict RES (lcs ack; a VIP not in conflict is exit 0, as there), "
                                + "lcs nrpe, -j/--json before or after the verb, -V/--version.",
                        "-j prints the C lcs's JSON: status as {cluster, nodes, resources} (lease_id is the "
                                + "epoch), resource list as {resources}, nrpe as {state, exit_code, ...}, a "
                                + "change as {ok, message} (also on failure, on stdout, with the same exit code). "
                                + "-o json prints lcs's own status reply instead.",
                        "lcs nrpe exits 0 OK, 1 WARNING (a node not online: offline or recovering), 2 "
                                + "CRITICAL (no quorum, or a VIP neither active nor stopped by an operator), 3 "
                                + "UNKNOWN (lcsd cannot be reached). NRPE: command[check_lcs]=/usr/bin/lcs nrpe",
                        "-s/--socket PATH is accepted and ignored: lcs has no control socket and reaches "
                                + "lcsd's HTTP admin API named in lcs.conf; -s http://HOST:PORT is --server.")),
                new ManPage.Section("SEE ALSO", List.of("lcsd(8), systemctl(1)")))));

        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        CommandLine lcsd = new CommandLine(new Lcsd(quiet, quiet));
        write(man.resolve("lcsd.8"), ManPage.render(lcsd.getCommandSpec(), version, List.of(
                new ManPage.Section("SIGNALS", List.of(
                        "SIGTERM, SIGINT: release every VIP this node holds (running pre_stop and post_stop "
                                + "hooks), then exit 0.",
                        "SIGHUP (systemctl reload lcsd): re-read the configuration file. Changed [vip] "
                                + "sections and hooks are applied at once and VIPs that did not change stay "
                                + "up; a change to the cluster membership (name, node, the [node] sections, "
                                + "lease, ports, bind addresses, secret, state directory, hook_dirs) is refused "
                                + "with an error in the log and needs a restart. A [vip] section the reload adds "
                                + "or changes whose IP a VIP applied through the API already has is refused too, "
                                + "naming its line and the API object; nothing changes. lcs reload does the "
                                + "same and prints the outcome.")),
                new ManPage.Section("LOGGING", List.of(
                        "One line per message on standard error: under systemd to the journal (which adds "
                                + "the time), elsewhere each line starts with its ISO-8601 time unless "
                                + "--no-timestamp. -v debug, -vv more, -vvv all of lcs, -vvvv also Vert.x and "
                                + "Netty (more v's count as four).",
                        "With syslog = true in lcs.conf every line also goes to the system log (facility "
                                + "daemon, tag lcsd[PID]) through one logger(1) process; --no-syslog turns it off. "
                                + "Lines that could not wait are counted in lcs_log_syslog_dropped_total.",
                        "-d/--daemonize (outside systemd) starts lcsd again in a new session with its output "
                                + "on /dev/null and returns 0 once it runs, printing its PID. Under systemd it "
                                + "changes nothing.")),
                new ManPage.Section("HOOKS", List.of(
                        "pre_start, post_start, pre_stop and post_stop are absolute paths run as argv (no "
                                + "shell) with a timeout, and the environment LCS_CLUSTER LCS_NODE LCS_VIP "
                                + "LCS_ADDRESS LCS_INTERFACE LCS_EPOCH LCS_EVENT, and the C lcs's LCS_RESOURCE "
                                + "LCS_RESOURCE_TYPE LCS_SYSTEMD_UNIT LCS_LEASE_ID LCS_HOOK_TIMEOUT_MS. A failing pre_start keeps "
                                + "the VIP off this node. Under the shipped systemd unit hooks run with "
                                + "CAP_NET_ADMIN and CAP_NET_RAW only, on a read-only file system except "
                                + "/var/lib/lcs and a private /tmp.",
                        "A hook named in lcs.conf may live anywhere; a hook of a VIP applied through the API "
                                + "must lie inside a [cluster] hook_dirs directory (default /etc/lcs/hooks, "
                                + "/usr/local/libexec/lcs, /usr/libexec/lcs; symbolic links resolved) or be a path "
                                + "lcs.conf names. Before each run the file must be a regular file owned by root "
                                + "(or the user lcsd runs as), not writable by its group or others, and so must "
                                + "every directory on its path up to /. A hook that breaks a rule is not run: it "
                                + "fails with the reason in the log, the events and lcs_hook_refused_total. "
                                + "--check-config warns about each lcs.conf hook that would be refused.")),
                new ManPage.Section("ENVIRONMENT", List.of(
                        "LCS_HOME: the installation directory (default: the directory above the launcher).",
                        "LCSD_JAVA_OPTS: extra options for the Java runtime (after the shipped ones).",
                        "NOTIFY_SOCKET: set by systemd (Type=notify); lcsd then signals readiness with "
                                + "systemd-notify --ready.")),
                new ManPage.Section("FILES", List.of(
                        "/etc/lcs/lcs.conf: the configuration (INI: [cluster], [node NAME], [vip NAME]).",
                        "/var/lib/lcs: replicated objects and lease epochs (state_dir).",
                        "/var/lib/lcs/admin.token: the admin API's token, created at start if missing (256 "
                                + "random bits, mode 0600); changes through the API need it. Delete it and "
                                + "restart lcsd to replace it.",
                        "/lib/systemd/system/lcsd.service: the systemd unit.",
                        "/usr/share/doc/lcs/examples: configurations for common topologies; c-lcs/ has "
                                + "C-lcs-style files that lcsd accepts unchanged.")),
                new ManPage.Section("SEE ALSO", List.of("lcs(8), systemd.exec(5), ip-address(8), arping(8)")))));

        write(completion.resolve("lcs.bash"), AutoComplete.bash("lcs", lcs));
        for (String page : List.of("lcs.8", "lcsd.8")) {
            gzip(man.resolve(page), man.resolve(page + ".gz"));
        }
    }

    private static void write(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    /** gzip with no name and mtime 0 in the header, as Debian wants for reproducible man pages. */
    private static void gzip(Path from, Path to) throws IOException {
        try (GZIPOutputStream gz = new GZIPOutputStream(Files.newOutputStream(to))) {
            gz.write(Files.readAllBytes(from));
        }
    }
}
