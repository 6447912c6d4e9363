# Sourced by the measurement scripts beside it (not run): loopback_launcher OUT writes OUT, a copy of
# $HOME_DIR/bin/lcsd that runs io.lcs.harness.loopback.LoopbackLcsd, lcsd with the simulated network
# actuator (test-harness code the package does not contain: the packaged lcsd has no switch to it),
# with this repository's test-harness classes after the launcher's class path. So the daemons run
# on the tree's runtime, JVM flags, jars and CDS archive (a class path that only grows keeps the
# archive usable). Needs a build of this repository (./mvnw -B package).
loopback_launcher() {
    harness="$(cd "$(dirname "$0")/../../.." && pwd)/test-harness/target/classes"
    if [ ! -f "$harness/io/lcs/harness/loopback/LoopbackLcsd.class" ]; then
        echo "no LoopbackLcsd in $harness: build the repository first (./mvnw -B package)" >&2
        exit 1
    fi
    if [ "$(grep -c '" io\.lcs\.controller\.daemon\.Lcsd "\$@"' "$HOME_DIR/bin/lcsd")" != 1 ]; then
        echo "$HOME_DIR/bin/lcsd does not name io.lcs.controller.daemon.Lcsd once: cannot derive the loopback launcher" >&2
        exit 1
    fi
    sed "s|\" io\.lcs\.controller\.daemon\.Lcsd \"\\\$@\"|:$harness\" io.lcs.harness.loopback.LoopbackLcsd \"\$@\"|" \
        "$HOME_DIR/bin/lcsd" > "$1"
}
