#!/usr/bin/env bash
# Every fuzz target for FUZZ_SECONDS (default 30) over its committed
# corpus (fuzz/corpus/TARGET, read only; what a run finds goes to a scratch
# directory). Needs a nightly toolchain; without one it says so and skips.
# Installs cargo-fuzz when it is missing. FUZZING.md has the long runs.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${FUZZ_SECONDS:-30}"
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  echo "fuzz: SKIPPED: no nightly toolchain here (rustup toolchain install nightly), so no target ran"
  exit 0
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi
cargo +nightly fuzz build
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for file in fuzz_targets/*.rs; do
  target=$(basename "$file" .rs)
  mkdir -p "$scratch/$target"
  dict=-verbosity=1 # libFuzzer's default: no dictionary
  if [ -f "dicts/$target.dict" ]; then dict=-dict="dicts/$target.dict"; fi
  echo "== fuzz $target (${seconds} s)"
  if ! cargo +nightly fuzz run "$target" "$scratch/$target" "corpus/$target" -- \
    -max_total_time="$seconds" -print_final_stats=1 "$dict" >"$scratch/$target.log" 2>&1; then
    tail -n 60 "$scratch/$target.log"
    echo "fuzz: $target failed; its input is under fuzz/artifacts/$target"
    exit 1
  fi
  grep -E '^(Done|stat::number_of_executed_units|stat::new_units_added|stat::peak_rss_mb)' "$scratch/$target.log"
done
echo "fuzz: every target ran ${seconds} s with no finding"
