#!/usr/bin/env bash
# The `slo suggest` benchmark (BENCHMARKS.md): 28 days of OpenTelemetry
# request histograms, 50 routes on 3 instances scraped every minute,
# backfilled into a local Prometheus with promtool; then `slo suggest
# --source http` over all of it, timed RUNS times. Needs prometheus and
# promtool, about 20 GB of free disk while it runs, and several minutes.
#
#   bash scripts/suggest-bench.sh [ROUTES INSTANCES DAYS SCRAPE]
#
# WORK=DIR keeps the backfilled history there (and reuses it when it is
# already there); RUNS=N times N runs (default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUTES=${1:-50} INSTANCES=${2:-3} DAYS=${3:-28} SCRAPE=${4:-60} RUNS=${RUNS:-3}
if [ -n "${WORK:-}" ]; then
  trap 'kill "${PROM:-0}" 2>/dev/null || true' EXIT
else
  WORK=$(mktemp -d /tmp/slo-suggest-bench.XXXXXX)
  trap 'kill "${PROM:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
fi
cargo build --release -q -p slo-cli --bin slo --example suggest_history
if [ ! -f "$WORK/backfilled" ]; then
  mkdir -p "$WORK/data"
  started=$(date +%s)
  # One chunk of days at a time: promtool reads each file whole.
  target/release/examples/suggest_history "$WORK/in" "$ROUTES" "$INSTANCES" "$DAYS" "$SCRAPE" 2
  for file in "$WORK"/in/*.om; do
    promtool tsdb create-blocks-from openmetrics --max-block-duration=240h "$file" "$WORK/data" >/dev/null
    rm "$file"
  done
  echo "history written and backfilled in $(( $(date +%s) - started )) s"
  touch "$WORK/backfilled"
fi
printf 'global:\n  scrape_interval: 1m\n' > "$WORK/prometheus.yml"
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/data" \
  --storage.tsdb.retention.time=400d --web.listen-address=127.0.0.1:19399 >/dev/null 2>&1 &
PROM=$!
until curl -sf http://127.0.0.1:19399/-/ready >/dev/null; do sleep 1; done
for run in $(seq "$RUNS"); do
  /usr/bin/time -f "run $run: %e s wall, %M KiB" target/release/slo suggest \
    --prometheus http://127.0.0.1:19399 --selector job=bench --timeout 120s \
    --from 2026-11-01T00:00:00Z --to 2026-11-29T00:00:00Z --format json -o "$WORK/out.json"
done
python3 - "$WORK/out.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"{len(s['slos'])} SLOs proposed over {s['from']} to {s['to']}, {len(s['left_out'])} left out")
PY
