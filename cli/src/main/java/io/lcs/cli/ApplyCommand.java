package io.lcs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lcs apply -f FILE|-}: sends the manifests as they are; prints {@code virtualip/web created}. */
@Command(name = "apply", description = "Create or update objects from a YAML/JSON manifest file (- for stdin).")
final class ApplyCommand extends AdminCommand {
    @picocli.CommandLine.Mixin
    HelpOption helpOption;

    @Option(names = {"-f", "--filename"}, required = true, paramLabel = "FILE", description = "manifest file, or - for stdin")
    String file;

    @Override
    public Integer call() {
        String text = ManifestSource.read(file, env().stdin());
        JsonNode reply = client().post(ManifestSource.withSource("/api/v1/apply", file), text, ManifestSource.contentType(file));
        for (JsonNode r : reply.path("results")) {
            out().println(ref(r) + " " + r.path("outcome").asText());
        }
        return Lcs.EXIT_OK;
    }

    /** {@code virtualip/web}: kind in lower case, as kubectl prints it. */
    static String ref(JsonNode result) {
        return result.path("kind").asText().toLowerCase(Locale.ROOT) + "/" + result.path("name").asText();
    }
}
