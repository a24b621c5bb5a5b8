#!/usr/bin/env bash
# Runs the whole test suite: unit tests and integration tests against the real system (the AppHost in local
# mode with Fraud.LocalKafka, Postgres and Redis as processes). Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")"
FRAUD_FOR_TESTS=1 eng/prerequisites.sh
dotnet build Fraud.sln --nologo -v quiet -clp:ErrorsOnly
dotnet test Fraud.sln --no-build --nologo --logger "console;verbosity=normal" "$@"
