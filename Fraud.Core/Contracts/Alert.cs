namespace Fraud.Core;

/// <summary>
/// A transaction the detector flagged, as the API returns it and as published on <c>alerts.v1</c>.
/// <see cref="AlertJson"/> reads and writes it. Two alerts are equal when all their values are, rules compared in order.
/// </summary>
/// <param name="TxId">The flagged transaction (<c>tx_id</c>).</param>
/// <param name="UserId">Its card holder (<c>user_id</c>).</param>
/// <param name="Amount">Its amount; the wire writes it as a string with two decimals.</param>
/// <param name="Location">Its ISO-3166 alpha-2 country.</param>
/// <param name="Ts">When the transaction happened, in UTC.</param>
/// <param name="Score">Isolation Forest score as scikit-learn's <c>score_samples</c>: in [-1, 0], lower is more anomalous; null when no model scored it.</param>
/// <param name="Reason">Human-readable explanation, e.g. <c>"iforest_score=-0.767; threshold=-0.657"</c>.</param>
/// <param name="CreatedAt">When the alert was raised, in UTC; the wire keeps milliseconds.</param>
/// <param name="Risk">Combined decision in [0, 1], higher is riskier.</param>
/// <param name="Rules">Names of the rules that fired, e.g. <c>"amount_vs_user_history"</c>.</param>
/// <param name="ModelVersion">Version of the model that scored it (<c>model_version</c>).</param>
/// <param name="Status">Analyst workflow state, e.g. <c>"open"</c>.</param>
/// <param name="RulesVersion">Version of the rule set that took part in the decision (<c>rules_version</c>); null when no rules did.</param>
/// <param name="ClassifierVersion">Version of the supervised classifier that took part in the decision (<c>classifier_version</c>); null when none did.</param>
public sealed record Alert(
    string TxId,
    long UserId,
    decimal Amount,
    string Location,
    DateTimeOffset Ts,
    double? Score,
    string Reason,
    DateTimeOffset CreatedAt,
    double Risk,
    IReadOnlyList<string> Rules,
    string ModelVersion,
    string Status,
    string? RulesVersion = null,
    string? ClassifierVersion = null)
{
    /// <summary>Value equality, comparing <see cref="Rules"/> element by element rather than by reference.</summary>
    /// <param name="other">The alert to compare with.</param>
    /// <returns>True when every value is equal.</returns>
    public bool Equals(Alert? other) =>
        other is not null
        && TxId == other.TxId
        && UserId == other.UserId
        && Amount == other.Amount
        && Location == other.Location
        && Ts.Equals(other.Ts)
        && Nullable.Equals(Score, other.Score)
        && Reason == other.Reason
        && CreatedAt.Equals(other.CreatedAt)
        && Risk.Equals(other.Risk)
        && Rules.SequenceEqual(other.Rules)
        && ModelVersion == other.ModelVersion
        && Status == other.Status
        && RulesVersion == other.RulesVersion
        && ClassifierVersion == other.ClassifierVersion;

    /// <summary>A hash consistent with <see cref="Equals(Alert?)"/>.</summary>
    /// <returns>The hash code.</returns>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(TxId);
        hash.Add(UserId);
        hash.Add(Amount);
        hash.Add(Location);
        hash.Add(Ts);
        hash.Add(Score);
        hash.Add(Reason);
        hash.Add(CreatedAt);
        hash.Add(Risk);
        foreach (var rule in Rules)
        {
            hash.Add(rule);
        }

        hash.Add(ModelVersion);
        hash.Add(Status);
        hash.Add(RulesVersion);
        hash.Add(ClassifierVersion);
        return hash.ToHashCode();
    }
}
