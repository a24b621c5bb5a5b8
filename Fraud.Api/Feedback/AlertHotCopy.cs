using Fraud.Core;
using StackExchange.Redis;

namespace Fraud.Api.Feedback;

/// <summary>
/// Keeps the detector's hot copy of an alert in Redis (<see cref="AlertJson.CacheKey"/>) in step with a verdict, so
/// whoever reads Redis sees the analyst's status, not <c>open</c> for the rest of the copy's TTL. Only an existing
/// copy is changed, with its TTL kept, and only if nobody changed it in between (else read again). Best effort, like
/// the copy itself: Postgres has the verdict whatever happens here, and the analyst waits at most
/// <see cref="Budget"/> for Redis (which queues commands while it reconnects).
/// </summary>
internal sealed class AlertHotCopy(IConnectionMultiplexer redis, ILogger<AlertHotCopy> logger)
{
    private const int Attempts = 3;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(1);

    public async Task SetStatusAsync(string txId, string status)
    {
        try
        {
            await UpdateAsync(txId, status).WaitAsync(Budget);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            logger.LogWarning("Could not update the Redis copy of {TxId} to {Status}: {Reason}", txId, status, ex.Message);
        }
    }

    private async Task UpdateAsync(string txId, string status)
    {
        var key = AlertJson.CacheKey(txId);
        var database = redis.GetDatabase();
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var cached = await database.StringGetAsync(key);
            if (cached.IsNull || AlertJson.Deserialize((byte[])cached!) is not { } alert)
            {
                return; // expired, never cached (Redis was down), or not an alert to rewrite
            }
            if (alert.Status == status)
            {
                return;
            }

            var update = database.CreateTransaction();
            update.AddCondition(Condition.StringEqual(key, cached));
            _ = update.StringSetAsync(key, AlertJson.SerializeToUtf8Bytes(alert with { Status = status }), expiry: null, keepTtl: true);
            if (await update.ExecuteAsync())
            {
                return;
            }
        }
        logger.LogWarning("The Redis copy of {TxId} kept changing; its status was not updated", txId);
    }
}
