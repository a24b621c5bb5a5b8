using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.RegularExpressions;
using Fraud.Core.Simulation;
using Fraud.ServiceDefaults.CommandLine;

namespace Fraud.Producer.CommandLine;

/// <summary>A simulation to run: the simulator's options and when to stop (at a count, a simulated span, or never).</summary>
internal sealed record SimulationPlan(SimulationOptions Options, long? Count, TimeSpan? Duration, string? LabelsOut)
{
    /// <summary>Event time at which the run stops, when it has a <see cref="Duration"/>.</summary>
    public DateTimeOffset? End => Options.Start + Duration;
}

/// <summary>The options <c>simulate</c> and <c>generate</c> share: what to simulate and when to stop.</summary>
internal sealed partial class SimulationArguments
{
    private readonly Option<int> _seed = new("--seed")
    {
        Description = "Fixes every random choice: the same seed and options give the same transactions, byte for byte. "
            + "Part of every tx_id (tx_<seed>_<sequence>), so use another seed for fresh ids.",
        DefaultValueFactory = _ => 1,
    };

    private readonly Option<int> _users = new("--users")
    {
        Description = "Card holders. Each makes about 3.2 transactions a day on average, so this sets the traffic per simulated day.",
        DefaultValueFactory = _ => SimulationOptions.DefaultUsers,
    };

    private readonly Option<int> _merchants = new("--merchants")
    {
        Description = "Shops, ATMs and online stores, laid out over the simulated cities from the seed.",
        DefaultValueFactory = _ => SimulationOptions.DefaultMerchants,
    };

    private readonly Option<double> _fraudRate = new("--fraud-rate")
    {
        Description = "Share of fraudulent transactions, 0 to 0.5.",
        DefaultValueFactory = _ => SimulationOptions.DefaultFraudRate,
    };

    private readonly Option<ScenarioMix> _scenarioMix = new("--scenario-mix")
    {
        Description = "How fraud splits between scenarios, as name=weight pairs (unnamed ones get none), e.g. card_testing=2,stolen_card=1. "
            + $"Scenarios: {string.Join(", ", ScenarioMix.Names)}.",
        HelpName = "name=weight,...",
        DefaultValueFactory = _ => ScenarioMix.Default,
        CustomParser = ParseScenarioMix,
    };

    private readonly Option<DateTimeOffset?> _start = new("--start")
    {
        Description = "Where the simulated clock starts: an ISO-8601 time (UTC unless it has an offset) or 'now'. "
            + $"Default: {SimulationOptions.DefaultStart:yyyy-MM-ddTHH:mm:ssZ}, fixed so that runs repeat.",
        HelpName = "time|now",
        CustomParser = ParseStart,
    };

    private readonly Option<long?> _count = new("--count") { Description = "Stop after this many transactions." };

    private readonly Option<TimeSpan?> _duration = new("--duration")
    {
        Description = "Stop after this much simulated (event) time: 90s, 30m, 12h, 7d.",
        HelpName = "span",
        CustomParser = ParseDuration,
    };

    private readonly Option<string?> _labelsOut = new("--labels-out")
    {
        Description = "Also write one label per transaction to this JSONL file ({\"tx_id\":…,\"is_fraud\":…,\"scenario\":…}).",
        HelpName = "file",
    };

    public SimulationArguments()
    {
        _count.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<long?>() is < 1)
            {
                result.AddError("--count must be at least 1.");
            }
        });
    }

    public void AddTo(Command command)
    {
        command.Options.Add(_seed);
        command.Options.Add(_users);
        command.Options.Add(_merchants);
        command.Options.Add(_fraudRate);
        command.Options.Add(_scenarioMix);
        command.Options.Add(_start);
        command.Options.Add(_count);
        command.Options.Add(_duration);
        command.Options.Add(_labelsOut);
    }

    /// <summary>The plan, or the first out-of-range option as <c>--option: reason</c>.</summary>
    public SimulationPlan Read(ParseResult parsed, out string? problem)
    {
        var options = new SimulationOptions
        {
            Seed = parsed.GetValue(_seed),
            Users = parsed.GetValue(_users),
            Merchants = parsed.GetValue(_merchants),
            FraudRate = parsed.GetValue(_fraudRate),
            ScenarioMix = parsed.GetRequiredValue(_scenarioMix),
            Start = parsed.GetValue(_start) ?? SimulationOptions.DefaultStart,
        };
        problem = options.Validate() is { } reason ? $"--{reason}" : null;
        return new SimulationPlan(options, parsed.GetValue(_count), parsed.GetValue(_duration), parsed.GetValue(_labelsOut));
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

    private static DateTimeOffset? ParseStart(ArgumentResult result)
    {
        string text = result.Tokens.Single().Value;
        if (text == "now")
        {
            return DateTimeOffset.UtcNow;
        }

        if (CommandLineValues.TryParseUtcTime(text, out var start))
        {
            return start;
        }

        result.AddError($"--start: '{text}' is not an ISO-8601 time such as 2025-09-01T00:00:00Z, nor 'now'.");
        return null;
    }

    private static TimeSpan? ParseDuration(ArgumentResult result)
    {
        string text = result.Tokens.Single().Value;
        if (CommandLineValues.TryParseSpan(text, out var duration) && duration > TimeSpan.Zero)
        {
            return duration;
        }

        result.AddError($"--duration: '{text}' is not a positive span such as {CommandLineValues.SpanExamples}.");
        return null;
    }
}
