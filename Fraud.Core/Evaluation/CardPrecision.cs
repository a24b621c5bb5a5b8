namespace Fraud.Core.Evaluation;

/// <summary>
/// Card precision top-k, the Fraud Detection Handbook's operational metric: each day, investigators can check k
/// cards, so rank the day's cards (users) by their riskiest transaction that day and count the share of the top k
/// that had at least one fraudulent transaction that day; average over days. Like the handbook, a day with fewer
/// than k cards still divides by k, and a compromised card once detected (in a day's top k with a fraud) is blocked:
/// it is left out of the later days, so a detector is not credited again and again for the same card
/// (<c>card_precision_top_k</c> with <c>remove_detected_compromised_cards=True</c>, Le Borgne et al., chapter 4.3).
/// Cards tied at the cut-off count in proportion, the expected share under a random order of the ties, so that a
/// detector which ties many cards is neither favoured nor punished by how they sort; only cards wholly inside the top
/// k count as detected.
/// </summary>
public static class CardPrecision
{
    /// <summary>The number of cards a day the handbook uses.</summary>
    public const int DefaultCardsPerDay = 100;

    /// <summary>Card precision top-k per day, averaged over the days present.</summary>
    /// <param name="transactions">Scored, labelled transactions with their user and day.</param>
    /// <param name="cardsPerDay">k, the cards checked a day.</param>
    /// <returns>The mean over days in [0, 1]; NaN when there are no transactions.</returns>
    public static double TopKPerDay(IEnumerable<CardDay> transactions, int cardsPerDay = DefaultCardsPerDay)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cardsPerDay);
        var detected = new HashSet<long>();
        var days = transactions
            .GroupBy(transaction => transaction.Day)
            .OrderBy(day => day.Key)
            .Select(day => PrecisionOfDay(day.Where(transaction => !detected.Contains(transaction.UserId)), cardsPerDay, detected))
            .ToList();
        return days.Count == 0 ? double.NaN : days.Average();
    }

    private static double PrecisionOfDay(IEnumerable<CardDay> transactions, int cardsPerDay, HashSet<long> detectedBefore)
    {
        var cards = transactions
            .GroupBy(transaction => transaction.UserId)
            .Select(card => (Card: card.Key, Risk: card.Max(transaction => transaction.Risk), Fraud: card.Any(transaction => transaction.IsFraud)))
            .OrderByDescending(card => card.Risk)
            .ToList();

        double detected = 0;
        int taken = 0;
        for (int start = 0; start < cards.Count && taken < cardsPerDay;)
        {
            int end = start;
            int frauds = 0;
            while (end < cards.Count && cards[end].Risk == cards[start].Risk)
            {
                frauds += cards[end].Fraud ? 1 : 0;
                end++;
            }

            int tied = end - start;
            int slots = Math.Min(tied, cardsPerDay - taken);
            detected += frauds * (slots / (double)tied);
            if (slots == tied)
            {
                detectedBefore.UnionWith(cards[start..end].Where(card => card.Fraud).Select(card => card.Card));
            }

            taken += slots;
            start = end;
        }

        return detected / cardsPerDay;
    }
}

/// <summary>One scored, labelled transaction as card precision sees it.</summary>
/// <param name="UserId">Its card (user).</param>
/// <param name="Day">Its UTC day.</param>
/// <param name="Risk">Its risk, higher is riskier.</param>
/// <param name="IsFraud">Whether it is fraudulent.</param>
public readonly record struct CardDay(long UserId, DateOnly Day, double Risk, bool IsFraud);
