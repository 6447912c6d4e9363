package io.lcs.cli;

import io.lcs.model.status.ClusterStatus;
import picocli.CommandLine.Command;

/**
 * {@code lcs resource list [-j]}: one line per VIP in the C lcs's shape
 * ({@link CLcsShapes#resourceLine}), or its JSON ({@link CLcsShapes#resourceListJson}). Sorted by name.
 */
@Command(name = "list", description = "List resources (VIPs) with state, owner, group, home and reason.")
final class ResourceListCommand extends AdminCommand {
    @picocli.CommandLine.Mixin
    HelpOption helpOption;

    @Override
    public Integer call() {
        ClusterStatus s = StatusReply.read(client().get("/api/v1/status"));
        if (json()) {
            out().println(CLcsShapes.resourceListJson(s).toString());
        } else {
            for (ClusterStatus.VipStatus v : CLcsShapes.byName(StatusCommand.list(s.vips()), ClusterStatus.VipStatus::name)) {
                out().println(CLcsShapes.resourceLine(v));
            }
        }
        return Lcs.EXIT_OK;
    }
}
