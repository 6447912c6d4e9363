#!/usr/bin/env bash
# Memory soak: three lcsd processes on 127.0.0.1/.2/.3 (a, b full members, c a quorum-only
# witness, one VIP, a shared secret, the simulated network actuator: nothing touches real
# interfaces) and a planned move of the VIP every INTERVAL seconds, alternately to a and b,
# through each node's admin API with its admin token, for MINUTES. Every minute it samples, per
# node: RSS (VmRSS), PSS (smaps_rollup), thread count and CPU seconds used so far; it prints the
# curve as CSV and, at the end, first / last / max RSS and PSS per node and the moves that took
# effect (the target reported as owner within 5 s) or not.
#
# Usage: test-harness/bench/loopback-soak.sh [MINUTES [INTERVAL_SECONDS]]   (60 and 10)
# Env:   LCS_JAVA_OPTS  JVM flags (default: the flags bin/lcsd ships with)
#        OUT=FILE       also write the CSV to FILE
#        KEEP=1         keep the work directory (configs, logs, journals) for inspection
# Needs: a JDK 17 on PATH (or JAVA_HOME), curl, python3; builds with ./mvnw (compile only).
# Every process it starts is stopped by PID on exit (SIGTERM, then SIGKILL after 10 s).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MINUTES=${1:-60}
INTERVAL=${2:-10}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
JAVA_OPTS=${LCS_JAVA_OPTS:--XX:+UseSerialGC -Xms8m -Xmx48m -XX:MaxMetaspaceSize=64m -XX:ReservedCodeCacheSize=16m -Xss256k -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:-UsePerfData -XX:+UnlockExperimentalVMOptions -XX:TrimNativeHeapInterval=10000}
CLK_TCK=$(getconf CLK_TCK)
WORK=$(mktemp -d /tmp/lcs-soak.XXXXXX)
NODES=(a b c)
declare -A PID IP
IP[a]=127.0.0.1; IP[b]=127.0.0.2; IP[c]=127.0.0.3

cleanup() {
    local n pid deadline
    for n in "${NODES[@]}"; do
        pid=${PID[$n]:-}
        [[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null || true
    done
    for n in "${NODES[@]}"; do
        pid=${PID[$n]:-}
        [[ -z $pid ]] && continue
        deadline=$((SECONDS + 10))
        while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    if [[ ${KEEP:-0} == 1 ]]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

if [[ ${LCSH_NO_BUILD:-0} != 1 ]]; then
    echo "building (compile) and resolving the runtime classpath..." >&2
    (cd "$ROOT" && timeout 900 ./mvnw -B -q -pl test-harness -am process-classes >&2)
fi
CP="$ROOT/test-harness/target/classes:$(cat "$ROOT/test-harness/target/harness.classpath")"

PEER_PORT=$(free_port); ADMIN_PORT=$(free_port)
SECRET=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
for n in "${NODES[@]}"; do
    mkdir -p "$WORK/$n"
    {
        printf '[cluster]\nname = soak\nnode = %s\nbind = %s\nport = %s\nsecret = %s\n' \
            "$n" "${IP[$n]}" "$PEER_PORT" "$SECRET"
        printf 'state_dir = %s\nadmin_bind = %s\nadmin_port = %s\n\n' "$WORK/$n/state" "${IP[$n]}" "$ADMIN_PORT"
        printf '[node a]\nrole = full-member\naddress = 127.0.0.1\n\n'
        printf '[node b]\nrole = full-member\naddress = 127.0.0.2\n\n'
        printf '[node c]\nrole = quorum-only\naddress = 127.0.0.3\n\n'
        printf '[vip web]\naddress = 198.18.0.201/24\ninterface = eth0\n'
    } > "$WORK/$n/lcs.conf"
done
for n in "${NODES[@]}"; do
    # shellcheck disable=SC2086  # JAVA_OPTS is a list of flags
    MALLOC_ARENA_MAX=2 LCS_FAKE_ACTUATOR_JOURNAL="$WORK/$n/actuator.jsonl" \
        "$JAVA" $JAVA_OPTS -cp "$CP" io.lcs.harness.loopback.LoopbackLcsd -c "$WORK/$n/lcs.conf" > "$WORK/$n/lcsd.log" 2>&1 &
    PID[$n]=$!
done

# the VIP's owner as node 1 sees it ("" when none or unreachable)
owner() {
    curl -s --max-time 2 "http://${IP[a]}:$ADMIN_PORT/api/v1/vips/web" \
        | python3 -c 'import json,sys
try: print((json.load(sys.stdin).get("status") or {}).get("owner") or "")
except Exception: print("")' || true
}

deadline=$((SECONDS + 60))
until [[ -n $(owner) ]]; do
    if ((SECONDS >= deadline)); then
        echo "no owner for the VIP within 60 s; node a's log:" >&2
        tail -n 30 "$WORK/a/lcsd.log" >&2
        exit 1
    fi
    sleep 0.5
done

cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
proc_field() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
pss_kb() { awk '$1 == "Pss:" {print $2}' "/proc/$1/smaps_rollup"; }

CSV=$WORK/soak.csv
echo "minute,node,rss_mib,pss_mib,threads,cpu_s,moves_ok,moves_late" > "$CSV"
moves_ok=0; moves_late=0
sample() {
    local n pid
    for n in "${NODES[@]}"; do
        pid=${PID[$n]}
        kill -0 "$pid" 2>/dev/null || { echo "node $n died at minute $1; its log:" >&2; tail -n 30 "$WORK/$n/lcsd.log" >&2; exit 1; }
        awk -v m="$1" -v n="$n" -v r="$(proc_field "$pid" VmRSS)" -v p="$(pss_kb "$pid")" -v t="$(proc_field "$pid" Threads)" \
            -v k="$(cpu_ticks "$pid")" -v hz="$CLK_TCK" -v ok="$moves_ok" -v late="$moves_late" \
            'BEGIN { printf "%d,%s,%.1f,%.1f,%d,%.2f,%d,%d\n", m, n, r/1024, p/1024, t, k/hz, ok, late }' | tee -a "$CSV"
    done
}

echo "soak: a move every ${INTERVAL}s for ${MINUTES} min; java: $("$JAVA" -version 2>&1 | head -n 1)" >&2
sample 0
start=$SECONDS
next_sample=$((start + 60)); minute=1; target=b
while ((SECONDS - start < MINUTES * 60)); do
    t0=$SECONDS
    token=$(cat "$WORK/$target/state/admin.token")
    answer=$(curl -s --max-time 5 -w ' HTTP %{http_code}' -X POST -H "Authorization: Bearer $token" \
        -H 'Content-Type: application/json' -d "{\"to\":\"$target\"}" \
        "http://${IP[$target]}:$ADMIN_PORT/api/v1/vips/web/move" || true)
    moved=0
    for _ in $(seq 1 25); do
        if [[ $(owner) == "$target" ]]; then moved=1; break; fi
        sleep 0.2
    done
    if ((moved)); then
        moves_ok=$((moves_ok + 1))
    else
        moves_late=$((moves_late + 1))
        echo "move to $target: owner still '$(owner)' after 5 s; the API said: ${answer:0:300}" >&2
    fi
    if [[ $target == b ]]; then target=a; else target=b; fi
    while ((SECONDS >= next_sample)); do sample "$minute"; minute=$((minute + 1)); next_sample=$((next_sample + 60)); done
    while ((SECONDS - t0 < INTERVAL)); do sleep 0.2; done
done
sample "$minute"
[[ -n ${OUT:-} ]] && cp "$CSV" "$OUT"

echo
echo "lcs soak: 3 lcsd (a, b full members, c witness), 1 VIP, a move every ${INTERVAL}s for ${MINUTES} min"
echo "flags: $JAVA_OPTS (MALLOC_ARENA_MAX=2); $(nproc) CPUs"
echo "moves that took effect within 5 s: $moves_ok; not: $moves_late"
python3 - "$CSV" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
for n in sorted({r["node"] for r in rows}):
    mine = [r for r in rows if r["node"] == n]
    for f in ("rss_mib", "pss_mib"):
        v = [float(r[f]) for r in mine]
        # after the first 10 minutes: the warm-up is over, what grows from there is a leak
        late = [float(r[f]) for r in mine if int(r["minute"]) >= 10]
        drift = f", min 10 -> end {late[0]:.1f} -> {late[-1]:.1f}" if len(late) > 1 else ""
        print(f"node {n} {f}: first {v[0]:.1f}, last {v[-1]:.1f}, max {max(v):.1f}{drift}")
EOF
