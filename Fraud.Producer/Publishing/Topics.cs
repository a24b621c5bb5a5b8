namespace Fraud.Producer.Publishing;

/// <summary>The topics the producer writes to, as DESIGN.md names them.</summary>
internal static class Topics
{
    /// <summary>One transaction per message, key = user_id.</summary>
    public const string Transactions = "transactions.v1";

    /// <summary>One label per message, key = tx_id: the ground truth of simulated transactions, for evaluation.</summary>
    public const string Labels = "transactions.labels.v1";
}
