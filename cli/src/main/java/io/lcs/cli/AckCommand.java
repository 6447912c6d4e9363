package io.lcs.cli;

import io.lcs.model.api.ConflictAck;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code lcs ack VIP}: acknowledges the conflict on VIP at its current epoch so it may start again. */
@Command(name = "ack", description = "Acknowledge a VIP's address conflict (after fixing its cause).")
final class AckCommand extends AdminCommand {
    @picocli.CommandLine.Mixin
    HelpOption helpOption;

    @Parameters(index = "0", paramLabel = "VIP")
    String vip;

    @Override
    public Integer call() {
        checkName("VIP", vip);
        ConflictAck ack = Replies.convert(client().post("/api/v1/vips/" + vip + "/ack", "{}", "application/json"),
                ConflictAck.class);
        Long epoch = ack.spec() == null ? null : ack.spec().epoch();
        out().println("virtualip/" + vip + " conflict acknowledged" + (epoch == null ? "" : " (epoch " + epoch + ")"));
        return Lcs.EXIT_OK;
    }
}
