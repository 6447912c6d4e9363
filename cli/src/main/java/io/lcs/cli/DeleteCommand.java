package io.lcs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lcs delete vip NAME}, {@code lcs delete service NAME}, {@code lcs delete check NAME} or {@code lcs delete -f FILE}. */
@Command(name = "delete", description = "Delete a VIP, a Service or a HealthCheck by name, or the objects of a manifest file.")
final class DeleteCommand extends AdminCommand {
    @picocli.CommandLine.Mixin
    HelpOption helpOption;

    @Parameters(arity = "0..2", paramLabel = "TYPE NAME", description = "vip NAME, service NAME or check NAME (a HealthCheck)")
    java.util.List<String> target;

    @Option(names = {"-f", "--filename"}, paramLabel = "FILE", description = "manifest file, or - for stdin")
    String file;

    @Override
    public Integer call() {
        boolean byName = target != null && !target.isEmpty();
        if (byName == (file != null)) {
            throw new CliException(Lcs.EXIT_USAGE, "give either 'vip NAME', 'service NAME', 'check NAME' or -f FILE");
        }
        if (file != null) {
            String text = ManifestSource.read(file, env().stdin());
            JsonNode reply = client().post(ManifestSource.withSource("/api/v1/delete", file), text, ManifestSource.contentType(file));
            int exit = Lcs.EXIT_OK;
            for (JsonNode r : reply.path("results")) {
                if ("notFound".equals(r.path("outcome").asText())) {
                    spec.commandLine().getErr().println("error: " + ApplyCommand.ref(r) + " not found");
                    exit = Lcs.EXIT_ERROR;
                } else {
                    out().println(ApplyCommand.ref(r) + " deleted");
                }
            }
            return exit;
        }
        if (target.size() == 2 && java.util.List.of("check", "checks", "healthcheck").contains(target.get(0))) {
            String name = checkName("NAME", target.get(1));
            JsonNode r = client().delete("/api/v1/checks/" + name);
            out().println(ApplyCommand.ref(r) + " deleted");
            return Lcs.EXIT_OK;
        }
        boolean service = target.size() == 2 && java.util.List.of("service", "services", "svc").contains(target.get(0));
        if (target.size() != 2 || !service && !java.util.List.of("vip", "vips", "virtualip").contains(target.get(0))) {
            throw new CliException(Lcs.EXIT_USAGE, "usage: lcs delete vip NAME | lcs delete service NAME"
                    + " | lcs delete check NAME  (or lcs delete -f FILE)");
        }
        String name = checkName("NAME", target.get(1));
        JsonNode r = client().delete(ResourceView.path(service, name));
        out().println(ApplyCommand.ref(r) + " deleted");
        return Lcs.EXIT_OK;
    }
}
