#!/usr/bin/env bash
# Scale benchmark on loopback: five lcsd full members on 127.0.0.1..5 with N VIPs (default 1,000,
# IPv4 from 198.18.0.0/15, generated config), simulated network actuator (nothing touches real
# interfaces). Measures, after every VIP is held and a settle time, over an idle window:
#   - per node: RSS (VmRSS), CPU seconds in the window (utime+stime of /proc/PID/stat), threads;
#   - per directed link: bytes and frames per second (lcs_transport_{bytes,frames}_sent_total
#     from each node's /metrics), and the cluster total;
# then kill -9 of the node holding the most VIPs and the time until every one of its VIPs was
# added on a survivor (the simulated actuators' journals, wall ms, polled with a 30 s bound):
# median and max over those VIPs. On-demand benchmark, not a CI test.
#
# Usage: test-harness/bench/loopback-scale.sh [VIPS [SETTLE_SECONDS [WINDOW_SECONDS]]]  (1000 20 60)
# Env:   SPREAD=hash (default: no preference, placement spreads by hash) | one (all prefer n1)
#        LCS_JAVA_OPTS  JVM flags (default: the small-footprint flags of docs/footprint.md)
#        KEEP=1         keep the work directory; NO_BUILD=1 skip the compile step
# Needs: JDK 17, curl, python3. Every process it starts is stopped by PID on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
NVIPS=${1:-1000}
SETTLE=${2:-20}
WINDOW=${3:-60}
SPREAD=${SPREAD:-hash}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
JAVA_OPTS=${LCS_JAVA_OPTS:--XX:+UseSerialGC -Xms8m -Xmx32m -XX:MaxMetaspaceSize=64m -XX:ReservedCodeCacheSize=16m -Xss256k -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:-UsePerfData -XX:+UnlockExperimentalVMOptions -XX:TrimNativeHeapInterval=10000}
CLK_TCK=$(getconf CLK_TCK)
WORK=$(mktemp -d /tmp/lcs-scale.XXXXXX)
NODES=(n1 n2 n3 n4 n5)
declare -A PID IP
for i in 1 2 3 4 5; do IP[n$i]=127.0.0.$i; done

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
    if [[ ${KEEP:-0} == 1 ]]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

if [[ ${NO_BUILD:-0} != 1 ]]; then
    echo "building (compile) and resolving the runtime classpath..." >&2
    (cd "$ROOT" && timeout 900 nice ./mvnw -B -q -pl test-harness -am process-classes >&2)
fi
# a copy of the classes, so a rebuild during the run cannot change what the daemons load; the
# test-harness class path: LoopbackLcsd is lcsd with the simulated actuator (not in the package)
CP=
for m in test-harness controller controller/core reconcilers model cli; do
    cp -r "$ROOT/$m/target/classes" "$WORK/classes-${m//\//-}"
    CP="$CP$WORK/classes-${m//\//-}:"
done
CP="$CP$(cat "$ROOT/test-harness/target/harness.classpath")"

PEER_PORT=$(free_port); ADMIN_PORT=$(free_port); METRICS_PORT=$(free_port)
SECRET=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
vips() {
    local i
    for ((i = 0; i < NVIPS; i++)); do
        printf '[vip v%04d]\naddress = 198.18.%d.%d/15\ninterface = eth0\n' "$i" $((i / 250)) $((i % 250 + 1))
        [[ $SPREAD == one ]] && printf 'preferred_nodes = n1\n'
        printf '\n'
    done
}
vips > "$WORK/vips.conf"
for n in "${NODES[@]}"; do
    mkdir -p "$WORK/$n"
    {
        printf '[cluster]\nname = scale\nnode = %s\nbind = %s\nport = %s\nsecret = %s\n' \
            "$n" "${IP[$n]}" "$PEER_PORT" "$SECRET"
        printf 'state_dir = %s\nadmin_bind = %s\nadmin_port = %s\n' "$WORK/$n/state" "${IP[$n]}" "$ADMIN_PORT"
        printf 'metrics = true\nmetrics_bind = %s\nmetrics_port = %s\n\n' "${IP[$n]}" "$METRICS_PORT"
        for m in "${NODES[@]}"; do printf '[node %s]\nrole = full-member\naddress = %s\n\n' "$m" "${IP[$m]}"; done
        cat "$WORK/vips.conf"
    } > "$WORK/$n/lcs.conf"
done

for n in "${NODES[@]}"; do
    # shellcheck disable=SC2086  # JAVA_OPTS is a list of flags
    MALLOC_ARENA_MAX=2 LCS_FAKE_ACTUATOR_JOURNAL="$WORK/$n/actuator.jsonl" \
        "$JAVA" $JAVA_OPTS -cp "$CP" io.lcs.harness.loopback.LoopbackLcsd -c "$WORK/$n/lcs.conf" > "$WORK/$n/lcsd.log" 2>&1 &
    PID[$n]=$!
done

status() { curl -s --max-time 5 "http://${IP[$1]}:$ADMIN_PORT/api/v1/status" || true; }
metrics() { curl -s --max-time 5 "http://${IP[$1]}:$METRICS_PORT/metrics" || true; }
# "held owner-counts" of a status document: VIPs with an owner, then owner=count pairs
held() { python3 -c '
import json, sys, collections
try: s = json.load(sys.stdin)
except Exception: print(0); sys.exit()
c = collections.Counter(v.get("owner") for v in s.get("vips", []) if v.get("owner"))
print(sum(c.values()), " ".join("%s=%d" % kv for kv in sorted(c.items())))'; }

start_wait=$SECONDS
deadline=$((SECONDS + 180))
while true; do
    h=$(status n1 | held)
    [[ ${h%% *} == "$NVIPS" ]] && break
    if ((SECONDS >= deadline)); then echo "WARNING: not every VIP held after 180 s ($h); measuring anyway" >&2; break; fi
    for n in "${NODES[@]}"; do kill -0 "${PID[$n]}" 2>/dev/null || { echo "node $n died" >&2; tail -n 30 "$WORK/$n/lcsd.log" >&2; exit 1; }; done
    sleep 0.5
done
echo "every VIP held after $((SECONDS - start_wait)) s ($h); settling ${SETTLE}s, then an idle window of ${WINDOW}s" >&2
sleep "$SETTLE"

cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
proc_field() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
counter() { metrics "$1" | awk -v name="$2" 'index($0, name "{") == 1 {
    match($0, /peer="[^"]*"/); print substr($0, RSTART + 6, RLENGTH - 7), $NF }'; }

declare -A T0 T1 C0 C1
for n in "${NODES[@]}"; do
    T0[$n]=$(cpu_ticks "${PID[$n]}")
    for c in bytes_sent frames_sent; do
        while read -r peer value; do C0[$n,$c,$peer]=$value; done < <(counter "$n" "lcs_transport_${c}_total")
    done
done
t_start=$(date +%s.%N)
sleep "$WINDOW"
for n in "${NODES[@]}"; do
    for c in bytes_sent frames_sent; do
        while read -r peer value; do C1[$n,$c,$peer]=$value; done < <(counter "$n" "lcs_transport_${c}_total")
    done
done
for n in "${NODES[@]}"; do T1[$n]=$(cpu_ticks "${PID[$n]}"); done
elapsed=$(python3 -c "import time; print(round(time.time() - $t_start, 2))")

echo
echo "lcs scale: 5 lcsd full members, $NVIPS VIPs (spread: $SPREAD; held: $h), lease 2 s / renew 0.5 s, secret"
echo "java: $("$JAVA" -version 2>&1 | head -n 1); flags: $JAVA_OPTS (MALLOC_ARENA_MAX=2)"
echo "commit: $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet || echo +dirty); settle ${SETTLE}s, window ${elapsed}s, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
printf '%-5s %8s %9s %8s %14s\n' NODE PID RSS_MiB THREADS CPU_s/min
for n in "${NODES[@]}"; do
    pid=${PID[$n]}
    awk -v n="$n" -v p="$pid" -v r="$(proc_field "$pid" VmRSS)" -v t="$(proc_field "$pid" Threads)" \
        -v k="$((T1[$n] - T0[$n]))" -v hz="$CLK_TCK" -v w="$elapsed" \
        'BEGIN { printf "%-5s %8d %9.1f %8d %14.2f\n", n, p, r/1024, t, 60*k/hz/w }'
done
echo
printf '%-5s %-5s %12s %10s\n' FROM TO SENT_B/s SENT_f/s
total_b=0; total_f=0
for n in "${NODES[@]}"; do
    for peer in "${NODES[@]}"; do
        [[ $peer == "$n" ]] && continue
        b=$(awk -v a="${C1[$n,bytes_sent,$peer]:-0}" -v z="${C0[$n,bytes_sent,$peer]:-0}" 'BEGIN { printf "%d", a - z }')
        f=$(awk -v a="${C1[$n,frames_sent,$peer]:-0}" -v z="${C0[$n,frames_sent,$peer]:-0}" 'BEGIN { printf "%d", a - z }')
        total_b=$((total_b + b)); total_f=$((total_f + f))
        awk -v n="$n" -v p="$peer" -v b="$b" -v f="$f" -v w="$elapsed" \
            'BEGIN { printf "%-5s %-5s %12.0f %10.1f\n", n, p, b/w, f/w }'
    done
done
awk -v b="$total_b" -v f="$total_f" -v w="$elapsed" \
    'BEGIN { printf "TOTAL (20 links): %.0f B/s (%.1f KB/s), %.1f frames/s\n", b/w, b/w/1000, f/w }'

# ---------------------------------------------------------------- failover of the busiest owner
victim=$(status n1 | python3 -c '
import json, sys, collections
s = json.load(sys.stdin)
print(collections.Counter(v["owner"] for v in s["vips"] if v.get("owner")).most_common(1)[0][0])')
status n1 | python3 -c '
import json, sys
for v in json.load(sys.stdin)["vips"]:
    if v.get("owner") == sys.argv[1]: print(v["address"])' "$victim" > "$WORK/victim.txt"
count=$(wc -l < "$WORK/victim.txt")
kill_ms=$(date +%s%3N)
kill -KILL "${PID[$victim]}"
survivors=()
for n in "${NODES[@]}"; do [[ $n != "$victim" ]] && survivors+=("$WORK/$n/actuator.jsonl"); done
result=$(python3 - "$WORK/victim.txt" "$kill_ms" "${survivors[@]}" <<'PY'
import json, sys, time, statistics
addrs = set(open(sys.argv[1]).read().split())
kill = int(sys.argv[2])
journals = sys.argv[3:]
deadline = time.time() + 30
while True:
    first = {}
    for j in journals:
        with open(j) as f:
            text = f.read()
        for line in text[:text.rfind("\n") + 1].splitlines():
            op = json.loads(line)
            if op.get("op") == "add" and op["t"] >= kill and op["address"] in addrs:
                first.setdefault(op["address"], op["t"])
    if len(first) == len(addrs) or time.time() > deadline:
        break
    time.sleep(0.2)
d = sorted(t - kill for t in first.values())
if not d:
    print("none of the %d VIPs came back within 30 s" % len(addrs)); sys.exit()
print("%d of %d VIPs active elsewhere; first %d ms, median %d ms, max %d ms"
      % (len(d), len(addrs), d[0], statistics.median(d), d[-1]))
PY
)
echo
echo "failover: kill -9 of $victim (holding $count VIPs): $result"
