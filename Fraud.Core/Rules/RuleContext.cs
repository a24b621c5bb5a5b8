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
}
