namespace Fraud.Core.Evaluation;

/// <summary>
/// The Fraud Detection Handbook's test set (Le Borgne et al., chapter 3.4, <c>get_train_test_set</c>): a card with a
/// fraud already known on a transaction's day is left out of the evaluation, since a bank blocks such a card rather
/// than scores it. A fraud is known on day d when it happened on a day from <paramref name="since"/> (the training
/// period's start) up to d − label delay − 1, the same whole days as the merchant windows.
/// </summary>
/// <param name="since">The first day whose frauds count as known (the training period's first day).</param>
/// <param name="labelDelay">How long after a transaction its label is known, whole days.</param>
public sealed class KnownFraudCards(DateOnly since, TimeSpan labelDelay)
{
    private readonly int _delayDays = (int)labelDelay.TotalDays;
    private readonly Dictionary<long, DateOnly> _firstFraud = [];

    /// <summary>Notes a labelled transaction; only frauds on or after the first day count.</summary>
    /// <param name="card">Its card and day.</param>
    /// <param name="isFraud">Its label.</param>
    public void Add(CardAndDay card, bool isFraud)
    {
        if (isFraud && card.Day >= since && (!_firstFraud.TryGetValue(card.UserId, out var first) || card.Day < first))
        {
            _firstFraud[card.UserId] = card.Day;
        }
    }

    /// <summary>Whether the card had a fraud known by the day given.</summary>
    /// <param name="card">The card and the day it is scored on.</param>
    /// <returns>True when one of its frauds happened at least the label delay and a day before.</returns>
    public bool IsKnown(CardAndDay card) =>
        _firstFraud.TryGetValue(card.UserId, out var first) && first.DayNumber <= card.Day.DayNumber - _delayDays - 1;

    /// <summary>The transactions whose card was not known to be compromised on their day, in order.</summary>
    /// <param name="evaluated">Labelled verdicts with their card and day.</param>
    /// <returns>Those left in the test set.</returns>
    /// <exception cref="ArgumentException">A verdict has no card.</exception>
    public List<EvaluatedTransaction> LeaveOutKnown(IEnumerable<EvaluatedTransaction> evaluated) =>
        [.. evaluated.Where(transaction => !IsKnown(transaction.Card ?? throw new ArgumentException("Every verdict needs its card and day.", nameof(evaluated))))];
}
