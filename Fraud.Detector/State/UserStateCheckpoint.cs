using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using Fraud.Core.Features;
using StackExchange.Redis;

namespace Fraud.Detector.State;

/// <summary>
/// Per-user feature state checkpointed in Redis under <c>fraud:state:{user_id}</c>, so that a restart or a
/// rebalance does not reset a user's history: after each micro-batch is durable, the users it touched are written
/// (one scripted command per batch, each key expiring after the feature state's idle timeout); a user that shows up and is not in
/// memory is read back (one MGET per batch). Each value is the Kafka position of the user's last transaction folded
/// in, then <see cref="FeatureState.TryExport"/>'s snapshot; the position lets a replay skip what the checkpoint
/// already holds. Best effort: while Redis is down the detector keeps deciding from memory.
/// </summary>
internal sealed class UserStateCheckpoint(IConnectionMultiplexer redis)
{
    private const int PositionBytes = sizeof(int) + sizeof(long);
    private static readonly TimeSpan Ttl = new FeatureStateOptions().IdleTimeout;

    // ARGV[1] is the expiry in seconds; KEYS[i] gets ARGV[i + 1].
    private const string SetAllScript = """
        for i = 1, #KEYS do
            redis.call('SET', KEYS[i], ARGV[i + 1], 'EX', ARGV[1])
        end
        return #KEYS
        """;

    public static RedisKey KeyFor(long userId) => string.Create(CultureInfo.InvariantCulture, $"fraud:state:{userId}");

    /// <summary>The stored checkpoints of <paramref name="userIds"/>, null where there is none.</summary>
    public async Task<RedisValue[]> LoadAsync(IReadOnlyList<long> userIds) =>
        await redis.GetDatabase().StringGetAsync(userIds.Select(KeyFor).ToArray());

    /// <summary>
    /// Writes the checkpoint of each user in <paramref name="positions"/> from <paramref name="state"/>, all in one
    /// round trip: one scripted command sets every key with its expiry (a SET per user cost the detector more CPU
    /// than deciding).
    /// </summary>
    public Task SaveAsync(FeatureState state, IReadOnlyDictionary<long, StatePosition> positions)
    {
        var keys = new List<RedisKey>(positions.Count);
        var values = new List<RedisValue>(positions.Count + 1) { (long)Ttl.TotalSeconds };
        var buffer = new ArrayBufferWriter<byte>(1024);
        foreach (var (userId, position) in positions)
        {
            buffer.ResetWrittenCount();
            var header = buffer.GetSpan(PositionBytes);
            BinaryPrimitives.WriteInt32LittleEndian(header, position.Partition);
            BinaryPrimitives.WriteInt64LittleEndian(header[sizeof(int)..], position.Offset);
            buffer.Advance(PositionBytes);
            if (state.TryExport(userId, buffer))
            {
                keys.Add(KeyFor(userId));
                values.Add(buffer.WrittenSpan.ToArray());
            }
        }

        return keys.Count == 0
            ? Task.CompletedTask
            : redis.GetDatabase().ScriptEvaluateAsync(SetAllScript, [.. keys], [.. values]);
    }

    /// <summary>Restores a user from its checkpoint value; false when the value is unusable (the user starts fresh).</summary>
    public static bool TryRestore(FeatureState state, long userId, ReadOnlySpan<byte> value, out StatePosition position)
    {
        position = default;
        if (value.Length <= PositionBytes)
        {
            return false;
        }

        position = new StatePosition(BinaryPrimitives.ReadInt32LittleEndian(value), BinaryPrimitives.ReadInt64LittleEndian(value[sizeof(int)..]));
        return state.TryImport(userId, value[PositionBytes..]);
    }
}

/// <summary>Where a user's last decided transaction sits in the transactions topic.</summary>
internal readonly record struct StatePosition(int Partition, long Offset);
