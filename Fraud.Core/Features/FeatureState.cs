using System.Buffers;

namespace Fraud.Core.Features;

/// <summary>
/// Per-user online feature state, fed transactions in event-time order (the order of a Kafka partition keyed by
/// user, or of a JSONL file). For each transaction it yields the <see cref="FeatureSchema"/> features computed from
/// the user's history <em>before</em> it, then folds it in. Memory is bounded: at most
/// <see cref="FeatureStateOptions.MaxUsers"/> users, users idle past <see cref="FeatureStateOptions.IdleTimeout"/>
/// are forgotten, and each user takes a fixed amount of memory (see <c>docs/features.md</c>). A user's history can be
/// exported as a snapshot and imported into another state (<see cref="TryExport"/>, <see cref="TryImport"/>), so a
/// detector that restarts or takes over a partition continues with the same features. Not thread-safe: one
/// instance per consume loop.
/// </summary>
public sealed class FeatureState
{
    private readonly Dictionary<long, UserState> _users = [];
    private readonly int _maxUsers;
    private readonly long _idleTicks;
    private readonly double _decayPerTick;
    private UserState? _mostRecent;
    private UserState? _leastRecent;
    private long _latestTicks = long.MinValue;

    /// <summary>Creates an empty state.</summary>
    /// <param name="options">Bounds and time constants; the defaults when null.</param>
    public FeatureState(FeatureStateOptions? options = null)
    {
        options ??= new FeatureStateOptions();
        options.Validate();
        _maxUsers = options.MaxUsers;
        _idleTicks = options.IdleTimeout.Ticks;
        _decayPerTick = Math.Log(2) / options.AmountHalfLife.Ticks;
    }

    /// <summary>Users currently tracked.</summary>
    public int TrackedUsers => _users.Count;

    /// <summary>
    /// Users the state forgot on its own so far, for idleness or to make room; users let go by <see cref="Forget"/>
    /// or <see cref="Clear"/> are not counted.
    /// </summary>
    public long ForgottenUsers { get; private set; }

    /// <summary>The longest snapshot <see cref="TryExport"/> writes, in bytes.</summary>
    public const int MaxSnapshotLength = UserActivity.MaxSnapshotLength;

    /// <summary>Whether <paramref name="userId"/> has a history here.</summary>
    /// <param name="userId">The user.</param>
    /// <returns>True when the user is tracked.</returns>
    public bool Contains(long userId) => _users.ContainsKey(userId);

    /// <summary>The event time of the latest transaction folded into <paramref name="userId"/>'s history.</summary>
    /// <param name="userId">The user.</param>
    /// <returns>That time, or null when the user is not tracked.</returns>
    public DateTimeOffset? LatestActivity(long userId) =>
        _users.TryGetValue(userId, out var user) ? new DateTimeOffset(user.Activity.LastTicks, TimeSpan.Zero) : null;

    /// <summary>
    /// Writes a snapshot of <paramref name="userId"/>'s history (everything its features are computed from) for
    /// <see cref="TryImport"/>: versioned, little-endian, at most <see cref="MaxSnapshotLength"/> bytes. Allocates
    /// nothing beyond what <paramref name="destination"/> does.
    /// </summary>
    /// <param name="userId">The user.</param>
    /// <param name="destination">Where to write the snapshot.</param>
    /// <returns>False, writing nothing, when the user is not tracked.</returns>
    public bool TryExport(long userId, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (!_users.TryGetValue(userId, out var user))
        {
            return false;
        }

        int length = user.Activity.SnapshotLength;
        user.Activity.WriteSnapshot(userId, destination.GetSpan(length)[..length]);
        destination.Advance(length);
        return true;
    }

    /// <summary>
    /// Restores <paramref name="userId"/>'s history from a snapshot written by <see cref="TryExport"/>, replacing
    /// any history of that user here, as the most recently active user. Like <see cref="Track"/>, it first moves the
    /// newest event time on to the snapshot's last activity and forgets idle users, and a full state forgets its
    /// least recently active user to make room. The snapshot records the user's history, not the state's options:
    /// the importing state's <see cref="FeatureStateOptions.AmountHalfLife"/> applies from then on.
    /// </summary>
    /// <param name="userId">The user the snapshot was exported for.</param>
    /// <param name="snapshot">The snapshot bytes.</param>
    /// <returns>
    /// False, leaving the state as it was, when the snapshot is unreadable (wrong length or checksum, another format
    /// version, written by a build whose history has other fields, another user's, inconsistent values) or when its
    /// last activity is older than <see cref="FeatureStateOptions.IdleTimeout"/> before the newest event time seen:
    /// this state would have forgotten that user, so it starts afresh.
    /// </returns>
    public bool TryImport(long userId, ReadOnlySpan<byte> snapshot)
    {
        if (!UserActivity.TryReadSnapshot(userId, snapshot, out var activity)
            || (_latestTicks != long.MinValue && _latestTicks - activity.LastTicks > _idleTicks))
        {
            return false;
        }

        _latestTicks = Math.Max(_latestTicks, activity.LastTicks);
        ForgetIdleUsers();
        if (_users.TryGetValue(userId, out var user))
        {
            Unlink(user);
        }
        else
        {
            user = StartUser(userId, activity.LastTicks);
        }

        user.Activity = activity;
        LinkAsMostRecent(user);
        return true;
    }

    /// <summary>Lets go of <paramref name="userId"/>'s history, e.g. once it has been exported for another owner.</summary>
    /// <param name="userId">The user.</param>
    /// <returns>False when the user was not tracked.</returns>
    public bool Forget(long userId)
    {
        if (!_users.TryGetValue(userId, out var user))
        {
            return false;
        }

        Unlink(user);
        _users.Remove(userId);
        return true;
    }

    /// <summary>
    /// Lets go of every user and of the newest event time seen, as when the partitions feeding this state are
    /// revoked: the state is as new, but for <see cref="ForgottenUsers"/>, which keeps its count.
    /// </summary>
    public void Clear()
    {
        _users.Clear();
        _mostRecent = null;
        _leastRecent = null;
        _latestTicks = long.MinValue;
    }

    /// <summary>
    /// Finds or starts the history of <paramref name="transaction"/>'s user, forgetting idle users first and, when
    /// the state is full, the least recently active one. Allocates only for a user not tracked yet while the state
    /// is below its cap. The handle is valid until the next call.
    /// </summary>
    /// <param name="transaction">The transaction about to be decided.</param>
    /// <returns>A handle to write its features and then fold it in.</returns>
    public UserHistory Track(Transaction transaction)
    {
        long ticks = transaction.Ts.UtcTicks;
        _latestTicks = Math.Max(_latestTicks, ticks);
        ForgetIdleUsers();

        if (_users.TryGetValue(transaction.UserId, out var user))
        {
            Unlink(user);
        }
        else
        {
            user = StartUser(transaction.UserId, ticks);
        }

        LinkAsMostRecent(user);
        return new UserHistory(user, _decayPerTick);
    }

    /// <summary>
    /// The offline path in one call: writes the features of <paramref name="transaction"/> from its user's history,
    /// then folds it in.
    /// </summary>
    /// <param name="transaction">The next transaction in event-time order.</param>
    /// <param name="features">Where to write; at least <see cref="FeatureSchema.Count"/> long.</param>
    public void Update(Transaction transaction, Span<float> features)
    {
        var history = Track(transaction);
        history.WriteFeatures(transaction, features);
        history.Append(transaction);
    }

    private UserState StartUser(long userId, long ticks)
    {
        UserState user;
        if (_users.Count >= _maxUsers)
        {
            // Full: the least recently active user makes room, and its memory is reused as is.
            user = _leastRecent!;
            Evict(user);
            user.Reuse(userId, ticks);
        }
        else
        {
            user = new UserState(userId, ticks);
        }

        _users.Add(userId, user);
        return user;
    }

    /// <summary>The list runs from the most to the least recently active, so idle users gather at its tail.</summary>
    private void ForgetIdleUsers()
    {
        while (_leastRecent is { } user && _latestTicks - user.Activity.LastTicks > _idleTicks)
        {
            Evict(user);
        }
    }

    private void Evict(UserState user)
    {
        Unlink(user);
        _users.Remove(user.UserId);
        ForgottenUsers++;
    }

    private void Unlink(UserState user)
    {
        if (user.MoreRecent is { } moreRecent)
        {
            moreRecent.LessRecent = user.LessRecent;
        }
        else
        {
            _mostRecent = user.LessRecent;
        }

        if (user.LessRecent is { } lessRecent)
        {
            lessRecent.MoreRecent = user.MoreRecent;
        }
        else
        {
            _leastRecent = user.MoreRecent;
        }

        user.MoreRecent = null;
        user.LessRecent = null;
    }

    private void LinkAsMostRecent(UserState user)
    {
        user.LessRecent = _mostRecent;
        if (_mostRecent is { } previous)
        {
            previous.MoreRecent = user;
        }

        _mostRecent = user;
        _leastRecent ??= user;
    }
}
