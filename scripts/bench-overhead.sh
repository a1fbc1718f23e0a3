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
# Each run's criterion output is kept here.
out=target/bench-overhead
mkdir -p "$out"
for run in $(seq "$runs"); do
  echo "== run $run of $runs" >&2
  cargo bench -p slo-integration-tests --bench tower_overhead --locked -q -- \
    --warm-up-time 2 --measurement-time 5 'over bare' >"$out/run$run.txt" 2>"$out/run$run.err"
done
python3 - "$out" "$runs" <<'EOF'
import os, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
values = {}
scale = {"ps": 1e-3, "ns": 1.0, "µs": 1e3, "us": 1e3, "ms": 1e6}
for run in range(1, runs + 1):
    name = None
    # Criterion prints the name, then (on the same line or the next)
    # `time: [low estimate high]`.
    for line in open(os.path.join(out, f"run{run}.txt")):
        if line.startswith("over bare/"):
            name = line.split("time:")[0].strip()
        if "time:" in line and name:
            low, unit1, mid, unit, *_ = line.split("[", 1)[1].split()
            _, request, variant = name.split("/", 2)
            values.setdefault(request, {}).setdefault(variant, {})[run] = float(mid) * scale[unit]
            name = None
for request, variants in sorted(values.items()):
    print(f"\n{request}: ns over the bare router, paired (run 1..{runs}, median)")
    reference = variants.get("axum-prometheus", {})
    for variant, per_run in sorted(variants.items(), key=lambda kv: statistics.median(kv[1].values())):
        cells = " ".join(f"{per_run.get(r, float('nan')):8.1f}" for r in range(1, runs + 1))
        line = f"  {variant:34} {cells}  median {statistics.median(per_run.values()):8.1f}"
        if variant != "axum-prometheus" and reference:
            ratios = [reference[r] / per_run[r] for r in range(1, runs + 1) if r in reference and r in per_run]
            line += f"   axum-prometheus ÷ this: {min(ratios):.1f}–{max(ratios):.1f}×, median {statistics.median(ratios):.1f}×"
        print(line)
EOF
