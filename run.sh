#!/usr/bin/env bash
# Runs the whole system: installs what is missing, builds, and starts the AppHost (dashboard, broker,
# Postgres, Redis, producer with live traffic, detector, API). Ctrl+C stops everything.
set -euo pipefail
cd "$(dirname "$0")"
eng/prerequisites.sh
dotnet build Fraud.AppHost --nologo -v quiet -clp:ErrorsOnly
cat <<'INFO'

  Fraud is starting (the first start restores ~300 MB of Aspire tooling; later starts take seconds).
    Dashboard  http://localhost:15888      (resources, logs, traces, metrics)
    Console    http://localhost:8080/      (analyst console; development API key: dev-only-key-not-a-secret-change-me)
    API        http://localhost:8080/alerts?limit=5    http://localhost:8080/scalar/ (reference)
    Metrics    http://localhost:9000/metrics           (detector, Prometheus format)
    Prometheus http://localhost:9090/               (every service scraped; alert rules at /alerts)
  Stop with Ctrl+C.

INFO
exec dotnet run --project Fraud.AppHost --no-build --launch-profile http -- "$@"
