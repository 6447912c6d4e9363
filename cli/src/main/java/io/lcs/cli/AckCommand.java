package io.lcs.cli;

import io.lcs.model.api.ConflictAck;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code lcs ack VIP}: acknowledges the conflict on VIP at its current epoch so it may start again.
 * As {@code lcs resource clear-conflict VIP} (the C lcs's verb) a VIP that is not in conflict is
 * no error (exit 0, {@code not in conflict state}), as there.
 */
@Command(name = "ack", description = "Acknowledge a VIP's address conflict (after fixing its cause).")
final class AckCommand extends AdminCommand {
    @picocli.CommandLine.Mixin
    HelpOption helpOption;

    @Parameters(index = "0", paramLabel = "VIP")
    String vip;

    /** True for {@code resource clear-conflict}: "not in conflict" is exit 0. */
    private final boolean notInConflictIsOk;

    AckCommand() {
        this(false);
    }

    AckCommand(boolean notInConflictIsOk) {
        this.notInConflictIsOk = notInConflictIsOk;
    }

    @Override
    public Integer call() {
        checkName("VIP", vip);
        ConflictAck ack;
        try {
            ack = Replies.convert(client().post("/api/v1/vips/" + vip + "/ack", "{}", "application/json"),
                    ConflictAck.class);
        } catch (CliException e) {
            if (notInConflictIsOk && "CONFLICT".equals(e.apiCode())) {
                done("virtualip/" + vip + " is not in conflict state");
                return Lcs.EXIT_OK;
            }
            throw e;
        }
        Long epoch = ack.spec() == null ? null : ack.spec().epoch();
        done("virtualip/" + vip + " conflict acknowledged" + (epoch == null ? "" : " (epoch " + epoch + ")"));
        return Lcs.EXIT_OK;
    }

    @Override
    boolean jsonErrors() {
        return true;
    }
}
