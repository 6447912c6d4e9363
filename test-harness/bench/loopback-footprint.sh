#!/usr/bin/env bash
# Footprint of an idle lcs cluster: three lcsd processes on 127.0.0.1/.2/.3 (a, b full members,
# c a quorum-only witness, one VIP, a shared secret), simulated network actuator, nothing touches
# real interfaces. After the cluster has quorum and a settle time, it measures over an idle
# window, per node: RSS (VmRSS and VmHWM of /proc/PID/status), CPU seconds used in the window
# (utime+stime of /proc/PID/stat), thread count, and peer traffic in bytes and frames per second
# per peer (lcs_transport_{bytes,frames}_{sent,received}_total from each node's /metrics).
#
# Usage: test-harness/bench/loopback-footprint.sh [SETTLE_SECONDS [WINDOW_SECONDS]]   (60 and 60)
# Env:   LCS_JAVA_OPTS  JVM flags (default: the small-footprint flags of docs/footprint.md)
#        KEEP=1         keep the work directory (configs, logs, journals) for inspection
# Needs: a JDK 17 on PATH (or JAVA_HOME), curl; builds with ./mvnw (compile only, no install).
# Every process it starts is stopped by PID on exit (SIGTERM, then SIGKILL after 10 s).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SETTLE=${1:-60}
WINDOW=${2:-60}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
JAVA_OPTS=${LCS_JAVA_OPTS:--XX:+UseSerialGC -Xms8m -Xmx48m -XX:MaxMetaspaceSize=64m -XX:ReservedCodeCacheSize=16m -Xss256k -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:-UsePerfData -XX:+UnlockExperimentalVMOptions -XX:TrimNativeHeapInterval=10000}
CLK_TCK=$(getconf CLK_TCK)
WORK=$(mktemp -d /tmp/lcs-footprint.XXXXXX)
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
    if [[ ${KEEP:-0} == 1 ]]; then
        echo "kept $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

echo "building (compile) and resolving the runtime classpath..." >&2
(cd "$ROOT" && timeout 900 ./mvnw -B -q -pl test-harness -am process-classes >&2)
# the test-harness class path: LoopbackLcsd is lcsd with the simulated actuator (not in the package)
CP="$ROOT/test-harness/target/classes:$(cat "$ROOT/test-harness/target/harness.classpath")"

PEER_PORT=$(free_port); ADMIN_PORT=$(free_port); METRICS_PORT=$(free_port)
SECRET=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
for n in "${NODES[@]}"; do
    mkdir -p "$WORK/$n"
    {
        printf '[cluster]\nname = footprint\nnode = %s\nbind = %s\nport = %s\nsecret = %s\n' \
            "$n" "${IP[$n]}" "$PEER_PORT" "$SECRET"
        printf 'state_dir = %s\nadmin_bind = %s\nadmin_port = %s\n' "$WORK/$n/state" "${IP[$n]}" "$ADMIN_PORT"
        printf 'metrics = true\nmetrics_bind = %s\nmetrics_port = %s\n\n' "${IP[$n]}" "$METRICS_PORT"
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

status() { curl -s --max-time 2 "http://${IP[$1]}:$ADMIN_PORT/api/v1/status" || true; }
metrics() { curl -s --max-time 5 "http://${IP[$1]}:$METRICS_PORT/metrics" || true; }

deadline=$((SECONDS + 60))
for n in "${NODES[@]}"; do
    until status "$n" | grep -q '"present":true'; do
        if ((SECONDS >= deadline)) || ! kill -0 "${PID[$n]}" 2>/dev/null; then
            echo "node $n did not reach quorum; its log:" >&2
            tail -n 30 "$WORK/$n/lcsd.log" >&2
            exit 1
        fi
        sleep 0.2
    done
done
echo "quorum on every node; settling ${SETTLE}s, then measuring an idle window of ${WINDOW}s" >&2
sleep "$SETTLE"

cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
proc_field() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
# "peer value" lines of one counter family
counter() { metrics "$1" | awk -v name="$2" 'index($0, name "{") == 1 {
    match($0, /peer="[^"]*"/); print substr($0, RSTART + 6, RLENGTH - 7), $NF }'; }

declare -A T0 C0
for n in "${NODES[@]}"; do
    T0[$n]=$(cpu_ticks "${PID[$n]}")
    for c in bytes_sent bytes_received frames_sent frames_received; do
        while read -r peer value; do C0[$n,$c,$peer]=$value; done < <(counter "$n" "lcs_transport_${c}_total")
    done
done
start=$SECONDS
sleep "$WINDOW"
elapsed=$((SECONDS - start))

echo
echo "lcs idle footprint: 3 lcsd (a, b full members, c witness), 1 VIP, secret, lease 2 s / renew 0.5 s"
echo "java: $("$JAVA" -version 2>&1 | head -n 1)"
echo "flags: $JAVA_OPTS (MALLOC_ARENA_MAX=2)"
echo "settle ${SETTLE}s, window ${elapsed}s, $(nproc) CPUs"
echo
printf '%-5s %8s %10s %10s %8s %12s %8s\n' NODE PID RSS_MiB HWM_MiB THREADS CPU_s/window CPU_%
for n in "${NODES[@]}"; do
    pid=${PID[$n]}
    ticks=$(( $(cpu_ticks "$pid") - T0[$n] ))
    rss=$(proc_field "$pid" VmRSS); hwm=$(proc_field "$pid" VmHWM); threads=$(proc_field "$pid" Threads)
    awk -v n="$n" -v p="$pid" -v r="$rss" -v h="$hwm" -v t="$threads" -v k="$ticks" -v hz="$CLK_TCK" -v w="$elapsed" \
        'BEGIN { printf "%-5s %8d %10.1f %10.1f %8d %12.2f %8.2f\n", n, p, r/1024, h/1024, t, k/hz, 100*k/hz/w }'
done
echo
printf '%-5s %-5s %12s %12s %10s %10s\n' NODE PEER SENT_B/s RECV_B/s SENT_f/s RECV_f/s
for n in "${NODES[@]}"; do
    declare -A C1=()
    for c in bytes_sent bytes_received frames_sent frames_received; do
        while read -r peer value; do C1[$c,$peer]=$value; done < <(counter "$n" "lcs_transport_${c}_total")
    done
    for peer in "${NODES[@]}"; do
        [[ $peer == "$n" ]] && continue
        awk -v n="$n" -v p="$peer" -v w="$elapsed" \
            -v bs="${C1[bytes_sent,$peer]:-0}" -v bs0="${C0[$n,bytes_sent,$peer]:-0}" \
            -v br="${C1[bytes_received,$peer]:-0}" -v br0="${C0[$n,bytes_received,$peer]:-0}" \
            -v fs="${C1[frames_sent,$peer]:-0}" -v fs0="${C0[$n,frames_sent,$peer]:-0}" \
            -v fr="${C1[frames_received,$peer]:-0}" -v fr0="${C0[$n,frames_received,$peer]:-0}" \
            'BEGIN { printf "%-5s %-5s %12.1f %12.1f %10.2f %10.2f\n", n, p, (bs-bs0)/w, (br-br0)/w, (fs-fs0)/w, (fr-fr0)/w }'
    done
    unset C1
done
for n in "${NODES[@]}"; do
    kill -0 "${PID[$n]}" 2>/dev/null || { echo "node $n died during the measurement" >&2; exit 1; }
done
