#!/usr/bin/env bash
# Database outage drill: gunicorn on PostgreSQL answers 200, then 503 (with Retry-After) while PostgreSQL
# is stopped, then 200 again once it is back, without restarting gunicorn.
# Stops the local PostgreSQL cluster for a few seconds (at most ~10): never run it where others depend on it
# being up longer than that. The cluster is started again whatever happens (trap).
# Usage: bench/db_outage_drill.sh   (DATABASE_URL defaults to the festival_prod demo database)
set -euo pipefail
cd "$(dirname "$0")/.."

export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/festival_prod}
export SECRET_KEY=${SECRET_KEY:-drill-$(head -c 32 /dev/urandom | base64 | tr -dc a-zA-Z0-9)}
export ALLOWED_HOSTS=127.0.0.1 FESTIVAL_PAGE_CACHE_SECONDS=0 WEB_CONCURRENCY=2 PORT=${PORT:-8771} BIND_HOST=127.0.0.1
export GUNICORN_ACCESS_LOG=/dev/null
cluster_version=${PG_CLUSTER_VERSION:-$(ls /etc/postgresql | head -n1)}
url="http://127.0.0.1:$PORT/en/editions/"
log=$(mktemp)

.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/gunicorn --config gunicorn.conf.py festival.wsgi:application >"$log" 2>&1 &
gunicorn_pid=$!
pg_stopped=false
cleanup() {
    if $pg_stopped; then pg_ctlcluster --skip-systemctl-redirect "$cluster_version" main start || true; fi
    kill "$gunicorn_pid" 2>/dev/null || true
    wait "$gunicorn_pid" 2>/dev/null || true
}
trap cleanup EXIT

status() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$url"; }
for _ in $(seq 50); do [ "$(status)" = "200" ] && break; sleep 0.2; done

before=$(status)
echo "before the outage: $before"
# Every worker holds a persistent connection now.
for _ in 1 2 3 4; do status >/dev/null; done

started=$(date +%s.%N)
pg_ctlcluster --skip-systemctl-redirect "$cluster_version" main stop -m fast
pg_stopped=true
during=$(status)
headers=$(curl -s -D - -o /tmp/drill-503.html --max-time 5 "$url" | tr -d '\r')
echo "during the outage: $during ($(grep -i '^retry-after' <<<"$headers"))"
grep -q "temporarily unavailable" /tmp/drill-503.html && echo "  page: the 503 page, no stack trace: $(grep -c Traceback /tmp/drill-503.html || true) tracebacks"
pg_ctlcluster --skip-systemctl-redirect "$cluster_version" main start
pg_stopped=false
for _ in $(seq 40); do pg_isready -q -h 127.0.0.1 && break; sleep 0.2; done
ended=$(date +%s.%N)
echo "PostgreSQL was down for $(printf '%.1f' "$(echo "$ended - $started" | bc)") s"

after=$(status)
after2=$(status)
echo "after the outage: $after $after2 (no restart of gunicorn)"
if [ "$before" = 200 ] && [ "$during" = 503 ] && [ "$after" = 200 ] && [ "$after2" = 200 ]; then
    echo "DRILL PASSED"
else
    echo "DRILL FAILED"; tail -n 20 "$log"; exit 1
fi
