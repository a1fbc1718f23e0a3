#!/usr/bin/env bash
# Soak: the shop demo under wrk at full speed with real peers, healthy and
# then failing, then SIGKILL and a restart on its state file; fails unless
# every request is counted exactly once, memory stays flat, nothing
# panics, the failing peers cost no latency (p99 within 10%), and the
# totals survive the kill. What it checks is in scripts/soak/soak.py.
#
#   bash scripts/soak.sh                    # 10 minutes a run (two runs)
#   SOAK_SECONDS=60 bash scripts/soak.sh    # the short form (CI)
#
# Needs wrk, prometheus, prometheus-alertmanager (apt) and rotel
# (python3 -m pip install --pre rotel).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p shop-demo --locked
exec python3 scripts/soak/soak.py
