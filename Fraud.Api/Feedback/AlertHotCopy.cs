using Fraud.Core;
using Polly;
using Polly.Retry;
using StackExchange.Redis;

namespace Fraud.Api.Feedback;

/// <summary>
/// Keeps the detector's hot copy of an alert in Redis (<see cref="AlertJson.CacheKey"/>) in step with a verdict, so
/// whoever reads Redis sees the analyst's status, not <c>open</c> for the rest of the copy's TTL. Only an existing
/// copy is changed, with its TTL kept, and only if nobody changed it in between (else read again, after a short jittered
/// pause, so two writers of the same copy do not collide again). Best effort, like
/// the copy itself: Postgres has the verdict whatever happens here, and the analyst waits at most
/// <see cref="Budget"/> for Redis (which queues commands while it reconnects).
/// </summary>
internal sealed class AlertHotCopy(IConnectionMultiplexer redis, ILogger<AlertHotCopy> logger)
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(1);

    private enum Outcome { Done, ChangedMeanwhile }

    private readonly ResiliencePipeline<Outcome> _rereads = new ResiliencePipelineBuilder<Outcome>()
        .AddRetry(new RetryStrategyOptions<Outcome>
        {
            ShouldHandle = arguments => ValueTask.FromResult(arguments.Outcome.Result == Outcome.ChangedMeanwhile),
            MaxRetryAttempts = 2,
            BackoffType = DelayBackoffType.Constant,
            Delay = TimeSpan.FromMilliseconds(10),
            UseJitter = true,
        })
        .Build();

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
        if (await _rereads.ExecuteAsync(async _ => await TryUpdateAsync(database, key, status)) == Outcome.ChangedMeanwhile)
        {
            logger.LogWarning("The Redis copy of {TxId} kept changing; its status was not updated", txId);
        }
    }

    private static async Task<Outcome> TryUpdateAsync(IDatabase database, RedisKey key, string status)
    {
        var cached = await database.StringGetAsync(key);
        if (cached.IsNull || AlertJson.Deserialize((byte[])cached!) is not { } alert || alert.Status == status)
        {
            return Outcome.Done; // expired, never cached (Redis was down), not an alert to rewrite, or already so
        }

        var update = database.CreateTransaction();
        update.AddCondition(Condition.StringEqual(key, cached));
        _ = update.StringSetAsync(key, AlertJson.SerializeToUtf8Bytes(alert with { Status = status }), expiry: null, keepTtl: true);
        return await update.ExecuteAsync() ? Outcome.Done : Outcome.ChangedMeanwhile;
    }
}
