package io.lcs.harness.netns;

/** One scenario assertion: its rule, whether it held, and what was measured. */
public record Check(String scenario, String rule, boolean ok, String detail) {
    public static Check of(String scenario, String rule, boolean ok, String detail) {
        return new Check(scenario, rule, ok, detail);
    }
}
