package io.lcs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;

/**
 * {@code lcs reload}: lcsd re-reads lcs.conf, as on {@code systemctl reload lcsd}
 * ({@code POST /api/v1/reload}); prints what changed. A refused reload (an error in the file, or a
 * change that needs a restart) is exit 1 naming every reason; nothing changed then.
 */
@Command(name = "reload", description = "Make lcsd re-read lcs.conf (as systemctl reload lcsd): changed [vip]"
        + " sections apply, others stay; a change that needs a restart is refused and named.")
final class ReloadCommand extends AdminCommand {
    @picocli.CommandLine.Mixin
    HelpOption helpOption;

    @Override
    public Integer call() {
        JsonNode r = client().post("/api/v1/reload", "{}", "application/json");
        List<String> messages = new ArrayList<>();
        for (JsonNode m : r.path("messages")) {
            messages.add(m.asText());
        }
        done("reload " + r.path("outcome").asText("done") + (messages.isEmpty() ? "" : ": " + String.join("; ", messages)));
        return Lcs.EXIT_OK;
    }

    @Override
    boolean jsonErrors() {
        return true;
    }
}
