#!/usr/bin/env bash
# Installs what local mode needs on Debian 12 (run by ./run.sh and ./test.sh): Redis, Prometheus and the PostgreSQL
# server, and for the tests (FRAUD_FOR_TESTS=1) Debian's Chromium and kubectl. Everything else comes from NuGet.
# Idempotent and quiet when nothing is missing.
set -euo pipefail

missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || missing+=(postgresql)
command -v prometheus >/dev/null || missing+=(prometheus)   # local-mode metrics and alert rules
command -v setpriv >/dev/null || missing+=(util-linux)
if [[ ${FRAUD_FOR_TESTS:-0} == 1 ]]; then
  [[ -x /usr/bin/chromium ]] || missing+=(chromium)   # the browser tests drive Debian's headless Chromium
  # The deployment tests render deploy/k8s with `kubectl kustomize`; any kubectl from 1.20 (Debian's) on will do.
  command -v kubectl >/dev/null || missing+=(kubernetes-client)
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
