#!/bin/bash
# Idle memory and CPU of lcsd as docs/footprint.md ("Idle memory") reports them: three lcsd of a
# built tree (dist/target/lcs-VERSION, CDS archive made) on 127.0.0.1-3 with the simulated
# actuator (loopback-launcher.sh: no interface is touched), metrics on, nobody scraping; after SETTLE seconds of uptime
# it measures CPU (utime+stime) over WINDOW seconds, then RSS, anonymous, file-backed and PSS from
# /proc/PID/smaps_rollup and the thread count, per node.
# Usage: idle-memory.sh HOME [VIPS [SETTLE [WINDOW]]]     (1, 150, 60)
# Env:   EXTRA_OPTS  JVM flags appended to the launcher's (LCSD_JAVA_OPTS), e.g. to try a flag
#        CURVE=N     before that window, N windows of WINDOW seconds, each printing the CPU per node
#                    in it: how idle CPU falls as the JIT finishes compiling (the bench measures
#                    a daemon's first or second minute)
#        NMT=1       also: NMT summary, class histogram and thread names of node 1 (needs jcmd of a
#                    JDK 17 on the PATH), written to the work directory, which is then kept
# Stops only the processes it started (by PID) on exit.
set -eu
HOME_DIR=$(cd "$1" && pwd); NV=${2:-1}; SETTLE=${3:-150}; WINDOW=${4:-60}
WORK=$(mktemp -d /tmp/lcs-idle.XXXXXX)
PIDS=
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null || true; done
    if [ "${NMT:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export LCS_HOME="$HOME_DIR"
[ -f "$HOME_DIR/cds/lcs.jsa" ] || "$HOME_DIR/bin/lcs-make-cds"
. "$(dirname "$0")/loopback-launcher.sh"
loopback_launcher "$WORK/lcsd"
base=$(( 20000 + ($$ % 4000) * 10 ))
for i in 1 2 3; do
    d="$WORK/n$i"; mkdir -p "$d/state"
    {
        printf '[cluster]\nname = idle\nnode = n%s\nbind = 127.0.0.%s\nport = %s\nsecret = idle-measurement\n' "$i" "$i" "$base"
        printf 'state_dir = %s\nadmin_bind = 127.0.0.%s\nadmin_port = %s\nmetrics = yes\nmetrics_bind = 127.0.0.%s\nmetrics_port = %s\n' \
            "$d/state" "$i" $((base + 1)) "$i" $((base + 2))
        for j in 1 2 3; do printf '\n[node n%s]\nrole = full-member\naddress = 127.0.0.%s\n' "$j" "$j"; done
        if [ "$NV" = 1 ]; then
            printf '\n[vip web]\naddress = 127.0.0.200/32\ninterface = lo\n'
        else
            k=0
            while [ $k -lt "$NV" ]; do
                printf '\n[vip v%s]\naddress = 198.18.%s.%s/32\ninterface = lo\n' $k $((k / 250)) $((k % 250 + 1))
                k=$((k + 1))
            done
        fi
    } > "$d/lcs.conf"
    opts="${EXTRA_OPTS:-}"; [ "${NMT:-0}" = 1 ] && opts="$opts -XX:NativeMemoryTracking=summary"
    LCS_FAKE_ACTUATOR_JOURNAL="$d/actuator.jsonl" LCSD_JAVA_OPTS="$opts" \
        sh "$WORK/lcsd" -c "$d/lcs.conf" > "$d/log" 2>&1 &
    PIDS="$PIDS $!"
done
sleep "$SETTLE"
ticks=$(getconf CLK_TCK)
cpu() { sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
# every lcsd still running (an exited one, a zombie until reaped, would read as no CPU at all);
# else stop, keeping the logs
alive() {
    for p in $PIDS; do
        state=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | cut -d' ' -f1)
        case "$state" in
            ''|Z|X) echo "lcsd $p exited: its log is in $WORK" >&2; NMT=1; exit 1 ;;
        esac
    done
}
w=0
while [ "$w" -lt "${CURVE:-0}" ]; do
    alive
    before=""; for p in $PIDS; do before="$before $(cpu "$p")"; done
    sleep "$WINDOW"
    w=$((w + 1)); i=0; line=""
    for p in $PIDS; do
        i=$((i + 1)); b=$(echo $before | cut -d' ' -f$i)
        line="$line n$i $(echo "scale=2; ($(cpu "$p") - $b) / $ticks * 60 / $WINDOW" | bc)"
    done
    alive
    echo "window $w (uptime $((SETTLE + w * WINDOW)) s), CPU s/min:$line"
done
alive
before=""; for p in $PIDS; do before="$before $(cpu "$p")"; done
sleep "$WINDOW"
i=0
for p in $PIDS; do
    i=$((i + 1)); b=$(echo $before | cut -d' ' -f$i); a=$(cpu "$p")
    mem=$(awk '/^Rss:/ {r = $2} /^Pss:/ {s = $2} /^Anonymous:/ {an = $2}
        END {printf "RSS %.1f MiB, anon %.1f, file %.1f, PSS %.1f", r / 1024, an / 1024, (r - an) / 1024, s / 1024}' \
        "/proc/$p/smaps_rollup")
    th=$(awk '/^Threads:/ {print $2}' "/proc/$p/status")
    quorum=$(grep -c 'quorum lost' "$WORK/n$i/log" || true)
    echo "lcsd n$i, $NV VIPs: $mem, $th threads, CPU $(echo "scale=2; ($a - $b) / $ticks * 60 / $WINDOW" | bc) s/min (quorum lost $quorum times)"
done
if [ "${NMT:-0}" = 1 ]; then
    p1=$(echo $PIDS | cut -d' ' -f1)
    jcmd "$p1" VM.native_memory summary > "$WORK/nmt.txt" 2>&1 || true
    jcmd "$p1" GC.class_histogram > "$WORK/histogram.txt" 2>&1 || true
    for t in /proc/"$p1"/task/*; do cat "$t/comm"; done | sort | uniq -c | sort -rn > "$WORK/threads.txt"
fi
