#!/usr/bin/env bash
# Instructions per request on the benchmark axum router: bare, with axum's
# no-op Router::layer, and with slo three ways (callgrind counts only the
# request loop; instructions repeat exactly on a shared machine, unlike
# time, though they weigh an atomic read-modify-write or a TSC read no more
# than an add). Usage: scripts/router-instructions.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-20000}"
cargo build --release -p slo-integration-tests --example router_cost --locked -q
bin=target/release/examples/router_cost
ir() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null \
    --toggle-collect='router_cost::run*' "$bin" "$@" 2>&1 \
    | awk '/refs:/ {gsub(",", "", $NF); print $NF}'
}
printf "%-22s %-16s %8s %8s\n" request variant instr "over bare"
for request in "GET /search" "POST /checkout"; do
  read -r method path <<<"$request"
  base=$(( $(ir bare "$method" "$path" "$n") / n ))
  printf "%-22s %-16s %8d\n" "$request" bare "$base"
  for variant in noop-layer slo-layer slo-around slo-axum-around; do
    cost=$(( $(ir "$variant" "$method" "$path" "$n") / n ))
    printf "%-22s %-16s %8d %+9d\n" "$request" "$variant" "$cost" $((cost - base))
  done
done
