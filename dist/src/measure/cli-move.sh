#!/bin/sh
# Measures the CLI and planned-move figures of docs/footprint.md with a built tree
# (dist/target/lcs-VERSION): 3 lcsd on 127.0.0.1-3 with the simulated actuator (loopback-launcher.sh; no interface is
# touched; its duplicate probe answers at once, so a real probe window is NOT in these figures), then
#   - `lcs status` and `lcs get vips` wall time, N runs each (median, min, p95);
#   - `lcs move web --to NODE`, N moves alternating between n1 and n2: from the CLI's invocation
#     until the target's actuator journal records the add (median, min, p95), and the daemon part
#     (CLI exit -> add).
# Usage: cli-move.sh HOME [N]   (kills only the lcsd it started)
set -eu
HOME_DIR=$(cd "$1" && pwd)
N=${2:-20}
WORK=$(mktemp -d)
PIDS=
trap 'for p in $PIDS; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT INT TERM
export LCS_HOME="$HOME_DIR"
[ -f "$HOME_DIR/cds/lcs.jsa" ] || "$HOME_DIR/bin/lcs-make-cds"
. "$(dirname "$0")/loopback-launcher.sh"
loopback_launcher "$WORK/lcsd"
base=$(( 20000 + $$ % 20000 ))
for i in 1 2 3; do
    d="$WORK/n$i"; mkdir -p "$d/state"
    {
        printf '[cluster]\nname = cm\nnode = n%s\nbind = 127.0.0.%s\nport = %s\nsecret = cli-move-measurement\n' "$i" "$i" "$base"
        printf 'state_dir = %s\nadmin_bind = 127.0.0.%s\nadmin_port = %s\n' "$d/state" "$i" $((base + 1))
        for j in 1 2 3; do printf '\n[node n%s]\nrole = full-member\naddress = 127.0.0.%s\n' "$j" "$j"; done
        printf '\n[vip web]\naddress = 127.0.0.200/32\ninterface = lo\n'
    } > "$d/lcs.conf"
    LCS_FAKE_ACTUATOR_JOURNAL="$d/actuator.jsonl" LCSD_JAVA_OPTS="${EXTRA_OPTS:-}" \
        sh "$WORK/lcsd" -c "$d/lcs.conf" > "$d/log" 2>&1 &
    PIDS="$PIDS $!"
done
owner() { curl -s "http://127.0.0.1:$((base + 1))/api/v1/vips/web" | jq -r '.status.owner // empty'; }
n=0
while [ -z "$(owner)" ] && [ $n -lt 300 ]; do sleep 0.1; n=$((n + 1)); done
[ -n "$(owner)" ] || { echo "no owner after 30 s"; cat "$WORK"/n*/log; exit 1; }
sleep 3   # JIT settles a little, renewals running
stats() { # label file
    sort -n "$2" > "$2.s"; c=$(wc -l < "$2.s")
    echo "$1: median $(sed -n "$(( (c + 1) / 2 ))p" "$2.s") ms of $c (min $(head -1 "$2.s"), p95 $(sed -n "$(( (c * 95 + 99) / 100 ))p" "$2.s"), max $(tail -1 "$2.s"))"
}
now_ms() { date +%s%3N; }
for verb in status "get vips"; do
    : > "$WORK/t"
    i=0
    while [ $i -lt "$N" ]; do
        s=$(now_ms)
        # shellcheck disable=SC2086
        LCS_JAVA_OPTS="${CLI_OPTS:-}" "$HOME_DIR/bin/lcs" --config "$WORK/n1/lcs.conf" $verb > /dev/null || true
        echo $(( $(now_ms) - s )) >> "$WORK/t"
        i=$((i + 1))
    done
    stats "lcs $verb (--config lcs.conf)" "$WORK/t"
done
: > "$WORK/m"; : > "$WORK/d"
i=0
while [ $i -lt "$N" ]; do
    cur=$(owner)
    case "$cur" in n1) to=n2 ;; *) to=n1 ;; esac
    j="$WORK/$to/actuator.jsonl"
    before=$(grep -c '"op":"add"' "$j" || true)
    s=$(now_ms)
    "$HOME_DIR/bin/lcs" --config "$WORK/n1/lcs.conf" move web --to "$to" > /dev/null   # the config names the state dir: the admin token
    e=$(now_ms)
    k=0
    while [ "$(grep -c '"op":"add"' "$j" || true)" -le "$before" ] && [ $k -lt 500 ]; do sleep 0.01; k=$((k + 1)); done
    t=$(grep '"op":"add"' "$j" | tail -1 | jq -r .t)
    echo $((t - s)) >> "$WORK/m"; echo $((t - e)) >> "$WORK/d"
    sleep 1   # the new owner renews a few times before the next move
    i=$((i + 1))
done
stats "lcs move --to (invocation -> target adds)" "$WORK/m"
stats "  of which daemon (CLI exit -> target adds)" "$WORK/d"
