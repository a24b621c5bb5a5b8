namespace Fraud.Training;

/// <summary>
/// Which labels a model trained at <see cref="TrainedAt"/> may learn from when labels arrive <see cref="Delay"/> after
/// their transaction (chargebacks, customer complaints, investigations): only those of transactions at or before
/// <c>TrainedAt − Delay</c>. The Fraud Detection Handbook's protocol (Le Borgne et al., chapter 5): train on a week,
/// skip the delay period whose labels are not known yet, and test on the week after it, so a backtest never scores
/// with labels the live system would not have had.
/// </summary>
/// <param name="TrainedAt">When the model is trained; it scores transactions from then on.</param>
/// <param name="Delay">How long after a transaction its label is known; not negative.</param>
public sealed record LabelDelay(DateTimeOffset TrainedAt, TimeSpan Delay)
{
    /// <summary>The newest transaction time whose label is known at <see cref="TrainedAt"/>.</summary>
    public DateTimeOffset LastLabelled => Delay >= TimeSpan.Zero
        ? TrainedAt - Delay
        : throw new ArgumentOutOfRangeException(nameof(Delay), Delay, "The label delay cannot be negative.");

    /// <summary>Whether the label of a transaction at <paramref name="ts"/> is known at <see cref="TrainedAt"/>.</summary>
    /// <param name="ts">The transaction's time.</param>
    /// <returns>True when a model trained at <see cref="TrainedAt"/> may learn from it.</returns>
    public bool Knows(DateTimeOffset ts) => ts <= LastLabelled;
}
