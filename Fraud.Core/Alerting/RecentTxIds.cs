namespace Fraud.Core.Alerting;

/// <summary>
/// The tx_ids first seen most recently, for the consumers of <c>alerts.v1</c> that must show or count an alert once:
/// the detector publishes at least once, so a replay (after a crash, a rebalance, or a transaction delivered twice)
/// publishes an alert again. A repeat older than the last <see cref="Capacity"/> first-seen tx_ids is taken as new;
/// replays come within a batch or two of the original. Not thread-safe: one reader owns it.
/// </summary>
public sealed class RecentTxIds
{
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    /// <param name="capacity">How many first-seen tx_ids are remembered (at least 1).</param>
    public RecentTxIds(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    /// <summary>How many first-seen tx_ids are remembered.</summary>
    public int Capacity { get; }

    /// <summary>Records <paramref name="txId"/>; false when it is among the remembered ones (a repeat).</summary>
    public bool FirstTime(string txId)
    {
        if (!_seen.Add(txId))
        {
            return false;
        }

        _order.Enqueue(txId);
        if (_order.Count > Capacity)
        {
            _seen.Remove(_order.Dequeue());
        }

        return true;
    }
}
