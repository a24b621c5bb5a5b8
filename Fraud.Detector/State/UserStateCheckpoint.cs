using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using Fraud.Core.Features;
using StackExchange.Redis;

namespace Fraud.Detector.State;

/// <summary>
/// Per-user feature state checkpointed in Redis under <c>fraud:state:{user_id}</c>, so that a restart or a
/// rebalance does not reset a user's history: after each micro-batch is durable, the users it touched are written
/// (one pipelined SET each, expiring after the feature state's idle timeout); a user that shows up and is not in
/// memory is read back (one MGET per batch). Each value is the Kafka position of the user's last transaction folded
/// in, then <see cref="FeatureState.TryExport"/>'s snapshot; the position lets a replay skip what the checkpoint
/// already holds. Best effort: while Redis is down the detector keeps deciding from memory.
/// </summary>
internal sealed class UserStateCheckpoint(IConnectionMultiplexer redis)
{
    private const int PositionBytes = sizeof(int) + sizeof(long);
    private static readonly TimeSpan Ttl = new FeatureStateOptions().IdleTimeout;

    public static RedisKey KeyFor(long userId) => string.Create(CultureInfo.InvariantCulture, $"fraud:state:{userId}");

    /// <summary>The stored checkpoints of <paramref name="userIds"/>, null where there is none.</summary>
    public async Task<RedisValue[]> LoadAsync(IReadOnlyList<long> userIds) =>
        await redis.GetDatabase().StringGetAsync(userIds.Select(KeyFor).ToArray());

    /// <summary>Writes the checkpoint of each user in <paramref name="positions"/> from <paramref name="state"/>.</summary>
    public Task SaveAsync(FeatureState state, IReadOnlyDictionary<long, StatePosition> positions)
    {
        var database = redis.GetDatabase();
        var writes = new List<Task>(positions.Count);
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
                writes.Add(database.StringSetAsync(KeyFor(userId), buffer.WrittenSpan.ToArray(), Ttl));
            }
        }

        // Issued together, the commands pipeline over one connection.
        return Task.WhenAll(writes);
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
