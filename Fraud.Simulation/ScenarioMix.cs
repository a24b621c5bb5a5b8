using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Fraud.Simulation;

/// <summary>One scenario and its share of all fraudulent transactions.</summary>
/// <param name="Scenario">The scenario, with its parameters.</param>
/// <param name="Share">Its share of fraud, in [0, 1]; the shares of a mix sum to 1.</param>
public readonly record struct ScenarioShare(FraudScenario Scenario, double Share);

/// <summary>
/// How fraudulent transactions split between scenarios. Written as relative weights, e.g.
/// <c>stolen_card=2,card_testing=1</c> (two thirds stolen-card sprees, one third card testing); scenarios not
/// named get none. The shares count transactions, not episodes: a card-testing burst of ten counts ten.
/// </summary>
public sealed class ScenarioMix
{
    private ScenarioMix(IReadOnlyList<ScenarioShare> shares) => Shares = shares;

    /// <summary>The default: every scenario, weighted towards the common card-not-present frauds.</summary>
    public static ScenarioMix Default { get; } = FromWeights(
    [
        (new StolenCardSpree(), 0.20),
        (new CompromisedTerminal(), 0.15),
        (new AccountTakeover(), 0.20),
        (new CardTesting(), 0.20),
        (new ImpossibleTravel(), 0.10),
        (new LargeOutlier(), 0.15),
    ]);

    /// <summary>The scenario names a mix may use, in the default order.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Default.Shares.Select(share => share.Scenario.Name)];

    /// <summary>Every scenario of the mix with its share; the shares sum to 1.</summary>
    public IReadOnlyList<ScenarioShare> Shares { get; }

    /// <summary>A mix from scenarios with relative weights (normalised here).</summary>
    /// <param name="weights">Each scenario at most once; weights finite and not negative, at least one positive.</param>
    /// <returns>The mix.</returns>
    /// <exception cref="ArgumentException">A weight is negative or not finite, a scenario repeats, or all weights are 0.</exception>
    public static ScenarioMix FromWeights(IReadOnlyList<(FraudScenario Scenario, double Weight)> weights) =>
        TryFromWeights(weights, out var mix, out var error) ? mix : throw new ArgumentException(error, nameof(weights));

    /// <summary>
    /// Reads <c>name=weight[,name=weight…]</c>, e.g. <c>card_testing=0.5,stolen_card=0.5</c>; names from
    /// <see cref="Names"/>, each with its default parameters.
    /// </summary>
    /// <param name="text">The mix as written on a command line or in configuration.</param>
    /// <param name="mix">The mix, when valid.</param>
    /// <param name="error">Why it is not, otherwise.</param>
    /// <returns>True when the text is a valid mix.</returns>
    public static bool TryParse(string text, [NotNullWhen(true)] out ScenarioMix? mix, [NotNullWhen(false)] out string? error)
    {
        mix = null;
        var weights = new List<(FraudScenario Scenario, double Weight)>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            string[] pair = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (Default.Shares.FirstOrDefault(s => s.Scenario.Name == pair[0]).Scenario is not { } scenario)
            {
                error = $"'{pair[0]}' is not a scenario (one of {string.Join(", ", Names)})";
                return false;
            }

            if (pair.Length < 2 || !double.TryParse(pair[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double weight))
            {
                error = $"'{part}' must be {pair[0]}=<weight>, the weight a number such as 0.25";
                return false;
            }

            weights.Add((scenario, weight));
        }

        return TryFromWeights(weights, out mix, out error);
    }

    private static bool TryFromWeights(
        IReadOnlyList<(FraudScenario Scenario, double Weight)> weights,
        [NotNullWhen(true)] out ScenarioMix? mix,
        [NotNullWhen(false)] out string? error)
    {
        mix = null;
        double total = weights.Sum(w => w.Weight);
        error = weights.FirstOrDefault(w => !double.IsFinite(w.Weight) || w.Weight < 0) is { Scenario: not null } bad
            ? $"{bad.Scenario.Name}: the weight must be a number of at least 0"
            : weights.GroupBy(w => w.Scenario.Name).FirstOrDefault(g => g.Count() > 1) is { } repeated
            ? $"{repeated.Key} is given twice"
            : !(total > 0)
            ? "at least one scenario needs a weight above 0"
            : null;
        if (error is not null)
        {
            return false;
        }

        mix = new ScenarioMix([.. weights.Select(w => new ScenarioShare(w.Scenario, w.Weight / total))]);
        return true;
    }

    /// <summary>The share of a scenario by name; 0 when the mix does not include it.</summary>
    /// <param name="name">A scenario name, e.g. <c>"card_testing"</c>.</param>
    /// <returns>The share in [0, 1].</returns>
    public double ShareOf(string name) => Shares.FirstOrDefault(s => s.Scenario.Name == name).Share;

    /// <summary>The mix in the form <see cref="TryParse"/> reads, with normalised shares.</summary>
    /// <returns>E.g. <c>stolen_card=0.2,card_testing=0.8</c>.</returns>
    public override string ToString() =>
        string.Join(",", Shares.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Scenario.Name}={s.Share:0.###}")));
}
