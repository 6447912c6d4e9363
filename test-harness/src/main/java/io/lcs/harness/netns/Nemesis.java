package io.lcs.harness.netns;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Placeholder, replaced below. */
public final class Nemesis {
    public Nemesis(Harness h, long seed, PrintStream log) {
    }

    public List<Check> run(Duration d) {
        return new ArrayList<>();
    }
}
