package io.lcs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Parameters;

/** Shared body of stop, start and clear: {@code POST /api/v1/vips/VIP/ACTION}. */
abstract class VipActionCommand extends AdminCommand {
    @Parameters(index = "0", paramLabel = "VIP")
    String vip;

    abstract String action();

    /** What the reply's outcome means, for an operator. */
    abstract String say(String outcome);

    @Override
    public Integer call() {
        checkName("VIP", vip);
        JsonNode r = client().post("/api/v1/vips/" + vip + "/" + action(), "{}", "application/json");
        done("virtualip/" + vip + " " + say(r.path("outcome").asText(action())));
        return Lcs.EXIT_OK;
    }

    @Override
    boolean jsonErrors() {
        return true;
    }
}
