package io.lcs.dist;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Renders a troff {@code man(7)} page, section 8, from a Picocli {@link CommandSpec}: name,
 * synopsis, description, options, positional parameters, every subcommand with its own options,
 * exit status, and the extra sections given. Pure: the same spec gives the same text (no date),
 * so the build is reproducible.
 *
 * <p>Picocli's own {@code ManPageGenerator} writes AsciiDoc, which needs Asciidoctor to become a
 * man page; this writes troff directly from the same model.
 */
public final class ManPage {
    /** An extra section after EXIT STATUS: a title and paragraphs of plain text. */
    public record Section(String title, List<String> paragraphs) {
    }

    private final StringBuilder out = new StringBuilder(16_384);

    private ManPage() {
    }

    /**
     * @param spec    the root command
     * @param version shown in the footer
     * @param extra   sections appended at the end (FILES, ENVIRONMENT, SEE ALSO...)
     * @return the page, troff source
     */
    public static String render(CommandSpec spec, String version, List<Section> extra) {
        ManPage p = new ManPage();
        p.page(spec, version, extra);
        return p.out.toString();
    }

    private void page(CommandSpec spec, String version, List<Section> extra) {
        String name = spec.name();
        line(".\\\" Generated from the Picocli model of " + name + " by io.lcs.dist.ManPage; do not edit.");
        line(".TH " + name.toUpperCase(java.util.Locale.ROOT) + " 8 \"\" \"lcs " + esc(version)
                + "\" \"System Administration\"");
        line(".SH NAME");
        line(esc(name) + " \\- " + esc(String.join(" ", plain(spec.usageMessage().description()))));
        line(".SH SYNOPSIS");
        synopsis(spec);
        line(".SH DESCRIPTION");
        paragraphs(plain(spec.usageMessage().description()));
        options(spec, ".SH OPTIONS");
        List<CommandLine> subs = new ArrayList<>();
        collect(spec.commandLine(), subs);
        if (!subs.isEmpty()) {
            line(".SH COMMANDS");
            for (CommandLine sub : subs) {
                CommandSpec s = sub.getCommandSpec();
                line(".SS \"" + esc(s.qualifiedName()) + "\"");
                synopsis(s);
                paragraphs(plain(s.usageMessage().description()));
                options(s, null);
            }
        }
        String[] exitCodes = exitCodes(spec);
        if (exitCodes.length > 0) {
            line(".SH \"EXIT STATUS\"");
            for (String e : exitCodes) {
                int colon = e.indexOf(':');
                line(".TP");
                line(".B " + esc(e.substring(0, colon).trim()));
                line(esc(e.substring(colon + 1).trim()));
            }
        }
        for (Section s : extra) {
            line(".SH \"" + esc(s.title()) + "\"");
            paragraphs(s.paragraphs().toArray(String[]::new));
        }
    }

    private static String[] exitCodes(CommandSpec spec) {
        List<String> out = new ArrayList<>();
        spec.usageMessage().exitCodeList().forEach((k, v) -> out.add(k.trim() + ":" + v));
        return out.toArray(String[]::new);
    }

    private static void collect(CommandLine cl, List<CommandLine> into) {
        for (CommandLine sub : cl.getSubcommands().values()) {
            if (sub.getCommandSpec().usageMessage().hidden() || into.contains(sub)) {
                continue;
            }
            into.add(sub);
            collect(sub, into);
        }
    }

    private void synopsis(CommandSpec spec) {
        Help help = new Help(spec, Help.defaultColorScheme(Help.Ansi.OFF));
        String text = help.synopsis(0).strip().replaceAll("\\s+", " ");
        line(".nf");
        line(esc(text));
        line(".fi");
    }

    private void options(CommandSpec spec, String heading) {
        boolean first = true;
        for (OptionSpec o : spec.options()) {
            if (o.hidden()) {
                continue;
            }
            if (first && heading != null) {
                line(heading);
            }
            first = false;
            StringBuilder tag = new StringBuilder();
            for (String n : o.names()) {
                if (tag.length() > 0) {
                    tag.append(", ");
                }
                tag.append("\\fB").append(esc(n)).append("\\fR");
            }
            if (o.arity().max() > 0) {
                tag.append("=\\fI").append(esc(o.paramLabel())).append("\\fR");
            }
            line(".TP");
            line(tag.toString());
            line(esc(String.join(" ", plain(o.renderedDescription()))).strip());
        }
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (p.hidden()) {
                continue;
            }
            line(".TP");
            line("\\fI" + esc(p.paramLabel()) + "\\fR");
            line(esc(String.join(" ", plain(p.renderedDescription()))).strip());
        }
    }

    private void paragraphs(String[] texts) {
        boolean first = true;
        for (String t : texts) {
            if (t.isBlank()) {
                continue;
            }
            if (!first) {
                line(".PP");
            }
            first = false;
            line(esc(t.strip()));
        }
    }

    /** Picocli format markup off: {@code %n} becomes a space, {@code %%} a percent sign. */
    private static String[] plain(String[] texts) {
        String[] out = new String[texts.length];
        for (int i = 0; i < texts.length; i++) {
            out[i] = texts[i].replace(" (default: null)", "").replace("%n", " ").replace("%%", "%").replaceAll("@\\|\\w+(,\\w+)* ([^|]*)\\|@", "$2");
        }
        return out;
    }

    /** Escapes troff: backslashes, hyphens (so they copy as ASCII), and a leading dot or quote. */
    static String esc(String s) {
        String t = s.replace("\\", "\\e").replace("-", "\\-");
        if (t.startsWith(".") || t.startsWith("'")) {
            t = "\\&" + t;
        }
        return t.replace("\n.", "\n\\&.").replace("\n'", "\n\\&'");
    }

    private void line(String s) {
        out.append(s).append('\n');
    }
}
