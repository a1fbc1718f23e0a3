#!/usr/bin/env bash
# The real peers the tests run against, installed where missing: the one
# list that `scripts/test-all.sh` and CI (`.ci/run`) both use.
#
#   Debian packages  chromium (renders the /slo page), prometheus (and
#                    promtool), victoria-metrics, prometheus-alertmanager,
#                    wrk (the soak); nodejs and npm where npm is missing
#   PyPI             rotel (an OTLP collector), opentelemetry-proto and
#                    grpcio (a receiver on Google's protobuf),
#                    prometheus-client (its strict OpenMetrics parser)
#   npm              @grafana/schema and tsc, pinned by the lock file in
#                    crates/slo-cli/tests/grafana (`slo dashboard`'s check)
#
# Usage: scripts/install-peers.sh [--check]
#   (no flag)  says what it installs, installs what is missing, and prints
#              the version of each peer
#   --check    only says what is missing; exits 1 when anything is
set -euo pipefail
cd "$(dirname "$0")/.."

check_only=false
case "${1:-}" in
  "") ;;
  --check) check_only=true ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

# Each peer: the command that says it is there, and where it comes from.
apt_missing=()
for pair in chromium:chromium prometheus:prometheus promtool:prometheus \
  victoria-metrics:victoria-metrics prometheus-alertmanager:prometheus-alertmanager wrk:wrk; do
  command -v "${pair%%:*}" >/dev/null || apt_missing+=("${pair#*:}")
done
command -v npm >/dev/null || apt_missing+=(nodejs npm)
# One package may stand for two commands (prometheus, promtool).
mapfile -t apt_missing < <(printf '%s\n' "${apt_missing[@]}" | awk 'NF && !seen[$0]++')

pip_missing=()
python3 -c "import rotel" 2>/dev/null || pip_missing+=(rotel)
python3 -c "import opentelemetry.proto" 2>/dev/null || pip_missing+=(opentelemetry-proto)
python3 -c "import grpc" 2>/dev/null || pip_missing+=(grpcio)
python3 -c "import prometheus_client.openmetrics.parser" 2>/dev/null || pip_missing+=(prometheus-client==0.26.0)

grafana=crates/slo-cli/tests/grafana
npm_missing=()
[ -x "$grafana/node_modules/.bin/tsc" ] || npm_missing+=("$grafana (npm ci)")

if [ ${#apt_missing[@]} -eq 0 ] && [ ${#pip_missing[@]} -eq 0 ] && [ ${#npm_missing[@]} -eq 0 ]; then
  echo "peers: all there"
  $check_only && exit 0
else
  echo "peers missing:"
  [ ${#apt_missing[@]} -gt 0 ] && echo "  apt-get install ${apt_missing[*]}"
  [ ${#pip_missing[@]} -gt 0 ] && echo "  pip install --pre ${pip_missing[*]}"
  [ ${#npm_missing[@]} -gt 0 ] && echo "  ${npm_missing[*]}"
  if $check_only; then
    echo "(tests whose peer is missing say that they skip, and why; under CI=true they fail)"
    exit 1
  fi
fi

if [ ${#apt_missing[@]} -gt 0 ]; then
  sudo=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "installing Debian packages needs root (or sudo)" >&2; exit 1; }
    sudo=(sudo)
  fi
  echo "== installing (apt): ${apt_missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${apt_missing[@]}"
fi
if [ ${#pip_missing[@]} -gt 0 ]; then
  echo "== installing (pip): ${pip_missing[*]}"
  python3 -m pip install --quiet --pre "${pip_missing[@]}"
fi
if [ ${#npm_missing[@]} -gt 0 ]; then
  echo "== installing (npm): $grafana"
  npm ci --prefix "$grafana" --no-audit --no-fund --loglevel=error
fi

echo "== peers"
chromium --version
prometheus --version 2>&1 | head -1
promtool --version 2>&1 | head -1
dpkg-query -W -f='victoria-metrics ${Version}\n' victoria-metrics 2>/dev/null || victoria-metrics --version 2>&1 | head -1
prometheus-alertmanager --version 2>&1 | head -1
wrk --version 2>&1 | head -1 || true
python3 -c "import grpc, opentelemetry.proto, rotel, prometheus_client.openmetrics.parser; print('python peers: ok')"
echo "tsc $("$grafana/node_modules/.bin/tsc" --version)"
