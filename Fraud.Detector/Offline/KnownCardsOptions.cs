using System.CommandLine;
using Fraud.CommandLine;
using Fraud.Core.Evaluation;

namespace Fraud.Detector.Offline;

/// <summary>
/// <c>--leave-out-known-cards</c> and <c>--label-delay</c> of <c>evaluate</c> and <c>backtest</c>: the Fraud Detection
/// Handbook's test set, without the cards a bank would already have blocked (<see cref="KnownFraudCards"/>).
/// </summary>
internal sealed class KnownCardsOptions
{
    private readonly Option<DateTimeOffset?> _since = new("--leave-out-known-cards")
    {
        Description = "Leave out the transactions of cards with a fraud known on their day, as the Fraud Detection Handbook's test set does: "
            + "a fraud from this time (the training period's start, ISO-8601) up to --label-delay and a day before. Needs every transaction's user and time.",
        CustomParser = result =>
        {
            if (CommandLineValues.TryParseUtcTime(result.Tokens.Single().Value, out var time))
            {
                return time;
            }

            result.AddError($"--leave-out-known-cards: '{result.Tokens.Single().Value}' is not an ISO-8601 time such as 2018-07-25T00:00:00Z.");
            return null;
        },
    };

    private readonly Option<TimeSpan> _labelDelay = new("--label-delay")
    {
        Description = "With --leave-out-known-cards: how long after a transaction its label is known, in whole days, e.g. 7d.",
        DefaultValueFactory = _ => TimeSpan.FromDays(7),
        CustomParser = result =>
        {
            if (CommandLineValues.TryParseSpan(result.Tokens.Single().Value, out var span) && span >= TimeSpan.Zero && span.Ticks % TimeSpan.TicksPerDay == 0)
            {
                return span;
            }

            result.AddError($"--label-delay: '{result.Tokens.Single().Value}' is not a whole number of days such as 7d.");
            return default;
        },
    };

    /// <summary>Adds both options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_since);
        command.Options.Add(_labelDelay);
    }

    /// <summary>Whether <c>--leave-out-known-cards</c> was given.</summary>
    public bool IsGiven(System.CommandLine.Parsing.CommandResult result) => result.GetResult(_since) is not null;

    /// <summary>The known cards to fill while reading, or null when the option is not given.</summary>
    public KnownFraudCards? Get(ParseResult parse) =>
        parse.GetValue(_since) is { } since ? new KnownFraudCards(DateOnly.FromDateTime(since.UtcDateTime), parse.GetValue(_labelDelay)) : null;
}
