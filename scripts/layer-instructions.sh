#!/usr/bin/env bash
# Instructions per request that SloLayer adds to a service that answers at
# once (callgrind counts only the request loop: exact and repeatable on a
# shared machine, unlike time, though an atomic read-modify-write or a TSC
# read weighs no more there than an add).
# Usage: scripts/layer-instructions.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-100000}"
cargo build --release -p slo-tower --example layer_cost --locked -q
bin=target/release/examples/layer_cost
ir() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null \
    --toggle-collect='layer_cost::run*' "$bin" "$@" 2>&1 \
    | awk '/refs:/ {gsub(",", "", $NF); print $NF}'
}
row() {
  local path=$1; shift
  base=$(ir bare "$path" "$n" "$@")
  slo=$(ir slo "$path" "$n" "$@")
  printf "%-28s bare %5d  slo %5d  layer +%d instructions/request\n" \
    "$path" $((base / n)) $((slo / n)) $(((slo - base) / n))
}
echo "three routes, three SLOs (benches/three-routes.yaml):"
for path in /search /cart/42 /unmatched/path; do
  row "$path"
done
echo "97 routes, 49 SLOs (benches/many-routes.yaml):"
for path in /search /api/v1/resource47 /api/v1/resource3/9/action /unmatched/path; do
  row "$path" crates/slo-tower/benches/many-routes.yaml
done
