using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using Fraud.Core.Features;
using StackExchange.Redis;

namespace Fraud.Detector.State;

/// <summary>
/// Per-user feature state checkpointed in Redis under <c>fraud:state:{user_id}</c>, so that a restart or a
/// rebalance does not reset a user's history: each batch's users are snapshotted when it is decided and written once
/// it is durable, before its offsets are committed (scripted commands of 500 users, each user once per commit, each key expiring
/// after the feature state's idle timeout); a user that shows up and is not in memory is read back (one MGET per batch). Each value is the Kafka position of the user's last transaction folded
/// in, then <see cref="FeatureState.TryExport"/>'s snapshot; the position lets a replay skip what the checkpoint
/// already holds. Best effort: while Redis is down the detector keeps deciding from memory.
/// </summary>
internal sealed class UserStateCheckpoint(IConnectionMultiplexer redis)
{
    private const int PositionBytes = sizeof(int) + sizeof(long);
    private const int KeysPerCommand = 500;
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
    /// The checkpoint of each user in <paramref name="positions"/>, taken from <paramref name="state"/> now: taken when a
    /// batch is decided, written once the batch is durable (<see cref="SaveAsync"/>), so that later batches decided
    /// meanwhile are not in it.
    /// </summary>
    public static void Snapshot(FeatureState state, IReadOnlyDictionary<long, StatePosition> positions, IDictionary<long, byte[]> into)
    {
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
                into[userId] = buffer.WrittenSpan.ToArray();
            }
        }
    }

    /// <summary>
    /// Writes the checkpoints: each scripted command sets up to <see cref="KeysPerCommand"/> keys with their expiry (a
    /// SET per user cost the detector more CPU than deciding), one command after the other, so that Redis, which runs
    /// one command at a time, serves the alerts' writes in between rather than after a second's worth of users.
    /// </summary>
    public async Task SaveAsync(IReadOnlyDictionary<long, byte[]> checkpoints)
    {
        var database = redis.GetDatabase();
        foreach (var chunk in checkpoints.Chunk(KeysPerCommand))
        {
            var keys = new RedisKey[chunk.Length];
            var values = new RedisValue[chunk.Length + 1];
            values[0] = (long)Ttl.TotalSeconds;
            for (int i = 0; i < chunk.Length; i++)
            {
                keys[i] = KeyFor(chunk[i].Key);
                values[i + 1] = chunk[i].Value;
            }

            await database.ScriptEvaluateAsync(SetAllScript, keys, values);
        }
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
