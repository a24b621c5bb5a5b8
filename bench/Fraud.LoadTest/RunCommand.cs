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
    private const string Max = "max";
    private const double LatencyGoalRate = 5000;
    private const double LatencyGoalMs = 50;
    private const double ThroughputGoalRatio = 0.5;
    private const double WarmupRate = 2000;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public static Command Create()
    {
        var rates = new Option<IReadOnlyList<string>>("--rates")
        {
            Description = "Phases, in order: transactions per second for a latency phase (1000, 5k), or 'max' for the throughput "
                + "phase (the detector against a bare consumer).",
            HelpName = "rate|max,...",
            DefaultValueFactory = _ => ["1000", "5000", Max],
            CustomParser = ParseRates,
        };
        var count = new Option<int>("--count")
        {
            Description = "Transactions in the 'max' phase. The local broker keeps about 5 MiB per partition, so with 6 partitions keep this "
                + "under about 70,000 (the tool says when the bare consumer found messages dropped).",
            DefaultValueFactory = _ => 60_000,
        };
        count.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--count must be at least 1.");
            }
        });
        var duration = new Option<TimeSpan>("--duration")
        {
            Description = "How long each fixed-rate phase sends: 30s, 2m.",
            HelpName = "span",
            DefaultValueFactory = _ => TimeSpan.FromSeconds(30),
            CustomParser = result => ParseDuration(result, "--duration", allowZero: false),
        };
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
            + "end-to-end latency (broker timestamp of a transaction → its alert durable) from the detector's histogram and from alerts.v1; "
            + "at 'max', the detector's sustained rate against a bare consumer reading the same messages. Exit codes: 0 every phase complete, "
            + "1 a phase incomplete, 2 bad usage, 3 the system did not start or failed.")
        {
            rates, count, duration, warmup, seed, users, fraudRate, scenarioMix, fetchWait, detectorSettings, systemSettings, noFsync, json, log,
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

            var settings = new RunSettings(
                parsed.GetRequiredValue(rates), parsed.GetValue(count), parsed.GetValue(duration).TotalSeconds, parsed.GetValue(warmup).TotalSeconds,
                simulation.Seed, simulation.Users, simulation.FraudRate, parsed.GetRequiredValue(scenarioMix).ToString(),
                parsed.GetValue(fetchWait) is > 0 and var ms ? ms : null, parsed.GetRequiredValue(detectorSettings), parsed.GetRequiredValue(systemSettings),
                PostgresDurable: !parsed.GetValue(noFsync));
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
        using var logs = new ResourceLogs(logPath);
        FraudSystem system;
        IReadOnlyList<(string Name, int Pid)> processes;
        var startup = Stopwatch.StartNew();
        try
        {
            output.Line($"Starting the system (AppHost, local mode) …");
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(StartTimeout);
            (system, processes) = await SystemUnderLoad.StartAsync(settings, logs, timeout.Token);
            startup.Stop();
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            output.Problems($"The system did not start: {exception.GetType().Name}: {exception.Message}", logs.LatestProblems());
            return cancellationToken.IsCancellationRequested ? ExitCodes.Partial : ExitCodes.Failed;
        }

        output.Machine(machine, startup.Elapsed.TotalSeconds, settings);
        logs.StartCounting();
        var phases = new List<PhaseReport>();
        int exitCode = ExitCodes.Ok;
        long warnings = 0, errors = 0;
        await using (system)
        {
            try
            {
                using var probe = new BrokerProbe(system.KafkaBootstrap);
                using var feed = new TransactionFeed(system.KafkaBootstrap, simulation);
                using var alerts = new AlertWatcher(system.KafkaBootstrap, probe);
                await using var sampler = new ProcessSampler(processes);
                var run = new LoadRun(system, feed, probe, alerts, sampler, output);
                if (settings.WarmupSeconds > 0
                    && await run.WarmUpAsync(WarmupRate, TimeSpan.FromSeconds(settings.WarmupSeconds), cancellationToken) is { Count: > 0 } warmupProblems)
                {
                    output.Problems("The warm-up did not complete:", warmupProblems);
                    return ExitCodes.Partial;
                }

                foreach (string phase in settings.Rates)
                {
                    var phaseReport = phase == Max
                        ? await run.ThroughputAsync(settings.Count, cancellationToken)
                        : await run.LatencyAsync(double.Parse(phase, CultureInfo.InvariantCulture), TimeSpan.FromSeconds(settings.DurationSeconds), cancellationToken);
                    phases.Add(phaseReport);
                    output.Phase(phaseReport);
                    if (cancellationToken.IsCancellationRequested)
                    {
                        break;
                    }
                }

                if (phases.Any(phase => !phase.Complete) || phases.Count < settings.Rates.Count)
                {
                    exitCode = ExitCodes.Partial;
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
                (warnings, errors) = (logs.Warnings, logs.Errors);
            }

            output.Line("Stopping the system …");
        }

        // Counted before the system stopped: shutdown makes noise of its own.
        var report = new RunReport(startedAt, machine, settings, startup.Elapsed.TotalSeconds, phases, Goals(phases), warnings, errors);
        output.Summary(report);
        if (jsonPath is not null)
        {
            await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(report, Json) + "\n", CancellationToken.None);
            output.Line($"Figures written to {Spectre.Console.Markup.Escape(jsonPath)}");
        }

        return exitCode;
    }

    /// <summary>The issue's two goals, judged on the phases that measure them.</summary>
    private static List<GoalReport> Goals(List<PhaseReport> phases)
    {
        var goals = new List<GoalReport>();
        var max = phases.FirstOrDefault(phase => phase.Throughput is not null)?.Throughput;
        goals.Add(max is { Ratio: { } ratio }
            ? new GoalReport("detector ≥ 50% of a bare consumer's rate", $"{max.DetectorRate:N0} vs {max.BareRate:N0} tx/s = {ratio:P0}", ratio >= ThroughputGoalRatio)
            : new GoalReport("detector ≥ 50% of a bare consumer's rate", max is null ? "no 'max' phase" : "incomplete", null));

        var at5k = phases.FirstOrDefault(phase => phase.Latency?.TargetRate == LatencyGoalRate)?.Latency;
        var measures = new[] { ("detector histogram", at5k?.Detector), ("alerts.v1", at5k?.External) }
            .Where(measure => measure.Item2 is not null)
            .Select(measure => (Name: measure.Item1, P99: measure.Item2!.P99Ms))
            .ToList();
        goals.Add(measures.Count > 0
            ? new GoalReport("end-to-end p99 < 50 ms at 5k tx/s",
                string.Join("; ", measures.Select(measure => $"{measure.Name} {measure.P99:N1} ms")),
                measures.All(measure => measure.P99 < LatencyGoalMs))
            : new GoalReport("end-to-end p99 < 50 ms at 5k tx/s", at5k is null ? "no 5000 phase" : "no latency measured", null));
        return goals;
    }

    private static IReadOnlyList<string> ParseRates(ArgumentResult result)
    {
        var phases = new List<string>();
        foreach (string token in result.Tokens.SelectMany(token => token.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (string.Equals(token, Max, StringComparison.OrdinalIgnoreCase))
            {
                phases.Add(Max);
                continue;
            }

            bool thousands = token.EndsWith('k') || token.EndsWith('K');
            if (double.TryParse(thousands ? token[..^1] : token, NumberStyles.Float, CultureInfo.InvariantCulture, out double rate)
                && rate > 0 && double.IsFinite(rate))
            {
                phases.Add((thousands ? rate * 1000 : rate).ToString(CultureInfo.InvariantCulture));
                continue;
            }

            result.AddError($"--rates: '{token}' is neither a rate above 0 (1000, 5k) nor 'max'.");
        }

        if (phases.Count == 0)
        {
            result.AddError("--rates: name at least one phase.");
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
        if (text.Length > 1 && double.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            && (value > 0 || (allowZero && value == 0)))
        {
            switch (text[^1])
            {
                case 's':
                    return TimeSpan.FromSeconds(value);
                case 'm':
                    return TimeSpan.FromMinutes(value);
            }
        }

        result.AddError($"{option}: '{text}' is not a {(allowZero ? "" : "positive ")}span such as 30s or 2m.");
        return TimeSpan.Zero;
    }
}
