namespace Fraud.Core.Features;

/// <summary>
/// Per-user online feature state, fed transactions in event-time order (the order of a Kafka partition keyed by
/// user, or of a JSONL file). For each transaction it yields the <see cref="FeatureSchema"/> features computed from
/// the user's history <em>before</em> it, then folds it in. Memory is bounded: at most
/// <see cref="FeatureStateOptions.MaxUsers"/> users, users idle past <see cref="FeatureStateOptions.IdleTimeout"/>
/// are forgotten, and each user takes a fixed amount of memory (see <c>docs/features.md</c>). Not thread-safe: one
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

    /// <summary>Users forgotten so far, for idleness or to make room.</summary>
    public long ForgottenUsers { get; private set; }

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
            Forget(user);
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
            Forget(user);
        }
    }

    private void Forget(UserState user)
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
