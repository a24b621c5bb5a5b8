using Fraud.Core.Decision;
using Fraud.Core.Detection.Forest;
using Fraud.Core.Evaluation;
using Fraud.Core.Features;
using Fraud.UnitTests.Simulation;
using Xunit.Abstractions;

namespace Fraud.UnitTests.Core.Supervised;

/// <summary>
/// The unsupervised detector (forest + shipped rules, no labels) on a small world of the Fraud Detection Handbook's
/// design (<see cref="HandbookSamples"/>), with the Handbook's weeks: the forest is fitted on one week and judged on
/// the week after a 7-day gap. Its frauds that a card's own history can show are one-sided: amounts above 220 and
/// compromised cards paying five times their usual amount, while small amounts are ordinary. A forest that isolates
/// both tails of the amount features finds a small amount as odd as a large one; the one-sided features
/// (<see cref="FeatureSchema.AmountExcessLog"/> and the two beside it) tilt it towards the large ones, and the amount's
/// tail evidence (<see cref="DecisionOptions.AmountTailShare"/>) ranks the largest above the forest's most isolated points.
/// </summary>
public sealed class HandbookUnsupervisedTests(ITestOutputHelper output)
{
    /// <summary>How much the default features must raise the unsupervised detector's average precision over the same forest without the one-sided ones.</summary>
    private const double MarginOverTwoSided = 0.08;

    /// <summary>How much the amount's tail evidence must raise the unsupervised detector's average precision (0.21 → 0.30 here).</summary>
    private const double MarginOverNoTail = 0.05;

    private static readonly string[] OneSided = ["amount_excess_zscore", "amount_excess_30d_log"];

    [Fact]
    public void The_one_sided_amount_features_raise_the_unsupervised_detectors_precision_on_the_week_after_the_gap()
    {
        var start = HandbookSamples.SmallWorld.Start;
        DateTimeOffset trainFrom = start.AddDays(38), trainUntil = start.AddDays(45), testFrom = trainUntil.AddDays(7);

        var (withOneSided, amounts, frauds) = Judge(FeatureSchema.ForestDefaults, trainFrom, trainUntil, testFrom);
        var (twoSidedOnly, _, _) = Judge(FeatureSchema.ForestDefaults.Except(OneSided).ToArray(), trainFrom, trainUntil, testFrom);

        double apDefault = RankingMetrics.AveragePrecision(withOneSided, frauds);
        double apTwoSided = RankingMetrics.AveragePrecision(twoSidedOnly, frauds);
        double apAmount = RankingMetrics.AveragePrecision(amounts, frauds);
        output.WriteLine(
            $"test week: {frauds.Length:N0} transactions, {frauds.Count(fraud => fraud)} frauds; AP unsupervised {apDefault:0.0000}, "
            + $"without the one-sided features {apTwoSided:0.0000}, sort by amount {apAmount:0.0000}");
        Assert.True(
            apDefault >= apTwoSided + MarginOverTwoSided,
            $"AP with the one-sided amount features {apDefault:0.0000} should exceed the two-sided forest's ({apTwoSided:0.0000}) by {MarginOverTwoSided}");
    }

    [Fact]
    public void The_amounts_tail_ranks_the_unsupervised_detector_above_sorting_by_amount()
    {
        var start = HandbookSamples.SmallWorld.Start;
        DateTimeOffset trainFrom = start.AddDays(38), trainUntil = start.AddDays(45), testFrom = trainUntil.AddDays(7);

        var (withTail, amounts, frauds) = Judge(FeatureSchema.ForestDefaults, trainFrom, trainUntil, testFrom);
        var (withoutTail, _, _) = Judge(FeatureSchema.ForestDefaults, trainFrom, trainUntil, testFrom, new DecisionOptions { AmountTailShare = 0 });

        double apTail = RankingMetrics.AveragePrecision(withTail, frauds);
        double apNoTail = RankingMetrics.AveragePrecision(withoutTail, frauds);
        double apAmount = RankingMetrics.AveragePrecision(amounts, frauds);
        output.WriteLine($"AP with the amount's tail {apTail:0.0000}, without {apNoTail:0.0000}, sort by amount {apAmount:0.0000}");
        Assert.True(apTail >= apNoTail + MarginOverNoTail, $"AP with the amount's tail {apTail:0.0000} should exceed the detector without it ({apNoTail:0.0000}) by {MarginOverNoTail}");
        Assert.True(apTail > apAmount, $"AP with the amount's tail {apTail:0.0000} should exceed sorting by amount ({apAmount:0.0000})");
    }

    private static (double[] Risks, double[] Amounts, bool[] Frauds) Judge(
        IReadOnlyList<string> features, DateTimeOffset trainFrom, DateTimeOffset trainUntil, DateTimeOffset testFrom, DecisionOptions? options = null)
    {
        var rows = HandbookSamples.Rows;
        var training = new ForestTrainingSet(features);
        foreach (var transaction in rows.Select(row => row.Simulated.Transaction).TakeWhile(transaction => transaction.Ts < trainUntil))
        {
            if (transaction.Ts >= trainFrom)
            {
                training.Add(transaction);
            }
            else
            {
                training.Fold(transaction);
            }
        }

        var engine = new DecisionEngine(training.Fit(new IsolationForestOptions(), "if-handbook"), ShippedRules.Default, options);
        var (risks, amounts, frauds) = (new List<double>(), new List<double>(), new List<bool>());
        foreach (var row in rows)
        {
            double risk = engine.Decide(row.Simulated.Transaction).Risk;
            if (row.Simulated.Transaction.Ts >= testFrom)
            {
                risks.Add(Math.Round(risk, 6)); // as `score` writes it
                amounts.Add((double)row.Amount);
                frauds.Add(row.Simulated.Label.IsFraud);
            }
        }

        return (risks.ToArray(), amounts.ToArray(), frauds.ToArray());
    }
}
