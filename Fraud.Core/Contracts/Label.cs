namespace Fraud.Core;

/// <summary>
/// Ground truth for one transaction: written by the simulator and by analyst feedback, never read by the online
/// scorer. <see cref="LabelJson"/> reads and writes it.
/// </summary>
/// <param name="TxId">The labelled transaction (<c>tx_id</c>).</param>
/// <param name="IsFraud">Whether the transaction is fraudulent (<c>is_fraud</c>).</param>
/// <param name="Scenario">The simulator's fraud scenario, e.g. <c>"card_testing"</c>, when there is one.</param>
public sealed record Label(string TxId, bool IsFraud, string? Scenario = null);
