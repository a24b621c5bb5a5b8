using Fraud.Core;
using Fraud.Core.Decision;
using Fraud.Core.Detection.Forest;
using Fraud.Core.Evaluation;
using Fraud.Core.Features;
using Fraud.UnitTests.Simulation;
using Fraud.Training;
using Xunit.Abstractions;

namespace Fraud.UnitTests.Core.Supervised;

/// <summary>
/// The Fraud Detection Handbook's protocol on a small world of its own design (<see cref="HandbookSamples"/>): the
/// forest and the classifier learn from one week, the classifier only from labels known a week later, and the
/// detector is judged on the week after that delay. More than half of the world's frauds happen at compromised
/// terminals, with ordinary amounts: only the merchant's risk, learnt from the delayed labels, finds them.
/// </summary>
public sealed class HandbookProtocolTests(ITestOutputHelper output)
{
    /// <summary>How far the supervised detector's average precision must stay above "sort by amount".</summary>
    private const double MarginOverAmount = 0.25;

    private static readonly TimeSpan Delay = TimeSpan.FromDays(7);

    [Fact]
    public void The_supervised_detector_with_merchant_risk_beats_sorting_by_amount_on_the_week_after_the_delay()
    {
        var rows = HandbookSamples.Rows;
        var start = HandbookSamples.SmallWorld.Start;
        DateTimeOffset trainFrom = start.AddDays(38), trainUntil = start.AddDays(45), testFrom = trainUntil + Delay;
        var labelDelay = new LabelDelay(TrainedAt: testFrom, Delay);

        var forestSet = new ForestTrainingSet();
        var labelled = new LabelledTrainingSet(merchantOptions: new MerchantRiskOptions { LabelDelay = Delay });
        foreach (var row in rows.TakeWhile(row => row.Simulated.Transaction.Ts < testFrom))
        {
            var (transaction, label) = (row.Simulated.Transaction, row.Simulated.Label);
            bool inTraining = transaction.Ts >= trainFrom && transaction.Ts < trainUntil;
            if (inTraining)
            {
                forestSet.Add(transaction);
            }
            else
            {
                forestSet.Fold(transaction);
            }

            labelled.Add(transaction, inTraining && labelDelay.Knows(transaction.Ts) ? label.IsFraud : null);
            if (label.IsFraud)
            {
                labelled.Merchants.RecordFraud(transaction.MerchantId, transaction.Ts);
            }
        }

        var forest = forestSet.Fit(new IsolationForestOptions(), "if-handbook");
        var classifier = labelled.Fit(new GradientBoostingOptions(), "gb-handbook");
        var engine = new DecisionEngine(forest, ShippedRules.Default, classifier: classifier);
        var (risks, amounts, frauds) = (new List<double>(), new List<double>(), new List<bool>());
        foreach (var row in rows)
        {
            var (transaction, label) = (row.Simulated.Transaction, row.Simulated.Label);
            double risk = engine.Decide(transaction).Risk;
            engine.Merchants.RecordTransaction(transaction);
            if (label.IsFraud)
            {
                engine.Merchants.RecordFraud(transaction.MerchantId, transaction.Ts);
            }

            if (transaction.Ts >= testFrom)
            {
                risks.Add(risk);
                amounts.Add((double)transaction.Amount);
                frauds.Add(label.IsFraud);
            }
        }

        double supervised = RankingMetrics.AveragePrecision(risks.ToArray(), frauds.ToArray());
        double byAmount = RankingMetrics.AveragePrecision(amounts.ToArray(), frauds.ToArray());
        output.WriteLine($"test week: {frauds.Count:N0} transactions, {frauds.Count(fraud => fraud)} frauds; AP supervised {supervised:0.0000}, by amount {byAmount:0.0000}");
        Assert.True(labelled.FraudCount >= 50, $"only {labelled.FraudCount} frauds to learn from");
        Assert.True(
            supervised >= byAmount + MarginOverAmount,
            $"AP of the supervised detector {supervised:0.0000} should exceed sorting by amount ({byAmount:0.0000}) by {MarginOverAmount}");
    }
}
