#!/usr/bin/env bash
# Throughput over loopback with wrk: the same axum router bare, with slo's
# layer (Router::layer and around the router), with axum-prometheus and with
# autometrics. The server gets one worker thread, wrk one thread, each
# pinned to its own CPU where taskset exists, so that the two never share
# one while the other idles; variants alternate over ROUNDS
# rounds, each round starting one variant later, so drift on a shared
# machine hits all alike. Each round's ratios to bare are printed, and
# their median per variant: the figure to quote.
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
n=${#variants[@]}
server_cpu=() client_cpu=()
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
  server_cpu=(taskset -c 0) client_cpu=(taskset -c 1)
fi
declare -A total
declare -A rps_of
for round in $(seq "$rounds"); do
  for i in $(seq 0 $((n - 1))); do
    variant=${variants[$(((i + round - 1) % n))]}
    "${server_cpu[@]}" "$server" "$variant" 127.0.0.1:3900 &
    pid=$!
    for _ in $(seq 50); do
      (echo >/dev/tcp/127.0.0.1/3900) 2>/dev/null && break
      sleep 0.1
    done
    rps=$("${client_cpu[@]}" wrk -t1 -c32 -d"${seconds}s" http://127.0.0.1:3900/search | awk '/Requests\/sec/ {print $2}')
    kill "$pid"; wait "$pid" 2>/dev/null || true
    echo "round $round  $variant  $rps req/s"
    total[$variant]=$(echo "${total[$variant]:-0} + $rps" | bc -l)
    rps_of[$round,$variant]=$rps
  done
done
echo
bare=$(echo "${total[bare]} / $rounds" | bc -l)
for variant in "${variants[@]}"; do
  mean=$(echo "${total[$variant]} / $rounds" | bc -l)
  ratios=$(for round in $(seq "$rounds"); do
    echo "100 * ${rps_of[$round,$variant]} / ${rps_of[$round,bare]}" | bc -l
  done | sort -g)
  median=$(echo "$ratios" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
  printf "%-16s %10.0f req/s  %6.1f%% of bare by the mean, %6.1f%% by the median round (per-round ratios, sorted: %s)\n" \
    "$variant" "$mean" "$(echo "100 * $mean / $bare" | bc -l)" "$median" \
    "$(echo "$ratios" | xargs printf "%.1f " | sed 's/ $//')"
done
