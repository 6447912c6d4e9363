package io.lcs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.lcs.model.api.Move;
import io.lcs.model.api.VirtualIP;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lcs move VIP [NODE | --to NODE] [--wait [--timeout 30s]]}: writes a Move intent; with
 * {@code --wait}, polls the VIP until it is active on the target (or on any other node) or the
 * timeout passes (exit 1). The positional NODE is the C lcs's form ({@code lcs move RES NODE},
 * {@code lcs resource move RES NODE}).
 */
@Command(name = "move", description = "Move a VIP to another node (or to NODE: lcs move VIP NODE, as the C lcs).")
final class MoveCommand extends AdminCommand {
    @picocli.CommandLine.Mixin
    HelpOption helpOption;

    /** 1 hour: an upper bound so a typo like 30h cannot leave a script hanging for a day. */
    static final Duration MAX_TIMEOUT = Duration.ofHours(1);

    @Parameters(index = "0", paramLabel = "VIP")
    String vip;

    @Parameters(index = "1", arity = "0..1", paramLabel = "NODE", description = "target node, as --to")
    String node;

    @Option(names = "--to", paramLabel = "NODE", description = "target node (default: any other eligible node)")
    String to;

    @Option(names = "--wait", description = "wait until the VIP is active on its new node")
    boolean await;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
            description = "how long --wait waits, e.g. 30s, 500ms, 2m (default: ${DEFAULT-VALUE})")
    Duration timeout;

    @Override
    public Integer call() {
        checkName("VIP", vip);
        if (node != null) {
            if (to != null && !to.equals(node)) {
                throw new CliException(Lcs.EXIT_USAGE, "two targets: NODE " + node + " and --to " + to + "; give one");
            }
            to = node;
        }
        if (to != null) {
            checkName("--to", to);
        }
        AdminClient client = client();
        ResourceView before = await ? ResourceView.find(client, vip) : null;
        String body = to == null ? "{}" : Replies.LENIENT.createObjectNode().put("to", to).toString();
        Move move = Replies.convert(client.post("/api/v1/vips/" + vip + "/move", body, "application/json"), Move.class);
        String target = move.spec() == null || move.spec().to() == null ? "any other node" : move.spec().to();
        if (!await) {
            done("virtualip/" + vip + " move to " + target + " requested");
            return Lcs.EXIT_OK;
        }
        String from = before.status() == null ? null : before.status().owner();
        long deadline = env().nanoTime().getAsLong() + timeout.toNanos();
        VirtualIP.Status st = before.status();
        while (true) {
            if (moved(st, from)) {
                done(before.ref() + " moved to " + st.owner() + " (epoch " + st.epoch() + ")");
                return Lcs.EXIT_OK;
            }
            if (env().nanoTime().getAsLong() - deadline >= 0) {
                throw new CliException(Lcs.EXIT_ERROR, "timed out after " + timeout.toMillis() / 1000.0 + "s waiting for "
                        + before.ref() + " to move to " + target + "; now " + describe(st)
                        + " (the move stays requested; see lcs describe " + (before.isService() ? "service " : "vip ")
                        + vip + ")");
            }
            try {
                Thread.sleep(env().pollInterval().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException(Lcs.EXIT_ERROR, "interrupted");
            }
            st = ResourceView.get(client, before.isService(), vip).status();
        }
    }

    @Override
    boolean jsonErrors() {
        return true;
    }

    private boolean moved(VirtualIP.Status st, String from) {
        if (st == null || st.owner() == null || !"active".equals(st.state())) {
            return false;
        }
        return to != null ? to.equals(st.owner()) : !st.owner().equals(from);
    }

    private static String describe(VirtualIP.Status st) {
        return st == null ? "not observed" : "state " + st.state() + " on " + (st.owner() == null ? "no node" : st.owner())
                + ", epoch " + st.epoch();
    }

    /** {@code 500ms}, {@code 30s}, {@code 2m}; positive and at most {@link #MAX_TIMEOUT}. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,9})(ms|s|m)").matcher(value.strip());
            if (!m.matches()) {
                throw new picocli.CommandLine.TypeConversionException("'" + value
                        + "' is not a duration like 500ms, 30s or 2m");
            }
            long n = Long.parseLong(m.group(1));
            Duration d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                default -> Duration.ofMinutes(n);
            };
            if (d.isZero() || d.compareTo(MAX_TIMEOUT) > 0) {
                throw new picocli.CommandLine.TypeConversionException("'" + value + "' must be more than 0 and at most 1h");
            }
            return d;
        }
    }
}
