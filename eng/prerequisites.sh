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

sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"

# Local mode runs its own Redis, Postgres and Prometheus on 127.0.0.1. Debian's packages start system services of
# their own at install (Prometheus on 0.0.0.0:9090, the port local mode's Prometheus takes) and enable them for every
# boot. A policy-rc.d that answers 101 ("forbidden") keeps invoke-rc.d and deb-systemd-invoke from starting them
# during the install; one already there (container images ship one) is left as it is.
policy=/usr/sbin/policy-rc.d
ours="# eng/prerequisites.sh: no service starts while it installs packages"
remove_our_policy() { if grep -qxF "$ours" "$policy" 2>/dev/null; then $sudo rm -f "$policy"; fi; }

if ((${#missing[@]})); then
  echo "Installing ${missing[*]} (apt)…"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  if [[ ! -e $policy ]]; then
    trap remove_our_policy EXIT
    printf '#!/bin/sh\n%s\nexit 101\n' "$ours" | $sudo tee "$policy" >/dev/null
    $sudo chmod 755 "$policy"
  fi
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  remove_our_policy
fi

# Never started, and disabled for the next boot too: the services of the packages installed just now, and
# Prometheus's whenever it is there (a machine set up before this script disabled it would show it on :9090).
units=()
for package in "${missing[@]}"; do
  case $package in
    redis-server) units+=(redis-server) ;;
    postgresql) units+=(postgresql) ;;
  esac
done
if [[ -e /lib/systemd/system/prometheus.service || -e /etc/init.d/prometheus ]]; then
  units+=(prometheus)
fi
for unit in "${units[@]}"; do
  if [[ -d /run/systemd/system ]]; then
    if systemctl is-enabled --quiet "$unit" 2>/dev/null || systemctl is-active --quiet "$unit"; then
      echo "Stopping and disabling the system service $unit (local mode runs its own)."
      $sudo systemctl disable --now --quiet "$unit"
    fi
  elif [[ -x /etc/init.d/$unit ]] && command -v update-rc.d >/dev/null; then
    # Without systemd (sysvinit, or a container where nothing boots): no boot starts it either.
    $sudo update-rc.d "$unit" disable >/dev/null 2>&1 || echo "Could not disable the boot start of $unit (update-rc.d)." >&2
  fi
done

command -v dotnet >/dev/null || { echo "The .NET 10 SDK is required (https://dot.net)." >&2; exit 1; }
