using Fraud.Core.Evaluation;

namespace Fraud.UnitTests.Core.Evaluation;

public sealed class KnownFraudCardsTests
{
    private static readonly DateOnly TrainingStart = new(2018, 7, 25);

    private static CardAndDay Card(long user, int dayFromStart) => new(user, TrainingStart.AddDays(dayFromStart));

    [Fact]
    public void A_fraud_is_known_once_the_label_delay_and_a_day_have_passed_as_in_the_handbooks_test_set()
    {
        var known = new KnownFraudCards(TrainingStart, TimeSpan.FromDays(7));
        known.Add(Card(1, 3), isFraud: true);   // a fraud in the training week
        known.Add(Card(1, 5), isFraud: true);   // a later one changes nothing
        known.Add(Card(2, 3), isFraud: false);  // a legitimate transaction makes nothing known

        Assert.False(known.IsKnown(Card(1, 3 + 7)));     // 7 days later, its label is not known yet
        Assert.True(known.IsKnown(Card(1, 3 + 7 + 1)));  // the day after, it is
        Assert.False(known.IsKnown(Card(2, 30)));
        Assert.False(known.IsKnown(Card(3, 30)));
    }

    [Fact]
    public void Frauds_before_the_first_day_are_not_counted_and_verdicts_of_known_cards_are_left_out()
    {
        var known = new KnownFraudCards(TrainingStart, TimeSpan.FromDays(7));
        known.Add(Card(1, -1), isFraud: true);  // before the training period: the Handbook does not count it
        known.Add(Card(2, 0), isFraud: true);
        EvaluatedTransaction[] verdicts =
        [
            new(0.9, true, true, Card: Card(1, 14)),
            new(0.8, true, true, Card: Card(2, 7)),
            new(0.7, true, true, Card: Card(2, 8)),
            new(0.1, false, false, Card: Card(3, 14)),
        ];

        var left = known.LeaveOutKnown(verdicts);

        Assert.Equal([verdicts[0], verdicts[1], verdicts[3]], left);
        Assert.Throws<ArgumentException>(() => known.LeaveOutKnown([new EvaluatedTransaction(0.5, false, false)]));
    }
}
