package io.lcs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Parameters;

/** Shared body of cordon, uncordon and drain: {@code POST /api/v1/nodes/NODE/ACTION}. */
abstract class NodeActionCommand extends AdminCommand {
    @Parameters(index = "0", paramLabel = "NODE")
    String node;

    abstract String action();

    @Override
    public Integer call() {
        checkName("NODE", node);
        JsonNode r = client().post("/api/v1/nodes/" + node + "/" + action(), "{}", "application/json");
        out().println("node/" + node + " " + r.path("outcome").asText(action()));
        return Lcs.EXIT_OK;
    }
}
