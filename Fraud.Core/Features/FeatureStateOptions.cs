namespace Fraud.Core.Features;

/// <summary>Bounds and time constants of <see cref="FeatureState"/>.</summary>
public sealed record FeatureStateOptions
{
    /// <summary>
    /// How many users are tracked at most (default one million, about 1.1 GB when full: some 1,075 bytes per user). Past it, the user idle the
    /// longest is forgotten to make room; a forgotten user who comes back starts with an empty history.
    /// </summary>
    public int MaxUsers { get; init; } = 1_000_000;

    /// <summary>A user with no transaction for this long (event time) is forgotten; default 30 days.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromDays(30);

    /// <summary>Half-life of the weight of a past amount in the user's decayed mean and standard deviation; default 14 days.</summary>
    public TimeSpan AmountHalfLife { get; init; } = TimeSpan.FromDays(14);

    /// <summary>Throws when a value is out of range, naming it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is not positive.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxUsers, nameof(MaxUsers));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(IdleTimeout, TimeSpan.Zero, nameof(IdleTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(AmountHalfLife, TimeSpan.Zero, nameof(AmountHalfLife));
    }
}
