#!/bin/sh
# Measures the figures in docs/footprint.md with a built tree (dist/target/lcs-VERSION, after
# `./mvnw -B package`): idle RSS and CPU of 3 lcsd on 127.0.0.1-3 (the simulated actuator, through
# loopback-launcher.sh: no interface is touched), and `lcs status` wall time (median of 20), with and without the CDS archive.
# Usage: footprint.sh HOME [IDLE_SECONDS]   (prints a Markdown-ish report; kills only its own lcsd)
set -eu
HOME_DIR=$(cd "$1" && pwd)
IDLE=${2:-60}
WORK=$(mktemp -d)
trap 'for p in $PIDS; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT INT TERM
PIDS=
export LCS_HOME="$HOME_DIR"
[ -f "$HOME_DIR/cds/lcs.jsa" ] || "$HOME_DIR/bin/lcs-make-cds"
. "$(dirname "$0")/loopback-launcher.sh"
loopback_launcher "$WORK/lcsd"
base=$(( 20000 + $$ % 20000 ))
for i in 1 2 3; do
    d="$WORK/n$i"; mkdir -p "$d/state"
    {
        printf '[cluster]\nname = fp\nnode = n%s\nbind = 127.0.0.%s\nport = %s\nsecret = footprint-measurement\n' "$i" "$i" "$base"
        printf 'state_dir = %s\nadmin_bind = 127.0.0.%s\nadmin_port = %s\nmetrics = yes\nmetrics_bind = 127.0.0.%s\nmetrics_port = %s\n' \
            "$d/state" "$i" $((base + 1)) "$i" $((base + 2))
        for j in 1 2 3; do printf '\n[node n%s]\nrole = full-member\naddress = 127.0.0.%s\n' "$j" "$j"; done
        printf '\n[vip web]\naddress = 127.0.0.200/32\ninterface = lo\n'
    } > "$d/lcs.conf"
    LCS_FAKE_ACTUATOR_JOURNAL="$d/actuator.jsonl" LCSD_JAVA_OPTS="${EXTRA_OPTS:-}" \
        sh "$WORK/lcsd" -c "$d/lcs.conf" > "$d/log" 2>&1 &
    PIDS="$PIDS $!"
done
sleep 15   # start, restart wait, lease taken, JIT settles
ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
before=""; for p in $PIDS; do before="$before $(cpu "$p")"; done
sleep "$IDLE"
i=0
for p in $PIDS; do
    i=$((i + 1))
    b=$(echo $before | cut -d' ' -f$i)
    a=$(cpu "$p")
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$p/status")
    anon=$(awk '/RssAnon/ {print $2}' "/proc/$p/status"); file=$(awk '/RssFile/ {print $2}' "/proc/$p/status")
    echo "lcsd n$i: RSS $((rss / 1024)) MiB (anon $((anon / 1024)), file $((file / 1024))), CPU $(echo "scale=2; ($a - $b) / $ticks * 60 / $IDLE" | bc) s/min"
done
srv="http://127.0.0.1:$((base + 1))"
"$HOME_DIR/bin/lcs" --server "$srv" status > "$WORK/status.txt"
for mode in cds nocds; do
    opts=""; [ "$mode" = nocds ] && opts="-Xshare:off"
    : > "$WORK/times"
    n=0
    while [ $n -lt 20 ]; do
        s=$(date +%s%N)
        LCS_JAVA_OPTS="$opts" "$HOME_DIR/bin/lcs" --server "$srv" status > /dev/null
        e=$(date +%s%N)
        echo $(( (e - s) / 1000000 )) >> "$WORK/times"
        n=$((n + 1))
    done
    echo "lcs status ($mode): median $(sort -n "$WORK/times" | sed -n 10p) ms of 20 (min $(sort -n "$WORK/times" | head -1), max $(sort -n "$WORK/times" | tail -1))"
done
echo "--- lcs status output (n1) ---"; cat "$WORK/status.txt"
