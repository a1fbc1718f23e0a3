#!/usr/bin/env bash
# Throughput over loopback with wrk: the same axum router bare, with slo's
# layer (Router::layer and around the router), with axum-prometheus and with
# autometrics. The server gets one worker thread, wrk one thread; variants
# alternate over ROUNDS rounds so drift on a shared machine hits all alike.
# Usage: scripts/bench-wrk.sh [SECONDS] [ROUNDS]
# (VARIANTS="bare slo" picks variants; bare must be among them.)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
rounds="${2:-3}"
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
cargo build --release -p slo-integration-tests --bin bench-server --locked -q
server=target/release/bench-server
read -r -a variants <<<"${VARIANTS:-bare slo slo-around axum-prometheus autometrics}"
declare -A total
for round in $(seq "$rounds"); do
  for variant in "${variants[@]}"; do
    "$server" "$variant" 127.0.0.1:3900 &
    pid=$!
    for _ in $(seq 50); do
      (echo >/dev/tcp/127.0.0.1/3900) 2>/dev/null && break
      sleep 0.1
    done
    rps=$(wrk -t1 -c32 -d"${seconds}s" http://127.0.0.1:3900/search | awk '/Requests\/sec/ {print $2}')
    kill "$pid"; wait "$pid" 2>/dev/null || true
    echo "round $round  $variant  $rps req/s"
    total[$variant]=$(echo "${total[$variant]:-0} + $rps" | bc -l)
  done
done
echo
bare=$(echo "${total[bare]} / $rounds" | bc -l)
for variant in "${variants[@]}"; do
  mean=$(echo "${total[$variant]} / $rounds" | bc -l)
  printf "%-16s %10.0f req/s  %6.1f%% of bare\n" "$variant" "$mean" "$(echo "100 * $mean / $bare" | bc -l)"
done
