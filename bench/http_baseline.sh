#!/usr/bin/env bash
# Throughput of the API's foundation under gunicorn, as `make run` serves it (Procfile settings),
# measured with wrk on loopback. Reproduce with:   bash bench/http_baseline.sh
# Options (environment): BENCH_DATABASE_URL (default: a fresh SQLite file), DURATION (10s),
# CONNECTIONS (16). Needs Debian's wrk (installed here when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
make --quiet venv
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-16}
PORT=${PORT:-8765}
WORKDIR=$(mktemp -d)
export CDS_INSTANCE_PATH=$WORKDIR
export DATABASE_URL=${BENCH_DATABASE_URL:-sqlite:///$WORKDIR/bench.db}
export PUBLIC_BASE_URL=http://127.0.0.1:$PORT
export LOG_LEVEL=WARNING
export RATELIMIT_SIGN_IN="100000 per minute" RATELIMIT_PUBLIC_LOOKUP="100000 per minute"

.venv/bin/flask --app api:create_app db upgrade >/dev/null
.venv/bin/flask --app api:create_app seed-demo --quiet >/dev/null
.venv/bin/gunicorn --config gunicorn.conf.py --bind 127.0.0.1:$PORT \
    --log-level warning 'api:create_app()' 2>"$WORKDIR/gunicorn.log" &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null; rm -rf "$WORKDIR"' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.2; done

TOKEN=$(curl -fs -X POST -H 'Content-Type: application/json' \
    -d '{"username": "quantri", "password": "CongDanSo@2025"}' \
    "http://127.0.0.1:$PORT/auth/staff/login" | .venv/bin/python -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

run() {
    local name=$1; shift
    local rps latency
    read -r rps latency < <(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" "$@" 2>/dev/null |
        awk '/Requests\/sec/ {r=$2} /^    Latency/ {l=$2} END {print r, l}')
    printf '%-44s %10s req/s   mean latency %s\n' "$name" "$rps" "$latency"
}

echo "database: ${DATABASE_URL%%:*}   connections: $CONNECTIONS   duration: $DURATION   cores: $(nproc)"
run "GET /health (no auth, no database)" "http://127.0.0.1:$PORT/health"
run "GET /auth/whoami (JWT + session check)" -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/auth/whoami"
run "GET /units/wards?q=buon ma thuot (search)" "http://127.0.0.1:$PORT/units/wards?q=buon%20ma%20thuot"
# Last: with Rasa and localstripe absent its probes are slow, and the requests still queued when
# wrk stops would be served in the next endpoint's window.
run "GET /ready (every dependency probed)" "http://127.0.0.1:$PORT/ready"
