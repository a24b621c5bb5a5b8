using Fraud.Core.Features;

namespace Fraud.Core.Rules;

/// <summary>What a rule sees of the transaction being decided: the transaction, its features, and its user's earlier history.</summary>
/// <param name="transaction">The transaction being decided.</param>
/// <param name="features">Its <see cref="FeatureSchema"/> features, computed before it was folded into the history.</param>
/// <param name="history">Its user's history, not including it yet.</param>
public readonly ref struct RuleContext(Transaction transaction, ReadOnlySpan<float> features, UserHistory history)
{
    /// <summary>The transaction being decided.</summary>
    public Transaction Transaction { get; } = transaction;

    /// <summary>Its <see cref="FeatureSchema"/> features.</summary>
    public ReadOnlySpan<float> Features { get; } = features;

    /// <summary>Its user's earlier transactions.</summary>
    public UserHistory History { get; } = history;

    /// <summary>The amount as a double, in the transaction's currency.</summary>
    public double Amount => (double)Transaction.Amount;

    /// <summary>
    /// The user's typical amount, its decayed mean (<see cref="UserHistory.AmountMean"/>), once it has at least
    /// <paramref name="minHistory"/> (and at least one) earlier transactions; NaN before, which no comparison passes.
    /// </summary>
    /// <param name="minHistory">Earlier transactions the mean needs before it means anything.</param>
    /// <returns>The mean, or NaN.</returns>
    public double UserMeanAmount(int minHistory) =>
        History.Count >= Math.Max(minHistory, 1) ? History.AmountMean : double.NaN;
}
