package io.lcs.model.config;

/**
 * What lcsd's web console ({@code /ui/} on the admin API) offers: lcs.conf {@code [cluster] console}.
 * Whatever the mode, the console acts only through the admin API, with its rules (every change needs
 * the admin token); the mode decides whether a browser may send changes at all.
 */
public enum ConsoleMode {
    /** No console: {@code /ui/} is not served, and the admin API refuses changes sent by a browser. */
    OFF("off"),
    /**
     * The default: the console shows the cluster; the admin API refuses changes sent by a browser
     * (a request carrying {@code Origin} or {@code Sec-Fetch-Site}), even with the token. The CLI
     * is unaffected.
     */
    READ_ONLY("read-only"),
    /** The console shows the cluster and offers its actions, each sent with the admin token. */
    ON("on");

    /** The default: a console to look at, no admin token in a browser unless the operator opts in. */
    public static final ConsoleMode DEFAULT = READ_ONLY;

    private final String label;

    ConsoleMode(String label) {
        this.label = label;
    }

    /** @return the spelling used in lcs.conf and in the console's settings */
    public String label() {
        return label;
    }

    /** @return the mode spelled {@code label} exactly, or null */
    public static ConsoleMode fromLabel(String label) {
        for (ConsoleMode m : values()) {
            if (m.label.equals(label)) {
                return m;
            }
        }
        return null;
    }
}
