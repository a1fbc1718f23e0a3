#!/usr/bin/env bash
# Instructions per request that SloLayer adds to a service that answers at
# once (callgrind: exact and repeatable on a shared machine, unlike time).
# Usage: scripts/layer-instructions.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-100000}"
cargo build --release -p slo-tower --example layer_cost --locked -q
bin=target/release/examples/layer_cost
ir() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$@" 2>&1 \
    | awk '/refs:/ {gsub(",", "", $NF); print $NF}'
}
for path in /search /cart/42 /unmatched/path; do
  base=$(( $(ir bare "$path" "$n") - $(ir bare "$path" 0) ))
  slo=$(( $(ir slo "$path" "$n") - $(ir slo "$path" 0) ))
  printf "%-16s bare %5d  slo %5d  layer +%d instructions/request\n" \
    "$path" $((base / n)) $((slo / n)) $(((slo - base) / n))
done
