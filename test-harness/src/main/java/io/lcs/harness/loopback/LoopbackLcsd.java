package io.lcs.harness.loopback;

import io.lcs.controller.daemon.Lcsd;
import io.lcs.model.net.Cidr;
import io.lcs.reconcilers.net.RecordingNetworkActuator;
import io.lcs.reconcilers.runtime.Ticker;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * lcsd with the simulated network actuator, for the loopback tests and measurements: addresses
 * are kept in memory with kernel-like lifetimes ({@link RecordingNetworkActuator}) and every
 * operation is journaled to a file, so nothing touches a real interface. The packaged lcsd does not
 * contain this class and has no switch to the simulation; this main is started with the
 * test-harness class path ({@link LoopbackCluster}, {@code test-harness/bench/loopback-*.sh}, the
 * dist measurement scripts and the CDS training run of the build).
 *
 * <p>Usage: {@code java -cp CLASSPATH io.lcs.harness.loopback.LoopbackLcsd LCSD-ARGS...} with
 * <ul>
 *   <li>{@value #JOURNAL_ENV} (required): the journal file, one JSON line per actuator operation;</li>
 *   <li>{@value #TAKEN_ENV} (optional): comma-separated CIDRs (e.g. {@code 198.18.0.77/24}) whose
 *       duplicate-address probes answer "taken" by {@value #TAKEN_MAC}, so a test can provoke a
 *       conflict.</li>
 * </ul>
 * A missing journal or an entry that is not a CIDR stops lcsd (exit 1) naming it.
 */
public final class LoopbackLcsd {
    public static final String JOURNAL_ENV = "LCS_FAKE_ACTUATOR_JOURNAL";
    public static final String TAKEN_ENV = "LCS_FAKE_ACTUATOR_TAKEN";
    /** The MAC a {@link #TAKEN_ENV} probe answer comes from (locally administered). */
    public static final String TAKEN_MAC = "02:00:5e:00:00:77";

    private LoopbackLcsd() {
    }

    public static void main(String[] args) {
        Lcsd.run(args, () -> actuator(System.getenv()));
    }

    /** The simulated actuator {@code env} asks for; called by lcsd once its state directory is locked. */
    static RecordingNetworkActuator actuator(Map<String, String> env) throws IOException {
        String journal = env.get(JOURNAL_ENV);
        if (journal == null || journal.isBlank()) {
            throw new IllegalArgumentException(JOURNAL_ENV + " is not set: the simulated actuator needs a journal file");
        }
        // lcsd's logging is set up by now (the logger must not exist before Lcsd's class is initialized)
        System.Logger log = System.getLogger("io.lcs.lcsd");
        log.log(Level.WARNING, "simulated network actuator: addresses are kept in memory, not configured ("
                + journal + ")");
        RecordingNetworkActuator fake = new RecordingNetworkActuator(Ticker.system(), Clock.systemUTC(),
                Path.of(journal));
        String taken = env.get(TAKEN_ENV);
        if (taken != null && !taken.isBlank()) {
            for (String entry : taken.split(",")) {
                Cidr cidr;
                try {
                    cidr = Cidr.parse(entry.strip());
                } catch (IllegalArgumentException e) {
                    fake.close();
                    throw new IllegalArgumentException(TAKEN_ENV + ": '" + entry.strip()
                            + "' is not a CIDR such as 198.18.0.77/24: " + e.getMessage(), e);
                }
                fake.answerProbe(cidr, TAKEN_MAC);
                log.log(Level.WARNING, TAKEN_ENV + " is set: probes of " + cidr + " answer taken (by " + TAKEN_MAC
                        + ")");
            }
        }
        return fake;
    }
}
