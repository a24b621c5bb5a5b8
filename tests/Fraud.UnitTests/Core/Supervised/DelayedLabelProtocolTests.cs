using Fraud.Core;
using Fraud.Core.Decision;
using Fraud.Core.Detection.Forest;
using Fraud.Core.Evaluation;
using Fraud.Core.Rules;
using Fraud.Simulation;
using Fraud.Training;

namespace Fraud.UnitTests.Core.Supervised;

/// <summary>
/// Issue 7's claim, checked on a simulated stream the way the Fraud Detection Handbook tests a fraud model: the
/// forest is fitted on week 1, the classifier learns week 1's labels, which are only known a week later, and both
/// detectors (forest + rules, and forest + rules + classifier) are compared on week 3, which neither has seen.
/// </summary>
public sealed class DelayedLabelProtocolTests
{
    private static readonly TimeSpan Week = TimeSpan.FromDays(7);

    [Fact]
    public void With_the_classifier_trained_on_delayed_labels_the_detector_ranks_the_next_weeks_fraud_better()
    {
        var start = SimulationOptions.DefaultStart;
        var stream = Simulate(new SimulationOptions { Seed = 31, Users = 2_000 }, until: start + (3 * Week));
        var rules = ShippedRules.Default;
        var delay = new LabelDelay(TrainedAt: start + (2 * Week), Delay: Week);

        var forestSet = new ForestTrainingSet();
        foreach (var (transaction, _) in stream.TakeWhile(item => item.Transaction.Ts < start + Week))
        {
            forestSet.Add(transaction);
        }

        var forest = forestSet.Fit(new IsolationForestOptions(), "if-week-1");
        var labelled = new LabelledTrainingSet();
        foreach (var (transaction, label) in stream.TakeWhile(item => item.Transaction.Ts < delay.TrainedAt))
        {
            labelled.Add(transaction, delay.Knows(transaction.Ts) ? label.IsFraud : null);
        }

        var classifier = labelled.Fit(new GradientBoostingOptions(), "gb-week-1");
        var without = new DecisionEngine(forest, rules);
        var with = new DecisionEngine(forest, rules, classifier: classifier);
        var (risksWithout, risksWith, frauds) = (new List<double>(), new List<double>(), new List<bool>());
        foreach (var (transaction, label) in stream)
        {
            double riskWithout = without.Decide(transaction).Risk, riskWith = with.Decide(transaction).Risk;
            if (transaction.Ts >= delay.TrainedAt)
            {
                risksWithout.Add(riskWithout);
                risksWith.Add(riskWith);
                frauds.Add(label.IsFraud);
            }
        }

        double apWithout = RankingMetrics.AveragePrecision(risksWithout.ToArray(), frauds.ToArray());
        double apWith = RankingMetrics.AveragePrecision(risksWith.ToArray(), frauds.ToArray());
        Assert.True(labelled.FraudCount >= 50, $"only {labelled.FraudCount} frauds to learn from");
        Assert.True(frauds.Count(fraud => fraud) >= 50, "too few frauds in the test week to compare");
        // Measured on this stream: 0.41 without, 0.65 with. Asking for under half that gain still fails a classifier that
        // answers 0 (the risk is then the detector's without it) or adds only a little.
        Assert.True(apWith - apWithout >= 0.10, $"AP with the classifier {apWith:0.0000}, without {apWithout:0.0000}: a gain under 0.10");
    }

    [Fact]
    public void A_label_is_known_only_after_its_delay()
    {
        var delay = new LabelDelay(new DateTimeOffset(2025, 9, 15, 0, 0, 0, TimeSpan.Zero), Week);

        Assert.Equal(new DateTimeOffset(2025, 9, 8, 0, 0, 0, TimeSpan.Zero), delay.LastLabelled);
        Assert.True(delay.Knows(delay.LastLabelled));
        Assert.False(delay.Knows(delay.LastLabelled.AddTicks(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LabelDelay(delay.TrainedAt, TimeSpan.FromDays(-1)).Knows(delay.TrainedAt));
    }

    [Fact]
    public void Transactions_without_a_known_label_build_history_but_are_not_rows()
    {
        var set = new LabelledTrainingSet();
        var stream = Simulate(new SimulationOptions { Seed = 3, Users = 50 }, until: SimulationOptions.DefaultStart + TimeSpan.FromDays(2));

        foreach (var (transaction, label) in stream.Select((item, index) => (item.Transaction, index % 2 == 0 ? (bool?)item.Label.IsFraud : null)))
        {
            set.Add(transaction, label);
        }

        Assert.Equal((stream.Count + 1) / 2, set.RowCount);
        Assert.Equal(stream.Select(item => item.Transaction.UserId).Distinct().Count(), set.Features.TrackedUsers);
        Assert.Throws<InvalidOperationException>(() => new LabelledTrainingSet().Fit(new GradientBoostingOptions(), "gb-empty"));
    }

    private static List<SimulatedTransaction> Simulate(SimulationOptions options, DateTimeOffset until)
    {
        var simulator = new TransactionSimulator(options);
        var stream = new List<SimulatedTransaction>();
        for (var next = simulator.Next(); next.Transaction.Ts < until; next = simulator.Next())
        {
            stream.Add(next);
        }

        return stream;
    }
}
