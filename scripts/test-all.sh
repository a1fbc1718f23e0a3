#!/usr/bin/env bash
# The whole test suite: unit, integration, property, stress and doc tests,
# then the loom models of the lock-free core (in their own target dir, since
# `--cfg loom` rebuilds every dependency).
#
# First it installs the real peers the tests use where they are missing
# (`scripts/install-peers.sh`, as CI does; it says what it installs).
# `--no-install` only reports what is missing: the tests of a missing peer
# then say that they skip, and why.
# Usage: scripts/test-all.sh [--no-install]
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-}" in
  "") bash scripts/install-peers.sh ;;
  --no-install) bash scripts/install-peers.sh --check || true ;;
  *) echo "usage: $0 [--no-install]" >&2; exit 2 ;;
esac

# On CI (CI=true) each phase's build directory is removed once the phase has
# passed: the three phases share no artefacts, and together they outgrow the
# free disk of a CI machine. A developer's target/ is left alone.
prune() {
  if [ "${CI:-}" = true ]; then
    rm -rf "$1"
    df -h . | tail -1
  fi
}

echo "== cargo test (workspace)"
cargo test --workspace --all-features --locked
prune target/debug

echo "== property and stress tests in release (more cases per second)"
PROPTEST_CASES="${PROPTEST_CASES:-8192}" cargo test -p slo-core --release --locked --test windows_prop --test stress
prune target/release

echo "== loom models"
RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=target/loom cargo test -p slo-core --release --locked --lib loom
