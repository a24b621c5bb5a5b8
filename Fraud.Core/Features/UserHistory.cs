namespace Fraud.Core.Features;

/// <summary>
/// A handle on one user's history inside a <see cref="FeatureState"/>, returned by <see cref="FeatureState.Track"/>
/// for the transaction being decided. Valid until the next call to <see cref="FeatureState.Track"/> (or to any other
/// method that changes the state's users): that call may forget this user to make room for another.
/// </summary>
public readonly struct UserHistory
{
    private readonly UserState _user;
    private readonly double _decayPerTick;

    internal UserHistory(UserState user, double decayPerTick)
    {
        _user = user;
        _decayPerTick = decayPerTick;
    }

    /// <summary>How many earlier transactions of the user have been folded in since it was last (re)tracked.</summary>
    public int Count => _user.Activity.HistoryCount;

    /// <summary>
    /// The user's decayed mean amount (half-life <see cref="FeatureStateOptions.AmountHalfLife"/>), the μ that
    /// <c>amount_log_ratio</c> and <c>amount_zscore</c> compare with; 0 without history.
    /// </summary>
    public double AmountMean => _user.Activity.AmountMean;

    /// <summary>
    /// How many of the user's earlier transactions happened less than <paramref name="window"/> before
    /// <paramref name="transaction"/> with an amount of at most <paramref name="maxAmount"/>. Only the last
    /// <see cref="RecentCapacity"/> transactions are remembered, so the count saturates there.
    /// </summary>
    /// <param name="transaction">The transaction being decided (not folded in yet).</param>
    /// <param name="window">How far back to look.</param>
    /// <param name="maxAmount">Largest amount counted; <see cref="double.PositiveInfinity"/> counts all.</param>
    /// <returns>The count, at most <see cref="RecentCapacity"/>.</returns>
    public int CountWithin(Transaction transaction, TimeSpan window, double maxAmount = double.PositiveInfinity) =>
        _user.Activity.CountWithin(_user.Activity.EffectiveTicks(transaction), window.Ticks, maxAmount);

    /// <summary>How many earlier transactions a user's sliding windows and <see cref="CountWithin"/> can see.</summary>
    public static int RecentCapacity => UserActivity.RecentCapacity;

    /// <summary>
    /// Writes the <see cref="FeatureSchema"/> features of <paramref name="transaction"/> computed from the history
    /// before it. Allocates nothing.
    /// </summary>
    /// <param name="transaction">The transaction being decided.</param>
    /// <param name="features">Where to write; at least <see cref="FeatureSchema.Count"/> long.</param>
    /// <exception cref="ArgumentException"><paramref name="features"/> is too short.</exception>
    public void WriteFeatures(Transaction transaction, Span<float> features)
    {
        if (features.Length < FeatureSchema.Count)
        {
            throw new ArgumentException($"Needs room for {FeatureSchema.Count} features.", nameof(features));
        }

        _user.Activity.WriteFeatures(transaction, features);
        AmountExcess.Write(features);
    }

    /// <summary>Folds <paramref name="transaction"/> into the history, once its features and rules are done. Allocates nothing.</summary>
    /// <param name="transaction">The transaction just decided.</param>
    public void Append(Transaction transaction) => _user.Activity.Append(transaction, _decayPerTick);
}
