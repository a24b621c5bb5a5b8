using System.Globalization;
using System.Text;
using Fraud.Core.Rules;

namespace Fraud.Core.Decision;

/// <summary>
/// The decision on one transaction: risk, alert flag, the forest's score and the rules that fired. Its
/// <see cref="Hits"/> live in the <see cref="DecisionEngine"/>'s buffer, so a verdict is valid only until the
/// engine's next decision; <see cref="Reason"/> and <see cref="RuleNames"/> copy out what an alert keeps.
/// </summary>
public readonly ref struct Verdict
{
    /// <summary>The name listed among an alert's rules when the forest's score is below its threshold.</summary>
    public const string ForestRuleName = "isolation_forest";

    /// <summary>The name listed among an alert's rules when the classifier's fraud probability is at least one half.</summary>
    public const string ClassifierRuleName = "fraud_classifier";

    /// <summary>The name listed among an alert's rules when the amount ranks within the tail share of what training saw.</summary>
    public const string AmountTailRuleName = "amount_tail";

    internal Verdict(double risk, bool isAlert, double? score, double scoreThreshold, ReadOnlySpan<RuleHit> hits, double? fraudProbability = null, double? amountTailShare = null)
    {
        AmountTailShare = amountTailShare;
        FraudProbability = fraudProbability;
        Risk = risk;
        IsAlert = isAlert;
        Score = score;
        ScoreThreshold = scoreThreshold;
        Hits = hits;
    }

    /// <summary>The combined risk in [0, 1], higher is riskier.</summary>
    public double Risk { get; }

    /// <summary>Whether the risk reached the alert threshold.</summary>
    public bool IsAlert { get; }

    /// <summary>The forest's <c>score_samples</c> in [−1, 0], lower is more anomalous; null without a model.</summary>
    public double? Score { get; }

    /// <summary>The score threshold the forest's evidence is centred on (NaN without a model).</summary>
    public double ScoreThreshold { get; }

    /// <summary>The supervised classifier's fraud probability in [0, 1]; null without a classifier.</summary>
    public double? FraudProbability { get; }

    /// <summary>
    /// The share of training transactions whose amount, or excess over the user's 30-day mean, was at or above this
    /// one's, when it is within the configured tail share (<see cref="DecisionOptions.AmountTailShare"/>); otherwise null.
    /// </summary>
    public double? AmountTailShare { get; }

    /// <summary>The rules that fired, in rule-set order.</summary>
    public ReadOnlySpan<RuleHit> Hits { get; }

    /// <summary>Whether the forest alone calls the transaction anomalous: its score is below the threshold.</summary>
    public bool ForestFlags => Score < ScoreThreshold;

    /// <summary>Whether the classifier alone calls the transaction more likely fraud than not.</summary>
    public bool ClassifierFlags => FraudProbability >= 0.5;

    /// <summary>
    /// The explanation, seed style first: <c>"iforest_score=-0.767; threshold=-0.657; velocity_10m: 6 transactions
    /// within 10 min (>= 5)"</c>; without a model, only the rules' reasons.
    /// </summary>
    /// <returns>The reason text; empty when there is nothing to say.</returns>
    public string Reason()
    {
        var text = new StringBuilder();
        if (Score is { } score)
        {
            text.Append(CultureInfo.InvariantCulture, $"iforest_score={score:0.000}; threshold={ScoreThreshold:0.000}");
        }

        if (AmountTailShare is { } tail)
        {
            text.Append(text.Length > 0 ? "; " : string.Empty).Append(CultureInfo.InvariantCulture, $"amount_tail_share={tail:0.00000}");
        }

        if (FraudProbability is { } probability)
        {
            text.Append(text.Length > 0 ? "; " : string.Empty).Append(CultureInfo.InvariantCulture, $"fraud_probability={probability:0.000}");
        }

        foreach (var hit in Hits)
        {
            text.Append(text.Length > 0 ? "; " : string.Empty).Append(hit.Reason);
        }

        return text.ToString();
    }

    /// <summary>
    /// The names of the rules that fired, preceded by <see cref="ForestRuleName"/> when <see cref="ForestFlags"/>,
    /// <see cref="AmountTailRuleName"/> when <see cref="AmountTailShare"/> is set and <see cref="ClassifierRuleName"/>
    /// when <see cref="ClassifierFlags"/>.
    /// </summary>
    /// <returns>The names, as an alert lists them.</returns>
    public IReadOnlyList<string> RuleNames()
    {
        var names = new List<string>(Hits.Length + 3);
        if (ForestFlags)
        {
            names.Add(ForestRuleName);
        }

        if (AmountTailShare is not null)
        {
            names.Add(AmountTailRuleName);
        }

        if (ClassifierFlags)
        {
            names.Add(ClassifierRuleName);
        }

        foreach (var hit in Hits)
        {
            names.Add(hit.Rule.Name);
        }

        return names;
    }
}
