using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Fraud.CommandLine;
using Fraud.Simulation;
using Fraud.Testing;

namespace Fraud.LoadTest;

/// <summary><c>run</c>: start the system, run the phases in the order given, print and optionally save the figures.</summary>
internal static class RunCommand
{
    private const double LatencyGoalRate = 5000;
    private const double LatencyGoalMs = 50;
    private const double SustainedGoalRate = 20_000;
    private const double SustainedLatencyGoalMs = 100;
    private const double SustainedRssGoalMb = 400;
    private const double ThroughputGoalRatio = 0.5;
    private const double ThroughputGoalRate = 100_000;
    private const double WarmupRate = 2000;
    private const long MaxTransactionsPerRun = 20_000_000;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public static Command Create()
    {
        var rates = new Option<IReadOnlyList<RateToken>>("--rates")
        {
            Description = "Phases, in order: a rate to hold, in transactions per second, for --duration (1000, 5k) or for its own "
                + "duration (20k@60s, 20000@1m), with end-to-end latency and the detector's lag; or 'max' for the throughput phase "
                + "(the detector against a bare consumer, --max-runs times).",
            HelpName = "rate[@span]|max,...",
            DefaultValueFactory = _ => [new(1000, null), new(5000, null), new(20_000, TimeSpan.FromSeconds(60)), new(null, null)],
            CustomParser = ParseRates,
        };
        var duration = new Option<TimeSpan>("--duration")
        {
            Description = "How long a fixed-rate phase without its own duration sends: 30s, 2m.",
            HelpName = "span",
            DefaultValueFactory = _ => TimeSpan.FromSeconds(30),
            CustomParser = result => ParseDuration(result, "--duration", allowZero: false),
        };
        var maxRate = new Option<double>("--max-rate")
        {
            Description = "The rate the 'max' phase sends at, in transactions per second: the detector's expected ceiling or above, "
                + "so that it falls behind and its own pace sets its rate (if it keeps up, its rate is shown as a lower bound).",
            DefaultValueFactory = _ => 150_000,
        };
        maxRate.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double>() is not (> 0 and <= 10_000_000))
            {
                result.AddError("--max-rate must be above 0 and at most 10,000,000.");
            }
        });
        var maxDuration = new Option<TimeSpan>("--max-duration")
        {
            Description = "How long one run of the 'max' phase sends: 10s, 1m. With --max-rate it sets the transactions per run, which "
                + "the local broker must keep until the bare consumer has read them: the 'max' phase runs on a system started with "
                + $"one partition of transactions.v1 per {SystemUnderLoad.TransactionsPerPartition:N0} of them (at least the usual 6).",
            HelpName = "span",
            DefaultValueFactory = _ => TimeSpan.FromSeconds(10),
            CustomParser = result => ParseDuration(result, "--max-duration", allowZero: false),
        };
        var maxRuns = new Option<int>("--max-runs")
        {
            Description = "Runs of the 'max' phase, one after the other on the same system; the report gives their median and range.",
            DefaultValueFactory = _ => 3,
        };
        maxRuns.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 20)
            {
                result.AddError("--max-runs must be between 1 and 20.");
            }
        });
        var warmup = new Option<TimeSpan>("--warmup")
        {
            Description = $"How long to send at {Output.Rate(WarmupRate)} tx/s before the first phase, not measured: 20s, 1m; 0s for none.",
            HelpName = "span",
            DefaultValueFactory = _ => TimeSpan.FromSeconds(20),
            CustomParser = result => ParseDuration(result, "--warmup", allowZero: true),
        };
        var seed = new Option<int>("--seed") { Description = "The simulator's seed.", DefaultValueFactory = _ => 1 };
        var users = new Option<int>("--users") { Description = "Card holders the simulator draws from.", DefaultValueFactory = _ => SimulationOptions.DefaultUsers };
        var fraudRate = new Option<double>("--fraud-rate")
        {
            Description = "Share of fraudulent transactions, 0 to 0.5. Only alerted transactions give an external latency, so this "
                + "(with --scenario-mix) sets how many samples that measure has.",
            DefaultValueFactory = _ => SimulationOptions.DefaultFraudRate,
        };
        var scenarioMix = new Option<ScenarioMix>("--scenario-mix")
        {
            Description = $"How fraud splits between scenarios, as name=weight pairs, e.g. large_outlier=1. Scenarios: {string.Join(", ", ScenarioMix.Names)}.",
            HelpName = "name=weight,...",
            DefaultValueFactory = _ => ScenarioMix.Default,
            CustomParser = ParseScenarioMix,
        };
        var fetchWait = new Option<int>("--fetch-wait-ms")
        {
            Description = "The detector consumer's fetch.wait.max.ms. The local broker answers a fetch that found no data only after "
                + "this wait, even if messages arrive meanwhile (a real broker answers at once), so the client's default of 500 ms "
                + "would dominate latency at moderate rates. 0 keeps the detector's own setting.",
            DefaultValueFactory = _ => 10,
        };
        fetchWait.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 0 or > 300_000)
            {
                result.AddError("--fetch-wait-ms must be between 0 and 300000.");
            }
        });
        var trainingSample = new Option<int>("--training-sample-per-hour")
        {
            Description = "The detector's training sample, in feature vectors kept per event-time hour (Detector:TrainingSamplePerHour; "
                + "its own default is 2000). The tool's event time runs far faster than production's: at 20k tx/s an event-time hour of "
                + "10,000 users passes in about 0.1 s with about 2,000 transactions, so at 2000 the detector would write nearly every "
                + "transaction to training_samples (about 20,000 rows a second), where production at that rate (72 million transactions an "
                + "hour) rewrites about K × (1 + ln(n / K)) = 23,000 slots an hour, 6 a second. 1 keeps the sampler working on every "
                + "transaction and writing under 100 rows a second; 0 turns it off.",
            DefaultValueFactory = _ => 1,
        };
        trainingSample.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0)
            {
                result.AddError("--training-sample-per-hour must be 0 or more.");
            }
        });
        var detectorSettings = KeyValueOption("--detector-setting",
            "A setting for the detector service, as its configuration key and value (repeatable), e.g. "
            + "Detector:BatchSize=2000 or Detector:BatchMaxWait=00:00:00.020. Given to the detector as an environment variable.");
        var systemSettings = KeyValueOption("--system-setting",
            "A setting for the AppHost, as its configuration key and value (repeatable), e.g. Alerting:Enabled=false or "
            + "Detector:Replicas=2. Given to the AppHost as an argument, so it reaches a service the way the AppHost forwards it.");
        var noFsync = new Option<bool>("--no-fsync")
        {
            Description = "Run Postgres as the tests do (fsync and synchronous commit off) instead of durably.",
        };
        var json = new Option<string?>("--json") { Description = "Also write the figures to this file as JSON.", HelpName = "file" };
        var log = new Option<string?>("--log") { Description = "Write the system's logs (every resource, Information and up) to this file.", HelpName = "file" };

        var command = new Command("run",
            "Start the system (AppHost, local mode, live simulator off), warm it up, then run each phase of --rates: at a fixed rate, "
            + "end-to-end latency (broker timestamp of a transaction → its alert durable) from the detector's histogram and from alerts.v1, "
            + "and the detector's lag sampled every second; at 'max', the detector's sustained rate against a bare consumer reading the same "
            + "messages, --max-runs times. The 'max' phase gets a system of its own when it needs more partitions than the fixed-rate "
            + "phases use. Exit codes: 0 every phase complete, 1 a phase incomplete, 2 bad usage, 3 the system did not start or failed.")
        {
            rates, duration, maxRate, maxDuration, maxRuns, warmup, seed, users, fraudRate, scenarioMix, fetchWait, trainingSample, detectorSettings,
            systemSettings, noFsync, json, log,
        };
        command.SetAction((parsed, cancellationToken) =>
        {
            var simulation = new SimulationOptions
            {
                Seed = parsed.GetValue(seed),
                Users = parsed.GetValue(users),
                FraudRate = parsed.GetValue(fraudRate),
                ScenarioMix = parsed.GetRequiredValue(scenarioMix),
            };
            if (simulation.Validate() is { } problem)
            {
                return Task.FromResult(ExitCodes.Usage($"--{problem}"));
            }

            var phases = parsed.GetRequiredValue(rates)
                .Select(token => new PhasePlan(token.Rate, (token.Rate is null ? parsed.GetValue(maxDuration) : token.Duration ?? parsed.GetValue(duration)).TotalSeconds))
                .ToList();
            var settings = new RunSettings(
                phases, parsed.GetValue(maxRate), parsed.GetValue(maxDuration).TotalSeconds, parsed.GetValue(maxRuns), parsed.GetValue(warmup).TotalSeconds,
                simulation.Seed, simulation.Users, simulation.FraudRate, parsed.GetRequiredValue(scenarioMix).ToString(),
                parsed.GetValue(fetchWait) is > 0 and var ms ? ms : null, parsed.GetValue(trainingSample), parsed.GetRequiredValue(detectorSettings), parsed.GetRequiredValue(systemSettings),
                PostgresDurable: !parsed.GetValue(noFsync));
            if (settings.Phases.Any(phase => phase.IsMax) && settings.MaxCount is < 1 or > MaxTransactionsPerRun)
            {
                return Task.FromResult(ExitCodes.Usage(
                    $"--max-rate × --max-duration is {settings.MaxCount:N0} transactions a run: it must be between 1 and {MaxTransactionsPerRun:N0} (they are prepared in memory)."));
            }

            return RunAsync(settings, simulation, parsed.GetValue(json), parsed.GetValue(log), cancellationToken);
        });
        return command;
    }

    private static Option<string[]> KeyValueOption(string name, string description)
    {
        var option = new Option<string[]>(name) { Description = description, HelpName = "key=value", DefaultValueFactory = _ => [] };
        option.Validators.Add(result =>
        {
            foreach (string setting in result.GetValueOrDefault<string[]>() ?? [])
            {
                if (setting.IndexOf('=', StringComparison.Ordinal) <= 0)
                {
                    result.AddError($"{name}: '{setting}' is not key=value.");
                }
            }
        });
        return option;
    }

    private static async Task<int> RunAsync(RunSettings settings, SimulationOptions simulation, string? jsonPath, string? logPath, CancellationToken cancellationToken)
    {
        var output = new Output();
        var startedAt = DateTimeOffset.UtcNow;
        var machine = Machine.Describe();
        output.Run(machine, settings);
        using var logs = new ResourceLogs(logPath);
        var phases = new List<PhaseReport>();
        var starts = new List<SystemStart>();
        int exitCode = ExitCodes.Ok;
        long warnings = 0, errors = 0;
        foreach (var (partitions, plans) in SystemStarts(settings))
        {
            var outcome = await RunOnOneSystemAsync(settings, simulation, partitions, plans, output, logs, phases, starts, cancellationToken);
            (exitCode, warnings, errors) = (outcome.ExitCode, warnings + outcome.Warnings, errors + outcome.Errors);
            if (exitCode != ExitCodes.Ok || cancellationToken.IsCancellationRequested)
            {
                break;
            }
        }

        if (exitCode == ExitCodes.Ok && (phases.Any(phase => !phase.Complete) || phases.Count < settings.Phases.Count))
        {
            exitCode = ExitCodes.Partial;
        }

        var report = new RunReport(startedAt, machine, settings, starts, phases, Goals(phases), warnings, errors);
        output.Summary(report);
        if (jsonPath is not null)
        {
            await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(report, Json) + "\n", CancellationToken.None);
            output.Line($"Figures written to {Spectre.Console.Markup.Escape(jsonPath)}");
        }

        return exitCode;
    }

    /// <summary>
    /// The phases in order, grouped into system starts: consecutive phases that need the same partitions of
    /// <c>transactions.v1</c> share one. The fixed-rate phases keep the AppHost's default; 'max' needs enough for the local
    /// broker to keep a whole run. More partitions are not free on the local broker (it stores and scans more, smaller
    /// batches at a fixed rate), so the fixed-rate phases do not get them.
    /// </summary>
    private static List<(int? Partitions, List<PhasePlan> Phases)> SystemStarts(RunSettings settings)
    {
        var starts = new List<(int? Partitions, List<PhasePlan> Phases)>();
        foreach (var phase in settings.Phases)
        {
            int? partitions = phase.IsMax ? SystemUnderLoad.PartitionsToKeep(settings.MaxCount) : null;
            if (starts.Count == 0 || starts[^1].Partitions != partitions)
            {
                starts.Add((partitions, []));
            }

            starts[^1].Phases.Add(phase);
        }

        return starts;
    }

    /// <summary>Starts the system, warms it up, runs <paramref name="plans"/> on it and stops it.</summary>
    /// <returns>Ok unless the system did not start or failed, the warm-up did not complete or the run was cancelled; the
    /// warnings and errors the system logged while the phases ran (start-up and shutdown are noisy by nature).</returns>
    private static async Task<(int ExitCode, long Warnings, long Errors)> RunOnOneSystemAsync(
        RunSettings settings, SimulationOptions simulation, int? partitions, List<PhasePlan> plans, Output output, ResourceLogs logs,
        List<PhaseReport> phases, List<SystemStart> starts, CancellationToken cancellationToken)
    {
        FraudSystem system;
        IReadOnlyList<(string Name, int Pid)> processes;
        var startup = Stopwatch.StartNew();
        try
        {
            output.Line($"Starting the system (AppHost, local mode) for {string.Join(", ", plans.Select(plan => plan.Name))} …");
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(StartTimeout);
            (system, processes) = await SystemUnderLoad.StartAsync(settings, partitions, logs, timeout.Token);
            startup.Stop();
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            output.Problems($"The system did not start: {exception.GetType().Name}: {exception.Message}", logs.LatestProblems());
            return (cancellationToken.IsCancellationRequested ? ExitCodes.Partial : ExitCodes.Failed, 0, 0);
        }

        logs.StartCounting();
        int exitCode = ExitCodes.Ok;
        long warnings, errors;
        await using (system)
        {
            try
            {
                using var probe = new BrokerProbe(system.KafkaBootstrap);
                using var feed = new TransactionFeed(system.KafkaBootstrap, simulation);
                using var alerts = new AlertWatcher(system.KafkaBootstrap, probe);
                await using var sampler = new ProcessSampler(processes);
                var run = new LoadRun(system, feed, probe, alerts, sampler, output);
                starts.Add(new SystemStart(run.Partitions, Math.Round(startup.Elapsed.TotalSeconds, 1), [.. plans.Select(plan => plan.Name)]));
                output.System(startup.Elapsed.TotalSeconds, run.Partitions, settings);
                if (settings.WarmupSeconds > 0
                    && await run.WarmUpAsync(WarmupRate, TimeSpan.FromSeconds(settings.WarmupSeconds), cancellationToken) is { Count: > 0 } warmupProblems)
                {
                    output.Problems("The warm-up did not complete:", warmupProblems);
                    exitCode = ExitCodes.Partial;
                }
                else
                {
                    foreach (var plan in plans)
                    {
                        var phase = plan.Rate is { } rate
                            ? await run.LatencyAsync(rate, TimeSpan.FromSeconds(plan.Seconds), cancellationToken)
                            : await run.ThroughputAsync(settings.MaxRate, TimeSpan.FromSeconds(plan.Seconds), settings.MaxRuns, cancellationToken);
                        phases.Add(phase);
                        output.Phase(phase);
                        if (cancellationToken.IsCancellationRequested)
                        {
                            exitCode = ExitCodes.Partial;
                            break;
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                exitCode = ExitCodes.Partial;
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                output.Problems($"The run failed: {exception.GetType().Name}: {exception.Message}", logs.LatestProblems());
                exitCode = ExitCodes.Failed;
            }
            finally
            {
                // Counted before the system stops: shutdown makes noise of its own.
                (warnings, errors) = (logs.Warnings, logs.Errors);
            }

            output.Line("Stopping the system …");
        }

        return (exitCode, warnings, errors);
    }

    /// <summary>The issue's goals, judged on the phases that measure them.</summary>
    private static List<GoalReport> Goals(List<PhaseReport> phases)
    {
        var goals = new List<GoalReport>();
        var max = phases.FirstOrDefault(phase => phase.Throughput is not null)?.Throughput;
        string missing = max is null ? "no 'max' phase" : "incomplete";
        goals.Add(max?.Ratio is { } ratio
            ? new GoalReport("detector ≥ 50% of a bare consumer's rate", $"median {ratio.Median:P0} ({ratio.Min:P0}–{ratio.Max:P0}, {ratio.Count} run{(ratio.Count == 1 ? "" : "s")})", ratio.Median >= ThroughputGoalRatio)
            : new GoalReport("detector ≥ 50% of a bare consumer's rate", missing, null));
        goals.Add(max?.DetectorRate is { } rate
            ? new GoalReport($"detector ≥ {ThroughputGoalRate:N0} tx/s sustained",
                $"median {rate.Median:N0} tx/s ({rate.Min:N0}–{rate.Max:N0}) over {max.Runs[0].Transactions:N0} transactions a run", rate.Median >= ThroughputGoalRate)
            : new GoalReport($"detector ≥ {ThroughputGoalRate:N0} tx/s sustained", missing, null));

        goals.Add(P99Goal(phases, LatencyGoalRate, LatencyGoalMs, lagMustHold: false));
        goals.Add(P99Goal(phases, SustainedGoalRate, SustainedLatencyGoalMs, lagMustHold: true));
        var sustained = phases.FirstOrDefault(phase => phase.Latency?.TargetRate == SustainedGoalRate);
        var detector = sustained?.Processes.FirstOrDefault(usage => usage.Name == "detector");
        goals.Add(detector is { PeakRssMb: > 0 }
            ? new GoalReport($"detector RSS < {SustainedRssGoalMb:N0} MB at {Output.Rate(SustainedGoalRate)} tx/s", $"peak {detector.PeakRssMb:N0} MB", detector.PeakRssMb < SustainedRssGoalMb)
            : new GoalReport($"detector RSS < {SustainedRssGoalMb:N0} MB at {Output.Rate(SustainedGoalRate)} tx/s", sustained is null ? $"no {Output.Rate(SustainedGoalRate)} phase" : "not measured", null));
        return goals;
    }

    /// <summary>End-to-end p99 under <paramref name="goalMs"/> at <paramref name="rate"/> by both measures (and, if asked, lag that does not grow).</summary>
    private static GoalReport P99Goal(List<PhaseReport> phases, double rate, double goalMs, bool lagMustHold)
    {
        string goal = $"end-to-end p99 < {goalMs:N0} ms at {Output.Rate(rate)} tx/s" + (lagMustHold ? ", lag not growing" : "");
        var latency = phases.FirstOrDefault(phase => phase.Latency?.TargetRate == rate)?.Latency;
        var measures = new[] { ("detector histogram", latency?.Detector), ("alerts.v1", latency?.External) }
            .Where(measure => measure.Item2 is not null)
            .Select(measure => (Name: measure.Item1, P99: measure.Item2!.P99Ms))
            .ToList();
        if (latency is null || measures.Count == 0 || (lagMustHold && latency.Lag is null))
        {
            return new GoalReport(goal, latency is null ? $"no {Output.Rate(rate)} phase" : "not measured", null);
        }

        string measured = string.Join("; ", measures.Select(measure => $"{measure.Name} {measure.P99:N1} ms"));
        bool met = measures.All(measure => measure.P99 < goalMs);
        if (lagMustHold && latency.Lag is { } lag)
        {
            measured += $"; lag slope {lag.SlopePerSecond:+0;-0;0} msgs/s";
            met &= !lag.Grows;
        }

        return new GoalReport(goal, measured, met);
    }

    /// <summary>A phase as written in --rates: a rate with or without its own duration, or 'max' (no rate).</summary>
    private sealed record RateToken(double? Rate, TimeSpan? Duration)
    {
        public override string ToString() => Rate is { } rate
            ? Output.Rate(rate) + (Duration is { } duration ? string.Create(CultureInfo.InvariantCulture, $"@{duration.TotalSeconds:0.##}s") : "")
            : PhasePlan.Max;
    }

    private static IReadOnlyList<RateToken> ParseRates(ArgumentResult result)
    {
        var phases = new List<RateToken>();
        var tokens = result.Tokens.SelectMany(token => token.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        if (tokens.Count == 0)
        {
            result.AddError("--rates: name at least one phase.");
        }

        foreach (string token in tokens)
        {
            if (string.Equals(token, PhasePlan.Max, StringComparison.OrdinalIgnoreCase))
            {
                phases.Add(new RateToken(null, null));
                continue;
            }

            int at = token.IndexOf('@', StringComparison.Ordinal);
            string rateText = at < 0 ? token : token[..at];
            TimeSpan? duration = null;
            if (at >= 0)
            {
                if (!TryParseSpan(token[(at + 1)..], out var span) || span <= TimeSpan.Zero)
                {
                    result.AddError($"--rates: '{token}': '{token[(at + 1)..]}' is not a positive span such as 60s or 2m.");
                    continue;
                }

                duration = span;
            }

            bool thousands = rateText.EndsWith('k') || rateText.EndsWith('K');
            if (double.TryParse(thousands ? rateText[..^1] : rateText, NumberStyles.Float, CultureInfo.InvariantCulture, out double rate)
                && rate > 0 && double.IsFinite(rate))
            {
                phases.Add(new RateToken(thousands ? rate * 1000 : rate, duration));
                continue;
            }

            result.AddError($"--rates: '{token}' is neither a rate above 0 (1000, 5k, 20k@60s) nor 'max'.");
        }

        return phases;
    }

    private static ScenarioMix ParseScenarioMix(ArgumentResult result)
    {
        if (ScenarioMix.TryParse(result.Tokens.Single().Value, out var mix, out var error))
        {
            return mix;
        }

        result.AddError($"--scenario-mix: {error}.");
        return ScenarioMix.Default;
    }

    private static TimeSpan ParseDuration(ArgumentResult result, string option, bool allowZero)
    {
        string text = result.Tokens.Single().Value;
        if (TryParseSpan(text, out var span) && (span > TimeSpan.Zero || (allowZero && span == TimeSpan.Zero)))
        {
            return span;
        }

        result.AddError($"{option}: '{text}' is not a {(allowZero ? "" : "positive ")}span such as 30s or 2m.");
        return TimeSpan.Zero;
    }

    /// <summary>Seconds or minutes: 30s, 1.5m.</summary>
    private static bool TryParseSpan(string text, out TimeSpan span)
    {
        span = TimeSpan.Zero;
        if (text.Length < 2 || !double.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            || value < 0 || !double.IsFinite(value))
        {
            return false;
        }

        switch (text[^1])
        {
            case 's':
                span = TimeSpan.FromSeconds(value);
                return true;
            case 'm':
                span = TimeSpan.FromMinutes(value);
                return true;
            default:
                return false;
        }
    }
}
