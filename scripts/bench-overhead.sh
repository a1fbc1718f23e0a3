#!/usr/bin/env bash
# The layer's overhead on the benchmark axum router, each variant paired
# with the bare router (the `over bare/…` groups of the tower_overhead
# bench), RUNS times over, with the per-run figures, their medians, and how
# many times lighter than axum-prometheus each variant is in each run.
# A single run on a shared machine can be off by 20%; the median of several
# is the figure to quote. Usage: scripts/bench-overhead.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
command -v python3 >/dev/null || { echo "python3 is needed to summarise" >&2; exit 1; }
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
for run in $(seq "$runs"); do
  echo "== run $run of $runs" >&2
  cargo bench -p slo-integration-tests --bench tower_overhead --locked -q -- \
    --warm-up-time 2 --measurement-time 5 'over bare' >/dev/null
  # Criterion keeps each benchmark's latest estimates as JSON; the next
  # run overwrites them, so each run's figure is kept here.
  for dir in target/criterion/over\ bare_*/*/new; do
    request="${dir#target/criterion/over bare_}"
    request="${request%%/*}"
    variant="$(basename "$(dirname "$dir")")"
    python3 -c 'import json,sys; e=json.load(open(sys.argv[1])); print((e.get("slope") or e["mean"])["point_estimate"])' \
      "$dir/estimates.json" >"$out/$run.$request.$variant.ns"
  done
done
python3 - "$out" "$runs" <<'EOF'
import os, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
values = {}
for name in os.listdir(out):
    if not name.endswith(".ns"):
        continue
    run, request, variant = name[:-3].split(".", 2)
    values.setdefault(request, {}).setdefault(variant, {})[int(run)] = float(open(os.path.join(out, name)).read())
for request, variants in sorted(values.items()):
    print(f"\n{request}: ns over the bare router, paired (run 1..{runs}, median)")
    reference = variants.get("axum-prometheus", {})
    for variant, per_run in sorted(variants.items(), key=lambda kv: statistics.median(kv[1].values())):
        cells = " ".join(f"{per_run.get(r, float('nan')):8.1f}" for r in range(1, runs + 1))
        line = f"  {variant.replace('__', '::'):34} {cells}  median {statistics.median(per_run.values()):8.1f}"
        if variant != "axum-prometheus" and reference:
            ratios = [reference[r] / per_run[r] for r in range(1, runs + 1) if r in reference and r in per_run]
            line += f"   axum-prometheus ÷ this: {min(ratios):.1f}–{max(ratios):.1f}×, median {statistics.median(ratios):.1f}×"
        print(line)
EOF
