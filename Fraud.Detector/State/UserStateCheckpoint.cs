using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using Fraud.Core.Features;
using StackExchange.Redis;

namespace Fraud.Detector.State;

/// <summary>
/// Per-user feature state checkpointed in Redis under <c>fraud:state:{user_id}</c>, so that a restart or a
/// rebalance does not reset a user's history: when a commit captures its batches, the users they decided are
/// snapshotted (each once per commit), and written once those batches are durable, before their offsets are committed
/// (scripted commands of 500 users, each key expiring after the feature state's idle timeout); a user that shows up and
/// is not in memory is read back (one MGET per batch). Each value is the Kafka position of the user's last transaction folded
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
    /// The checkpoint of each user in <paramref name="positions"/> still tracked, taken from <paramref name="state"/> now:
    /// when a commit captures its batches, so that later batches decided before it is written are not in it.
    /// </summary>
    public static void Capture(FeatureState state, IReadOnlyDictionary<long, StatePosition> positions, CapturedCheckpoints into)
    {
        foreach (var (userId, position) in positions)
        {
            if (!state.Contains(userId))
            {
                continue;
            }

            int start = into.Bytes.WrittenCount;
            var header = into.Bytes.GetSpan(PositionBytes);
            BinaryPrimitives.WriteInt32LittleEndian(header, position.Partition);
            BinaryPrimitives.WriteInt64LittleEndian(header[sizeof(int)..], position.Offset);
            into.Bytes.Advance(PositionBytes);
            state.TryExport(userId, into.Bytes);
            into.Added(userId, start);
        }
    }

    /// <summary>
    /// Writes the checkpoints: each scripted command sets up to <see cref="KeysPerCommand"/> keys with their expiry (a
    /// SET per user cost the detector more CPU than deciding), one command after the other, so that Redis, which runs
    /// one command at a time, serves the alerts' writes in between rather than after a second's worth of users. The
    /// values are slices of the captured buffer, not copies: it must not change until this completes.
    /// </summary>
    public async Task SaveAsync(CapturedCheckpoints checkpoints)
    {
        var database = redis.GetDatabase();
        for (int from = 0; from < checkpoints.Count; from += KeysPerCommand)
        {
            int count = Math.Min(KeysPerCommand, checkpoints.Count - from);
            var keys = new RedisKey[count];
            var values = new RedisValue[count + 1];
            values[0] = (long)Ttl.TotalSeconds;
            for (int i = 0; i < count; i++)
            {
                var (userId, value) = checkpoints[from + i];
                keys[i] = KeyFor(userId);
                values[i + 1] = value;
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

/// <summary>
/// The checkpoints one commit captured, one after another in one buffer that the next commit fills again once they are
/// written: held for the commit's wait and write, allocated one by one they reached the GC's older generations and
/// lengthened its pauses.
/// </summary>
internal sealed class CapturedCheckpoints
{
    private readonly List<(long UserId, int Start, int Length)> _users = [];

    /// <summary>The checkpoints' bytes, appended to by <see cref="UserStateCheckpoint.Capture"/>.</summary>
    public ArrayBufferWriter<byte> Bytes { get; } = new(64 * 1024);

    public int Count => _users.Count;

    /// <summary>A user's checkpoint and its value (a slice of <see cref="Bytes"/>).</summary>
    public (long UserId, ReadOnlyMemory<byte> Value) this[int index]
    {
        get
        {
            var (userId, start, length) = _users[index];
            return (userId, Bytes.WrittenMemory.Slice(start, length));
        }
    }

    /// <summary>The checkpoint of <paramref name="userId"/> was written from <paramref name="start"/> to the end of <see cref="Bytes"/>.</summary>
    public void Added(long userId, int start) => _users.Add((userId, start, Bytes.WrittenCount - start));

    public void Clear()
    {
        _users.Clear();
        Bytes.ResetWrittenCount();
    }
}

/// <summary>Where a user's last decided transaction sits in the transactions topic.</summary>
internal readonly record struct StatePosition(int Partition, long Offset);
