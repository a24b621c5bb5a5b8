#!/usr/bin/env bash
# Load test of GET /alerts?limit=50 at a fixed request rate (docs/benchmarks.md, "API").
# Runs Fraud.Api (Release) alone against private Postgres, Redis and Fraud.LocalKafka processes on free
# loopback ports, with ROWS alerts in fraud_alerts; the rest of the system does not run. Everything it starts
# is stopped (by PID) and its temporary folder removed when it ends. Needs root (Postgres runs as 'postgres').
# Usage: bench/api/run.sh [rate=500] [seconds=60] [rows=100000]
set -euo pipefail
cd "$(dirname "$0")/../.."
rate=${1:-500} duration=${2:-60} rows=${3:-100000}

eng/prerequisites.sh
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
dotnet build Fraud.Api -c Release --nologo -v quiet -clp:ErrorsOnly
dotnet build Fraud.LocalKafka -c Release --nologo -v quiet -clp:ErrorsOnly

work=$(mktemp -d /tmp/fraud-api-bench-XXXXXX)
chmod 755 "$work"
pids=()
postgres_pid=""
cleanup() {
  # TERM stops the .NET processes and Redis (a non-interactive shell's background jobs ignore INT);
  # Postgres gets INT, its fast shutdown, rather than waiting for its clients to leave.
  [[ -z $postgres_pid ]] || kill -INT "$postgres_pid" 2>/dev/null || true
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in $postgres_pid "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 30000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}
pg_port=$(free_port) redis_port=$(free_port) kafka_port=$(free_port) api_port=$(free_port)
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_postgres=(setpriv --reuid=postgres --regid=postgres --init-groups --)

password=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
echo -n "$password" > "$work/pw"
mkdir "$work/pg"
chown postgres:postgres "$work/pg" "$work/pw"
"${as_postgres[@]}" "$pg_bin/initdb" -D "$work/pg" -U postgres --pwfile="$work/pw" --auth=scram-sha-256 >/dev/null
# Started directly (no function or subshell), so $! is the server itself: setpriv execs it.
"${as_postgres[@]}" "$pg_bin/postgres" -D "$work/pg" -p "$pg_port" -c listen_addresses=127.0.0.1 \
  -c unix_socket_directories="$work/pg" -c fsync=off >"$work/postgres.log" 2>&1 &
postgres_pid=$!
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >"$work/redis.log" 2>&1 &
pids+=($!)
dotnet Fraud.LocalKafka/bin/Release/net10.0/Fraud.LocalKafka.dll --port "$kafka_port" --topic alerts.v1:1 >"$work/kafka.log" 2>&1 &
pids+=($!)

export PGPASSWORD=$password
until "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$pg_port" -U postgres; do sleep 0.2; done
psql -q -h 127.0.0.1 -p "$pg_port" -U postgres -c 'CREATE DATABASE fraud'

ConnectionStrings__fraud="Host=127.0.0.1;Port=$pg_port;Username=postgres;Password=$password;Database=fraud" \
ConnectionStrings__redis="127.0.0.1:$redis_port" \
ConnectionStrings__kafka="127.0.0.1:$kafka_port" \
Api__Key="bench-$password" \
ASPNETCORE_URLS="http://127.0.0.1:$api_port" \
  dotnet Fraud.Api/bin/Release/net10.0/Fraud.Api.dll >"$work/api.log" 2>&1 &
pids+=($!)
until curl -sf "http://127.0.0.1:$api_port/health" >/dev/null; do sleep 0.25; done  # migrations have run

# One alert every half second back from now, shaped like the detector's (a fifth with a second rule, ~2% reviewed).
psql -q -h 127.0.0.1 -p "$pg_port" -U postgres -d fraud -v rows="$rows" <<'SQL'
INSERT INTO fraud_alerts (tx_id, user_id, amount, location, ts, score, reason, created_at, risk, rules, model_version, status)
SELECT format('tx_bench_%s', lpad(i::text, 9, '0')),
       1 + (i * 7919) % 5000,
       1000 + (i % 9000) + (i % 100) / 100.0,
       (ARRAY['ES','FR','DE','IT','PT','NL','BE','IE','PL','SE'])[1 + i % 10],
       now() - make_interval(secs => (:rows - i) * 0.5) - interval '200 ms',
       CASE WHEN i % 3 = 0 THEN NULL ELSE -0.5 - (i % 50) / 100.0 END,
       format('amount=%s.00; threshold=1000.00', 1000 + i % 9000),
       now() - make_interval(secs => (:rows - i) * 0.5),
       0.5 + (i % 50) / 100.0,
       CASE WHEN i % 5 = 0 THEN ARRAY['amount_above_threshold','velocity'] ELSE ARRAY['amount_above_threshold'] END,
       'rules-v0',
       CASE WHEN i % 97 = 0 THEN 'confirmed_fraud' WHEN i % 89 = 0 THEN 'false_positive' ELSE 'open' END
FROM generate_series(1, :rows) AS i;
ANALYZE fraud_alerts;
SQL

url="http://127.0.0.1:$api_port/alerts?limit=50"
echo "fraud_alerts: $(psql -Atq -h 127.0.0.1 -p "$pg_port" -U postgres -d fraud -c 'SELECT count(*) FROM fraud_alerts') rows; response $(curl -s "$url" | wc -c) bytes"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
RATE=$rate THREADS=2 wrk -t2 -c20 -d10s -s bench/api/fixed-rate.lua "$url" >/dev/null   # warm-up (JIT, pools)
RATE=$rate THREADS=2 wrk -t2 -c20 -d"${duration}s" --latency -s bench/api/fixed-rate.lua "$url"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
