namespace Fraud.Core;

/// <summary>
/// Ground truth for one transaction: written by the simulator and by analyst feedback, never read by the online
/// scorer. <see cref="LabelJson"/> reads and writes it.
/// </summary>
/// <param name="TxId">The labelled transaction (<c>tx_id</c>).</param>
/// <param name="IsFraud">Whether the transaction is fraudulent (<c>is_fraud</c>).</param>
/// <param name="Scenario">The simulator's fraud scenario, e.g. <c>"card_testing"</c>, when there is one.</param>
/// <param name="MerchantId">
/// Where the labelled transaction happened (<c>merchant_id</c>), when the source knows: with <paramref name="Ts"/> it lets
/// merchant risk count a fraud without looking the transaction up, as a chargeback carries its merchant and date.
/// </param>
/// <param name="Ts">When the labelled transaction happened (<c>ts</c>), in UTC, when the source knows.</param>
public sealed record Label(string TxId, bool IsFraud, string? Scenario = null, string? MerchantId = null, DateTimeOffset? Ts = null)
{
    /// <summary>The label of <paramref name="transaction"/>, carrying its merchant and time.</summary>
    /// <param name="transaction">The labelled transaction.</param>
    /// <param name="scenario">Its fraud scenario; null for a legitimate transaction.</param>
    /// <returns>The label: fraud exactly when a scenario is given.</returns>
    public static Label Of(Transaction transaction, string? scenario) =>
        new(transaction.TxId, scenario is not null, scenario, transaction.MerchantId, transaction.Ts);
}
