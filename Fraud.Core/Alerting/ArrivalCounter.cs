namespace Fraud.Core.Alerting;

/// <summary>
/// Messages that arrived on a topic between two readings of its partitions' high watermarks (the offset the next
/// message will get). Counting this way costs one small request per reading, however busy the topic; reading the
/// messages themselves would double the broker's work. The first reading of a partition only sets its baseline; a
/// watermark that went back (the topic was recreated) sets a new one. Not thread-safe: one reader owns it.
/// </summary>
public sealed class ArrivalCounter
{
    private readonly Dictionary<int, long> _lastHighWatermark = [];

    /// <summary>Records a reading of <paramref name="partition"/> and returns the messages that arrived since its previous one.</summary>
    public long Advance(int partition, long highWatermark)
    {
        long arrived = _lastHighWatermark.TryGetValue(partition, out long previous) && highWatermark >= previous
            ? highWatermark - previous
            : 0;
        _lastHighWatermark[partition] = highWatermark;
        return arrived;
    }
}
