#!/usr/bin/env bash
# Runs the whole test suite: unit tests and integration tests against the real system (the AppHost in local
# mode with Fraud.LocalKafka, Postgres and Redis as processes). Installs what is missing first.
# --fast runs only the unit tests (tests/Fraud.UnitTests: no process started, no socket opened). Other arguments
# go to dotnet test.
set -euo pipefail
cd "$(dirname "$0")"

tests=Fraud.sln
args=()
for arg in "$@"; do
  if [ "$arg" = --fast ]; then tests=tests/Fraud.UnitTests/Fraud.UnitTests.csproj; else args+=("$arg"); fi
done

FRAUD_FOR_TESTS=1 eng/prerequisites.sh
dotnet build Fraud.sln --nologo -v quiet -clp:ErrorsOnly

# The log is kept so that a failure's message and stack, printed mid-run among hundreds of passes, can be
# repeated last, where a CI excerpt of the output's tail shows it.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test "$tests" --no-build --nologo --logger "console;verbosity=normal" "${args[@]}" 2>&1 | tee "$log" || status=$?
if [ "$status" -ne 0 ]; then
  echo
  echo "== Failed tests, repeated from above =="
  awk '/^  Failed /{show=1; lines=0} /^  (Passed|Skipped) /{show=0} show && lines++ < 60' "$log"
fi
exit "$status"
