#!/usr/bin/env bash
# The lcs demo: builds if needed, starts a 3-node cluster (two full-members and a quorum-only
# witness) with one VIP, prints `lcs status`, kills the owner with SIGKILL, shows the VIP failing
# over with its timing, and cleans up.
#   As root: the nodes run in network namespaces of their own on a bridge, with a real VIP
#   (addresses 198.18.0.0/15 and 2001:db8::/32 only, nothing attached to the host's interfaces).
#   Otherwise: three lcsd processes on 127.0.0.1-3 with the VIP simulated.
set -euo pipefail
cd "$(dirname "$0")"

cp_file=test-harness/target/demo-classpath.txt
if [ ! -f "$cp_file" ] || [ -n "$(find model reconcilers controller cli test-harness -name '*.java' -newer "$cp_file" -print -quit)" ]; then
  echo "demo: building (first run takes a minute)..."
  ./mvnw -B -q -DskipTests -Dlcs.skipDist=true install >/dev/null
  ./mvnw -B -q -pl test-harness dependency:build-classpath -Dmdep.outputFile=target/demo-deps.txt >/dev/null
  echo "test-harness/target/classes:$(cat test-harness/target/demo-deps.txt)" > "$cp_file"
fi
cp="$(cat "$cp_file")"

if [ "$(id -u)" -eq 0 ] && ip netns list >/dev/null 2>&1; then
  rc=0
  java -cp "$cp" io.lcs.harness.netns.HarnessMain demo "$@" || rc=$?
  if [ "$rc" -ne 3 ]; then   # 3: the namespace harness cannot run here (it said why)
    exit "$rc"
  fi
  echo "demo: falling back to loopback with the VIP simulated"
elif [ "$(id -u)" -ne 0 ]; then
  echo "demo: not root, so no network namespaces: running on loopback with the VIP simulated"
  echo "      (run 'sudo ./demo.sh' for real VIPs in network namespaces)"
fi
exec java -cp "$cp" io.lcs.harness.demo.Demo "$@"
