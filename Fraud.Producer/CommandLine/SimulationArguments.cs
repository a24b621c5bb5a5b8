using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics.CodeAnalysis;
using Fraud.CommandLine;
using Fraud.Simulation;
using Fraud.Simulation.Handbook;

namespace Fraud.Producer.CommandLine;

/// <summary>A simulation to run: a world ready at its start, and when to stop (at a count, a simulated span, or never).</summary>
internal sealed record SimulationPlan(ISimulator Simulator, DateTimeOffset Start, long? Count, TimeSpan? Duration, string? LabelsOut)
{
    /// <summary>Event time at which the run stops, when it has a <see cref="Duration"/>.</summary>
    public DateTimeOffset? End => Start + Duration;
}

/// <summary>The options <c>simulate</c> and <c>generate</c> share: which world, what to simulate in it and when to stop.</summary>
internal sealed class SimulationArguments
{
    /// <summary>This project's world (docs/simulator.md).</summary>
    public const string FraudWorld = "fraud";

    /// <summary>The Fraud Detection Handbook's published simulator.</summary>
    public const string HandbookWorld = "handbook";

    private readonly Option<string> _world = new("--world")
    {
        Description = $"The simulated world: '{FraudWorld}', this project's (cities, merchants, six fraud scenarios), or '{HandbookWorld}', "
            + "the Fraud Detection Handbook's published simulator (customers and terminals on a 100×100 grid, three fraud scenarios; "
            + "its defaults are the handbook's dataset: 5,000 customers, 10,000 terminals, from 2018-04-01). See docs/simulator.md.",
        DefaultValueFactory = _ => FraudWorld,
    };

    private readonly Option<int> _seed = new("--seed")
    {
        Description = "Fixes every random choice: the same seed and options give the same transactions, byte for byte. "
            + "Part of every tx_id (tx_<seed>_<sequence>), so use another seed for fresh ids.",
        DefaultValueFactory = _ => 1,
    };

    private readonly Option<int?> _users = new("--users", "--customers")
    {
        Description = "Card holders, which sets the traffic per simulated day. Fraud world: each makes about 3.2 transactions a day "
            + $"(default {SimulationOptions.DefaultUsers:N0}). Handbook world: its customers, about 1.9 a day (default {HandbookOptions.DefaultCustomers:N0}).",
    };

    private readonly Option<int> _merchants = new("--merchants")
    {
        Description = "Fraud world: shops, ATMs and online stores, laid out over the simulated cities from the seed.",
        DefaultValueFactory = _ => SimulationOptions.DefaultMerchants,
    };

    private readonly Option<int> _terminals = new("--terminals")
    {
        Description = "Handbook world: terminals placed on its grid; each customer uses those within 5 of them.",
        DefaultValueFactory = _ => HandbookOptions.DefaultTerminals,
    };

    private readonly Option<double> _fraudRate = new("--fraud-rate")
    {
        Description = "Fraud world: share of fraudulent transactions, 0 to 0.5. (The handbook world's fraud follows from its three scenarios, about 0.8%.)",
        DefaultValueFactory = _ => SimulationOptions.DefaultFraudRate,
    };

    private readonly Option<ScenarioMix> _scenarioMix = new("--scenario-mix")
    {
        Description = "Fraud world: how fraud splits between scenarios, as name=weight pairs (unnamed ones get none), e.g. card_testing=2,stolen_card=1. "
            + $"Scenarios: {string.Join(", ", ScenarioMix.Names)}.",
        HelpName = "name=weight,...",
        DefaultValueFactory = _ => ScenarioMix.Default,
        CustomParser = ParseScenarioMix,
    };

    private readonly Option<DateTimeOffset?> _start = new("--start")
    {
        Description = "Where the simulated clock starts: an ISO-8601 time (UTC unless it has an offset) or 'now'. "
            + $"Default: {SimulationOptions.DefaultStart:yyyy-MM-ddTHH:mm:ssZ} (handbook world: {HandbookOptions.DefaultStart:yyyy-MM-ddTHH:mm:ssZ}), fixed so that runs repeat.",
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
        _world.AcceptOnlyFromAmong(FraudWorld, HandbookWorld);
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
        command.Options.Add(_world);
        command.Options.Add(_seed);
        command.Options.Add(_users);
        command.Options.Add(_merchants);
        command.Options.Add(_terminals);
        command.Options.Add(_fraudRate);
        command.Options.Add(_scenarioMix);
        command.Options.Add(_start);
        command.Options.Add(_count);
        command.Options.Add(_duration);
        command.Options.Add(_labelsOut);
    }

    /// <summary>The plan, or the first problem as <c>--option: reason</c>: out of range, or an option of another world.</summary>
    public bool TryRead(ParseResult parsed, [NotNullWhen(true)] out SimulationPlan? plan, [NotNullWhen(false)] out string? problem)
    {
        plan = null;
        string world = parsed.GetRequiredValue(_world);
        Option[] otherWorldOnly = world == HandbookWorld ? [_merchants, _fraudRate, _scenarioMix] : [_terminals];
        // An option that means nothing in the chosen world is a mistake to report, not a setting to ignore.
        if (otherWorldOnly.FirstOrDefault(option => parsed.GetResult(option) is { Implicit: false }) is { } misplaced)
        {
            problem = $"{misplaced.Name} does not apply to --world {world}; it is an option of --world {(world == HandbookWorld ? FraudWorld : HandbookWorld)}.";
            return false;
        }

        return world == HandbookWorld ? TryReadHandbook(parsed, out plan, out problem) : TryReadFraud(parsed, out plan, out problem);
    }

    private bool TryReadFraud(ParseResult parsed, [NotNullWhen(true)] out SimulationPlan? plan, [NotNullWhen(false)] out string? problem)
    {
        var options = new SimulationOptions
        {
            Seed = parsed.GetValue(_seed),
            Users = parsed.GetValue(_users) ?? SimulationOptions.DefaultUsers,
            Merchants = parsed.GetValue(_merchants),
            FraudRate = parsed.GetValue(_fraudRate),
            ScenarioMix = parsed.GetRequiredValue(_scenarioMix),
            Start = parsed.GetValue(_start) ?? SimulationOptions.DefaultStart,
        };
        plan = null;
        problem = options.Validate() is { } reason ? $"--{reason}" : null;
        if (problem is not null)
        {
            return false;
        }

        plan = NewPlan(parsed, new TransactionSimulator(options), options.Start);
        return true;
    }

    private bool TryReadHandbook(ParseResult parsed, [NotNullWhen(true)] out SimulationPlan? plan, [NotNullWhen(false)] out string? problem)
    {
        var options = new HandbookOptions
        {
            Seed = parsed.GetValue(_seed),
            Customers = parsed.GetValue(_users) ?? HandbookOptions.DefaultCustomers,
            Terminals = parsed.GetValue(_terminals),
            Start = parsed.GetValue(_start) ?? HandbookOptions.DefaultStart,
        };
        plan = null;
        problem = options.Validate() is { } reason ? $"--{reason}" : null;
        if (problem is not null)
        {
            return false;
        }

        try
        {
            plan = NewPlan(parsed, new HandbookSimulator(options), options.Start);
            return true;
        }
        catch (ArgumentException unusable)
        {
            // A world where nobody can pay (too few terminals near the customers).
            problem = $"--{unusable.Message}";
            return false;
        }
    }

    private SimulationPlan NewPlan(ParseResult parsed, ISimulator simulator, DateTimeOffset start) =>
        new(simulator, start, parsed.GetValue(_count), parsed.GetValue(_duration), parsed.GetValue(_labelsOut));

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
