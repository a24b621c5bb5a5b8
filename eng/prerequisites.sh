#!/usr/bin/env bash
# Installs what local mode needs on Debian 12 (run by ./run.sh and ./test.sh): Redis, Prometheus and the PostgreSQL
# server, and for the tests (FRAUD_NEEDS_BROWSER=1) Debian's Chromium. Everything else comes from NuGet.
# Idempotent and quiet when nothing is missing.
set -euo pipefail

missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || missing+=(postgresql)
command -v prometheus >/dev/null || missing+=(prometheus)   # local-mode metrics and alert rules
command -v setpriv >/dev/null || missing+=(util-linux)
if [[ ${FRAUD_NEEDS_BROWSER:-0} == 1 && ! -x /usr/bin/chromium ]]; then
  missing+=(chromium)   # the browser tests drive Debian's headless Chromium
fi

if ((${#missing[@]})); then
  echo "Installing ${missing[*]} (apt)…"
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v dotnet >/dev/null || { echo "The .NET 10 SDK is required (https://dot.net)." >&2; exit 1; }
