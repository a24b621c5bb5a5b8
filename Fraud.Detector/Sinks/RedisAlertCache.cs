using Fraud.Core;
using StackExchange.Redis;

namespace Fraud.Detector.Sinks;

/// <summary>
/// The seed's hot copy and dedup key: <c>fraud:{tx_id}</c> set with NX and a TTL, so the first writer wins.
/// Postgres is the record; this cache is best effort.
/// </summary>
public sealed class RedisAlertCache(IConnectionMultiplexer redis)
{
    /// <param name="payloads">Each alert's JSON, in the same order as <paramref name="alerts"/>.</param>
    public Task SetAsync(IReadOnlyList<Alert> alerts, IReadOnlyList<byte[]> payloads, TimeSpan ttl)
    {
        var database = redis.GetDatabase();
        // Issued together, the commands pipeline over one connection.
        return Task.WhenAll(alerts.Select((alert, i) =>
            database.StringSetAsync(AlertJson.CacheKey(alert.TxId), payloads[i], ttl, When.NotExists)));
    }
}
