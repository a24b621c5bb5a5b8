#!/usr/bin/env bash
# Mutation check: breaks the code on purpose, one deliberate breakage at a time, and runs the tests that must catch it.
# A test suite that passes whatever the code does proves nothing; this shows, breakage by breakage, that ours fails.
# Not part of ./test.sh: every mutation rebuilds the changed project and runs its tests (most start the system through
# the AppHost), so the whole list takes about an hour. Results: docs/reliability.md, "Mutation check".
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: eng/mutation-check.sh [--list] [--only NAME]... [--timeout MINUTES] [--logs DIR]

Applies each mutation (see --list) to a throwaway checkout of HEAD (a detached git worktree in a temporary folder; the
working tree is never touched, so commit what you want checked), builds, runs the mutation's tests, restores the
file, and prints a table: caught (the tests failed or timed out), survived (they passed), or did not build.

  --list           print the mutations (name, file, the tests that must catch it) and exit
  --only NAME      run only this mutation (repeatable)
  --timeout MIN    give up on one mutation's tests after MIN minutes, counted as caught (default 20)
  --logs DIR       keep each build and test log here (default: a new folder under ${TMPDIR:-/tmp})
  -h, --help       this text

Exit code: 0 every mutation caught; 1 one or more survived; 2 bad usage, a mutation whose text is no longer found
exactly once in its file, a mutation that does not build, a filter that matches no test, or HEAD does not build.
EOF
}

# ---- The mutations: one call each. name, file, exact text to find (once), its replacement, what it breaks, the
# ---- dotnet test filter of the tests that must catch it. $'…' strings may hold \n.
NAMES=() FILES=() FINDS=() REPLACES=() WHATS=() FILTERS=()
mutation() { NAMES+=("$1"); FILES+=("$2"); FINDS+=("$3"); REPLACES+=("$4"); WHATS+=("$5"); FILTERS+=("$6"); }

mutation alerts-insert-without-on-conflict Fraud.Detector/Sinks/PostgresAlertStore.cs \
  $'\n        ON CONFLICT (tx_id) DO NOTHING\n' $'\n' \
  "fraud_alerts insert without ON CONFLICT: a replayed alert violates the key" \
  "FullyQualifiedName~PipelineTests.A_transaction_delivered_twice"
mutation alerts-replay-overwrites-row Fraud.Detector/Sinks/PostgresAlertStore.cs \
  $'\n        ON CONFLICT (tx_id) DO NOTHING\n' \
  $'\n        ON CONFLICT (tx_id) DO UPDATE SET status = excluded.status, created_at = excluded.created_at\n' \
  "a replayed alert overwrites the stored row (an analyst's verdict back to open)" \
  "FullyQualifiedName~PipelineTests.A_transaction_delivered_twice|FullyQualifiedName~Integration.Api.FeedbackTests"
mutation redis-copy-overwritten Fraud.Detector/Sinks/RedisAlertCache.cs \
  "ttl, When.NotExists)" "ttl, When.Always)" \
  "the Redis copy fraud:{tx_id} is rewritten by a replay (a verdict's status back to open)" \
  "FullyQualifiedName~PipelineTests.A_transaction_above|FullyQualifiedName~Integration.Api.FeedbackTests"
mutation commit-before-sinks Fraud.Messaging/KafkaConsumerService.cs \
  $'        _pending.StartFlush();\n' $'        _pending.StartFlush();\n        _pending.FlushCompleted();\n' \
  "a flush's batches count as durable when it starts: their offsets are committed before their alerts are stored" \
  "FullyQualifiedName~DetectorFaultTests.Killing_the_detector_while_its_batch_waits_for_Postgres"
mutation revoke-waits-forever Fraud.Messaging/KafkaConsumerService.cs \
  'DrainWithin(consumer, _revokeBound, "partitions revoked");' 'DrainWithin(consumer, TimeSpan.FromDays(1), "partitions revoked");' \
  "a revoke waits for a flush that cannot finish: the rebalance stalls while a sink is down" \
  "FullyQualifiedName~ConsumeLoopRebalanceTests"
mutation give-up-without-rewind Fraud.Messaging/KafkaConsumerService.cs \
  $'        _rewind.AddRange(_pending.FirstOffsets(_open));\n' $'\n' \
  "a batch given up on revoke is not read again on the partitions kept: a later commit skips it" \
  "FullyQualifiedName~ConsumeLoopRebalanceTests"
mutation revoke-leaves-durable-uncommitted Fraud.Messaging/KafkaConsumerService.cs \
  "while (_flush is not null || _commit is not null || !_pending.IsEmpty)" "while (_flush is not null || _commit is not null || _pending.AnyWaiting)" \
  "a revoke flushes the batches in flight but does not commit the durable ones: their new owner replays them" \
  "FullyQualifiedName~ConsumeLoopRebalanceTests"
mutation classifier-answers-zero Fraud.Core/Decision/DecisionEngine.cs \
  "probability = _classifier.Probability(_classifierInput);" "probability = 0 * _classifier.Probability(_classifierInput);" \
  "the supervised classifier's probability ignored (always 0)" \
  "FullyQualifiedName~DecisionEngineTests|FullyQualifiedName~OfflineCommandsTests.A_classifier_learns|FullyQualifiedName~Integration.Detector.ClassifierTests.A_classifier_trained"
mutation user-state-not-restored Fraud.Detector/Pipeline/BatchProcessor.cs \
  "if (missing.Count == 0)" "if (missing.Count >= 0)" \
  "users are never restored from their Redis checkpoint (a restart forgets every history)" \
  "FullyQualifiedName~DetectorFaultTests.Killing_the_detector_mid_stream"
mutation replay-not-skipped Fraud.Detector/Pipeline/BatchProcessor.cs \
  "if (checkpointed.Partition == source.Partition.Value && source.Offset.Value <= checkpointed.Offset" \
  "if (checkpointed.Partition < 0 && source.Offset.Value <= checkpointed.Offset" \
  "a replayed transaction the checkpoint already holds is folded into the history again" \
  "FullyQualifiedName~DetectorFaultTests.Killing_the_detector_mid_stream"
mutation merchant-replay-counted-twice Fraud.Core/Features/MerchantVisits.cs \
  "if (visit.Offset < counted.GetValueOrDefault(visit.Partition))" "if (visit.Offset < 0)" \
  "merchant counts ignore their partition positions: a replayed batch is counted again" \
  "FullyQualifiedName~DetectorFaultTests.Killing_the_detector_mid_stream|FullyQualifiedName~MerchantVisitsTests"
mutation malformed-not-dead-lettered Fraud.Detector/Pipeline/BatchProcessor.cs \
  "batch.DeadLetters.Add(new DeadLetter(message, error));" "_ = error;" \
  "a malformed message is dropped instead of sent to transactions.v1.dlq" \
  "FullyQualifiedName~PipelineTests.Malformed_messages"
mutation stream-dedupe-removed Fraud.Api/Streaming/AlertStream.cs \
  "if (!_recent.FirstTime(alert.TxId))" "if (!_recent.FirstTime(Guid.NewGuid().ToString()))" \
  "GET /alerts/stream shows a republished alert again" \
  "FullyQualifiedName~PipelineTests.A_transaction_delivered_twice|FullyQualifiedName~AlertStreamTests"
mutation anomaly-rate-counts-replays Fraud.Api/Monitoring/AnomalyRateMonitor.cs \
  "_counted.FirstTime(alert.TxId)" "_counted.FirstTime(Guid.NewGuid().ToString())" \
  "the anomaly-rate monitor counts a republished alert twice" \
  "FullyQualifiedName~RepublishedAlertTests"
mutation reads-without-key Fraud.Api/Security/ApiSecurityExtensions.cs \
  "RequireRole(ApiRoles.Granting(ApiAccess.Read)).Build()" "RequireAssertion(_ => true).Build()" \
  "reads answer without an API key where one is required" \
  "FullyQualifiedName~ReadPolicyTests"
mutation amount-above-boundary Fraud.Core/Rules/AmountAboveRule.cs \
  "return context.Amount >= MinAmount;" "return context.Amount > MinAmount;" \
  "amount_above no longer fires at exactly min_amount" \
  "FullyQualifiedName~Core.Rules"
mutation velocity-boundary Fraud.Core/Rules/VelocityRule.cs \
  "return observed >= MinCount;" "return observed > MinCount;" \
  "velocity needs one transaction more than min_count" \
  "FullyQualifiedName~Core.Rules"
mutation merchant-hours-delay-inclusive Fraud.Core/Features/MerchantHours.cs \
  "earlier < hour && earlier <= _newestHour" "earlier <= hour && earlier <= _newestHour" \
  "merchant windows read the hour the label delay ends (labels not yet known leak in)" \
  "FullyQualifiedName~Core.Features.MerchantRisk"
mutation postgres-outlives-launcher Fraud.AppHost/Infrastructure/Postgres/LocalPostgresResource.cs \
  $'        "$@" &\n        server=$!' $'        setsid -f "$@"\n        server=$!' \
  "the local Postgres server detached from its launcher (its own session): Ctrl+C leaves the postmaster running" \
  "FullyQualifiedName~AppHostRunTests"
mutation postgres-initdb-every-start Fraud.AppHost/Infrastructure/Postgres/LocalPostgresResource.cs \
  "if (File.Exists(marker))" "if (File.Exists(marker) && false)" \
  "initdb runs again at every start: local-mode Postgres forgets its data between runs" \
  "FullyQualifiedName~AppHostRunTests"
mutation auto-mode-any-exit-answers Fraud.AppHost/Infrastructure/InfraMode.cs \
  "return probe.ExitCode == 0;" "return probe.ExitCode >= 0;" \
  "auto mode takes a container client that cannot reach an engine for one that answers" \
  "FullyQualifiedName~InfraModeTests"

# ---- Arguments
only=() timeout_minutes=20 logs="" list=false
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --list) list=true; shift ;;
    --only) [ $# -ge 2 ] || { echo "--only needs a name" >&2; exit 2; }; only+=("$2"); shift 2 ;;
    --timeout) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || { echo "--timeout needs a whole number of minutes" >&2; exit 2; }
      timeout_minutes=$2; shift 2 ;;
    --logs) [ $# -ge 2 ] || { echo "--logs needs a folder" >&2; exit 2; }; logs=$2; shift 2 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

if $list; then
  for i in "${!NAMES[@]}"; do
    printf '%s\n  file:  %s\n  what:  %s\n  tests: %s\n' "${NAMES[$i]}" "${FILES[$i]}" "${WHATS[$i]}" "${FILTERS[$i]}"
  done
  exit 0
fi

selected=()
if [ ${#only[@]} -eq 0 ]; then
  selected=("${!NAMES[@]}")
else
  for name in "${only[@]}"; do
    found=""
    for i in "${!NAMES[@]}"; do [ "${NAMES[$i]}" = "$name" ] && found=$i; done
    [ -n "$found" ] || { echo "no mutation named '$name' (see --list)" >&2; exit 2; }
    selected+=("$found")
  done
fi

# substitute FILE FIND REPLACE [dry [SHOWN]]: replaces FIND (exactly once) with REPLACE in FILE, or only checks it
# with dry; exit 3, naming SHOWN, when FIND is not there exactly once.
# perl is used for its literal matching (\Q…\E) and is on every Debian.
substitute() {
  FIND=$2 REPLACE=$3 perl -e '
    my ($path, $dry, $shown) = @ARGV;
    open my $in, "<", $path or die "$path: $!\n";
    local $/; my $text = <$in>; close $in;
    my $count = () = $text =~ /\Q$ENV{FIND}\E/g;
    if ($count != 1) { print STDERR "found $count times in " . ($shown // $path) . ", expected exactly once\n"; exit 3; }
    exit 0 if $dry;
    $text =~ s/\Q$ENV{FIND}\E/$ENV{REPLACE}/;
    open my $out, ">", $path or die "$path: $!\n"; print $out $text; close $out;
  ' "$1" "${4:-}" "${5:-$1}"
}

# Every selected mutation must still apply to HEAD before anything runs: a list that no longer matches the code fails
# here, loudly, instead of silently checking nothing.
for i in "${selected[@]}"; do
  if ! git show "HEAD:${FILES[$i]}" > /dev/null 2>&1; then
    echo "mutation ${NAMES[$i]}: ${FILES[$i]} is not in HEAD" >&2; exit 2
  fi
  probe=$(mktemp); git show "HEAD:${FILES[$i]}" > "$probe"
  if ! substitute "$probe" "${FINDS[$i]}" "${REPLACES[$i]}" dry "HEAD:${FILES[$i]}" 2> >(sed "s|^|mutation ${NAMES[$i]}: |" >&2); then
    rm -f "$probe"; echo "mutation ${NAMES[$i]} no longer applies: update its text in $0" >&2; exit 2
  fi
  rm -f "$probe"
done

# ---- The throwaway checkout, removed whatever happens (Ctrl+C included)
work=$(mktemp -d "${TMPDIR:-/tmp}/fraud-mutation.XXXXXX")
checkout="$work/src"
logs=${logs:-$(mktemp -d "${TMPDIR:-/tmp}/fraud-mutation-logs.XXXXXX")}
mkdir -p "$logs"
child=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
    kill -TERM "$child" 2>/dev/null || true   # timeout passes it on to dotnet
    wait "$child" 2>/dev/null || true
  fi
  if [ -d "$checkout" ]; then
    git -C "$checkout" checkout -- . 2>/dev/null || true
    git worktree remove --force "$checkout" 2>/dev/null || true
  fi
  git worktree prune 2>/dev/null || true
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs a command in the background (so Ctrl+C reaches the trap at once), its output into a log; returns its status.
run_logged() {
  local log=$1; shift
  "$@" > "$log" 2>&1 &
  child=$!
  local status=0
  wait "$child" || status=$?
  child=""
  return "$status"
}

build() { run_logged "$1" dotnet build "$checkout/Fraud.sln" --nologo -v q -clp:ErrorsOnly; }

seconds() { local s=$1; printf '%dm%02ds' $((s / 60)) $((s % 60)); }

echo "Mutation check of $(git rev-parse --short HEAD) ($(git log -1 --format=%s HEAD | cut -c1-60))"
echo "${#selected[@]} mutations; logs in $logs"
git worktree add --detach --quiet "$checkout" HEAD
echo "building the unchanged checkout…"
if ! build "$logs/unchanged.build.log"; then
  echo "HEAD does not build; see $logs/unchanged.build.log" >&2
  exit 2
fi

results=() survived=0 broken=0 n=0
for i in "${selected[@]}"; do
  n=$((n + 1))
  name=${NAMES[$i]} file=${FILES[$i]} filter=${FILTERS[$i]}
  started=$SECONDS
  echo "[$n/${#selected[@]}] $name: ${WHATS[$i]}"
  substitute "$checkout/$file" "${FINDS[$i]}" "${REPLACES[$i]}"
  echo "    applied to $file; building…"
  failed_tests=""
  if ! build "$logs/$name.build.log"; then
    result="did not build"; broken=$((broken + 1))
  else
    echo "    testing: $filter"
    status=0
    run_logged "$logs/$name.test.log" timeout --kill-after=60 "${timeout_minutes}m" \
      dotnet test "$checkout/Fraud.sln" --no-build --nologo \
        --filter "$filter" --logger "console;verbosity=normal" || status=$?
    # "  Failed Fraud.SystemTests.Integration.PipelineTests.A_test(argument: 1) [2 s]" → "PipelineTests.A_test"
    failed_tests=$(sed -n 's/^  Failed \([^ (]*\).*/\1/p' "$logs/$name.test.log" | sed 's/.*\.\([^.]*\.[^.]*\)$/\1/' \
      | sort -u | awk '{ if (NR <= 3) names = names (NR > 1 ? ", " : "") $0 } END { if (NR > 3) names = names " and " NR - 3 " more"; print names }')
    # One summary per test project; a project the filter matches nothing in counts 0.
    ran=$(sed -n 's/^Total tests: *\([0-9]*\).*/\1/p' "$logs/$name.test.log" | awk '{ total += $1 } END { print total + 0 }')
    if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
      result="caught (timed out after ${timeout_minutes} min)"
    elif [ "$status" -ne 0 ]; then
      result="caught"
    elif [ "${ran:-0}" -eq 0 ]; then
      result="no test ran"; broken=$((broken + 1))
    else
      result="SURVIVED"; survived=$((survived + 1))
    fi
  fi
  git -C "$checkout" checkout -- "$file"
  took=$(seconds $((SECONDS - started)))
  echo "    $result in $took${failed_tests:+ (failed: $failed_tests)}"
  results+=("| $name | $file | $result | ${failed_tests:-–} | $took |")
done

echo
echo "| mutation | file | result | tests that failed | time |"
echo "|---|---|---|---|---|"
printf '%s\n' "${results[@]}"
echo
echo "$((${#selected[@]} - survived - broken)) caught, $survived survived, $broken did not build or ran no test; logs in $logs"
if [ "$survived" -gt 0 ]; then exit 1; fi
if [ "$broken" -gt 0 ]; then exit 2; fi
exit 0
