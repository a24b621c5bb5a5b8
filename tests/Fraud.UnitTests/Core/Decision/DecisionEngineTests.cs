using Fraud.Core;
using Fraud.Core.Decision;
using Fraud.Core.Detection.Forest;
using Fraud.Core.Detection.Supervised;
using Fraud.Core.Features;
using Fraud.Core.Rules;
using static Fraud.Testing.SampleTransactions;

namespace Fraud.UnitTests.Core.Decision;

public sealed class DecisionEngineTests
{
    private static readonly RuleSet Rules = new("rules-test",
    [
        new VelocityRule("velocity_10m", 0.35, minCount: 3, TimeSpan.FromMinutes(10)),
        new HighRiskMccRule("high_risk_mcc", 0.15, MerchantCategoryRisk.HighRiskCodes, minAmount: 0),
    ]);

    /// <summary>A small forest fitted on a month of one user's ordinary purchases, a few a day.</summary>
    private static readonly IsolationForest Model = FitModel();

    private static IsolationForest FitModel()
    {
        var random = new Random(7);
        var state = new FeatureState();
        var rows = new List<float>();
        var features = new float[FeatureSchema.Count];
        string[] names = [.. FeatureSchema.Names.Except(FeatureSchema.MerchantNames)];   // a forest may not read merchant risk
        int[] columns = FeatureSchema.IndicesOf(names);
        for (int i = 0; i < 400; i++)
        {
            var transaction = At(TimeSpan.FromHours(i * 1.7), Math.Round(10m + (decimal)(random.NextDouble() * 40), 2)) with { UserId = i % 20 };
            state.Update(transaction, features);
            rows.AddRange(columns.Select(column => features[column]));
        }

        return IsolationForest.Fit(rows.ToArray(), names, new IsolationForestOptions { Estimators = 50, Seed = 1 }, "if-test");
    }

    /// <summary>
    /// A one-split classifier: amount_log ≤ 5 (about 150 EUR) gives margin −2, above it +2; calibration slope −1 and
    /// offset 0 make the probability the logistic of the margin: 0.119 or 0.881.
    /// </summary>
    private static readonly GradientBoostedClassifier Classifier = new(
        "gb-test", ["new_country", "amount_log"], new BoostedTrees(0, [new BoostedTree(1, [1], [5f], [~0], [~1], [-2, 2])]),
        plattSlope: -1, plattOffset: 0, trainingRows: 100, trainingFrauds: 10);

    private static readonly double Likely = 1 / (1 + Math.Exp(-2));

    [Fact]
    public void The_classifiers_probability_joins_the_noisy_or_with_its_weight()
    {
        var engine = new DecisionEngine(model: null, Rules, new DecisionOptions { ClassifierWeight = 0.9 }, classifier: Classifier);

        var verdict = engine.Decide(Purchase with { Amount = 5000m, Mcc = 7995 });

        Assert.Equal(Likely, verdict.FraudProbability!.Value, 10);
        Assert.Equal(1 - (0.85 * (1 - (0.9 * Likely))), verdict.Risk, 10);
        Assert.Equal(["fraud_classifier", "high_risk_mcc"], verdict.RuleNames());
        Assert.Equal("fraud_probability=0.881; high_risk_mcc: merchant category 7995 is high risk", verdict.Reason());
    }

    [Fact]
    public void An_unlikely_fraud_adds_little_risk_and_is_not_listed()
    {
        var engine = new DecisionEngine(model: null, Rules, classifier: Classifier);

        var verdict = engine.Decide(Purchase);

        Assert.Equal(1 - Likely, verdict.FraudProbability!.Value, 10);
        Assert.Equal(1 - Likely, verdict.Risk, 10);
        Assert.Empty(verdict.RuleNames());
    }

    [Fact]
    public void Alerts_record_the_classifier_version_beside_the_others()
    {
        var engine = new DecisionEngine(Model, Rules, new DecisionOptions { AlertThreshold = 0.8 }, classifier: Classifier);

        var alert = engine.Evaluate(Purchase with { Amount = 50_000m }, Noon);

        Assert.NotNull(alert);
        Assert.Equal(("if-test", "rules-test", "gb-test"), (alert.ModelVersion, alert.RulesVersion, alert.ClassifierVersion));
        Assert.Equal("gb-test", engine.ClassifierVersion);
        Assert.Null(new DecisionEngine(Model, Rules).Evaluate(Purchase with { Amount = 50_000m, Mcc = 7995 }, Noon)?.ClassifierVersion);
    }

    [Fact]
    public void Once_a_classifier_decides_the_forests_anomaly_no_longer_raises_the_risk_by_default()
    {
        var anomalous = Purchase with { Amount = 5000m, Mcc = 7995 };
        var withoutClassifier = new DecisionEngine(Model, Rules).Decide(anomalous);
        var engine = new DecisionEngine(Model, Rules, classifier: Classifier);

        var verdict = engine.Decide(anomalous);

        Assert.True(withoutClassifier.Risk > 1 - 0.85 + 0.01, "the forest raises the risk above the rule's when no classifier decides");
        Assert.Equal(withoutClassifier.Score, verdict.Score);   // still scored, for the reason and the samples
        Assert.Equal(1 - ((1 - Likely) * 0.85), verdict.Risk, 10);
    }

    [Fact]
    public void Forest_weight_with_classifier_gives_the_forest_its_share_beside_the_classifier()
    {
        var anomalous = Purchase with { Amount = 5000m, Mcc = 7995 };
        var alone = new DecisionEngine(Model, rules: null).Decide(anomalous);   // without rules the risk is the forest's evidence
        var engine = new DecisionEngine(Model, Rules, new DecisionOptions { ForestWeightWithClassifier = 0.3 }, classifier: Classifier);

        var verdict = engine.Decide(anomalous);

        Assert.Equal(1 - ((1 - (0.3 * alone.Risk)) * (1 - Likely) * 0.85), verdict.Risk, 10);
    }

    [Fact]
    public void A_classifier_trained_on_features_this_build_lacks_is_refused()
    {
        var other = new GradientBoostedClassifier("gb-other", ["merchant_fraud_rate"], new BoostedTrees(0, []), -1, 0, 1, 1);

        var error = Assert.Throws<ArgumentException>(() => new DecisionEngine(Model, Rules, classifier: other));

        Assert.Contains("gb-other", error.Message);
    }

    [Fact]
    public void A_forest_reading_merchant_features_is_refused()
    {
        var forest = IsolationForest.Fit(new float[] { 1, 2, 3, 4 }, ["amount_log", "merchant_risk_7d"], new IsolationForestOptions(), "if-merchant");

        var error = Assert.Throws<ArgumentException>(() => new DecisionEngine(forest, Rules));

        Assert.Contains("if-merchant reads merchant features", error.Message);
    }

    [Fact]
    public void Merchant_risk_with_another_label_delay_than_the_classifiers_is_refused()
    {
        var classifier = new GradientBoostedClassifier(
            "gb-merchant", ["merchant_risk_7d"], new BoostedTrees(0, []), -1, 0, 1, 1, merchantLabelDelay: TimeSpan.FromDays(7));
        var merchants = new MerchantRisk(new MerchantRiskOptions { LabelDelay = TimeSpan.FromDays(3) });

        var error = Assert.Throws<ArgumentException>(() => new DecisionEngine(Model, Rules, classifier: classifier, merchants: merchants));
        var engine = new DecisionEngine(Model, Rules, classifier: classifier);

        Assert.Contains("7-day label delay", error.Message);
        Assert.Equal(TimeSpan.FromDays(7), engine.Merchants.Options.LabelDelay);
    }

    [Fact]
    public void The_decision_reads_the_merchants_risk_into_the_features()
    {
        var merchants = new MerchantRisk(new MerchantRiskOptions { PriorStrength = 0 });
        merchants.Add("m_grocer", DateOnly.FromDateTime(Noon.AddDays(-9).UtcDateTime), transactions: 4, frauds: 3);
        var engine = new DecisionEngine(Model, Rules, merchants: merchants);

        engine.Decide(Purchase);

        Assert.Equal(0.75f, engine.LastFeatures[FeatureSchema.MerchantRisk7d]);
        Assert.Equal((float)Math.Log(5), engine.LastFeatures[FeatureSchema.MerchantCount7dLog]);
    }

    [Fact]
    public void The_last_features_are_the_full_vector_the_offline_feature_state_computes()
    {
        var engine = new DecisionEngine(Model, Rules);
        var offline = new FeatureState();
        var expected = new float[FeatureSchema.Count];
        var stream = Enumerable.Range(0, 30).Select(i => At(TimeSpan.FromMinutes(i * 7), 10m + i) with { UserId = i % 3 }).ToList();

        foreach (var transaction in stream)
        {
            engine.Evaluate(transaction, Noon);
            offline.Update(transaction, expected);

            Assert.Equal(FeatureSchema.Count, engine.LastFeatures.Length);
            Assert.Equal(expected, engine.LastFeatures.ToArray());
        }
    }

    [Fact]
    public void Without_hits_the_rules_alone_give_no_risk()
    {
        var engine = new DecisionEngine(model: null, Rules);

        var verdict = engine.Decide(Purchase);

        Assert.Equal(0, verdict.Risk);
        Assert.False(verdict.IsAlert);
        Assert.Null(verdict.Score);
        Assert.Equal(string.Empty, verdict.Reason());
    }

    [Fact]
    public void Rule_hits_combine_as_a_noisy_or_of_their_weights()
    {
        var engine = new DecisionEngine(model: null, Rules, new DecisionOptions { AlertThreshold = 0.4 });
        engine.Decide(At(TimeSpan.Zero));
        engine.Decide(At(TimeSpan.FromMinutes(1)));

        var verdict = engine.Decide(At(TimeSpan.FromMinutes(2)) with { Mcc = 7995 });

        Assert.Equal(1 - (0.65 * 0.85), verdict.Risk, 10);
        Assert.True(verdict.IsAlert);
        Assert.Equal(
            "velocity_10m: 3 transactions within 10 min (>= 3); high_risk_mcc: merchant category 7995 is high risk",
            verdict.Reason());
        Assert.Equal(["velocity_10m", "high_risk_mcc"], verdict.RuleNames());
    }

    [Fact]
    public void The_alert_needs_the_risk_to_reach_the_threshold()
    {
        var engine = new DecisionEngine(model: null, Rules, new DecisionOptions { AlertThreshold = 0.5 });

        var verdict = engine.Decide(Purchase with { Mcc = 7995 });

        Assert.Equal(0.15, verdict.Risk, 10);
        Assert.False(verdict.IsAlert);
    }

    [Fact]
    public void Alone_the_forests_evidence_is_the_risk_one_half_at_the_threshold()
    {
        var engine = new DecisionEngine(Model, rules: null, new DecisionOptions { ForestEvidence = ForestEvidence.Score, ForestWeight = 0.8, ForestScale = 0.05, ScoreThreshold = -0.5 });

        var verdict = engine.Decide(Purchase);

        Assert.Equal(1 / (1 + Math.Exp((verdict.Score!.Value + 0.5) / 0.05)), verdict.Risk, 10);
        Assert.Equal(-0.5, verdict.ScoreThreshold);
    }

    [Fact]
    public void With_rules_the_forest_weighs_its_share()
    {
        var options = new DecisionOptions { ForestEvidence = ForestEvidence.Score, ForestWeight = 0.8, ForestScale = 0.05, ScoreThreshold = -0.5 };
        var withRules = new DecisionEngine(Model, Rules, options).Decide(Purchase);
        var alone = new DecisionEngine(Model, rules: null, options).Decide(Purchase);

        Assert.Equal(0.8 * alone.Risk, withRules.Risk, 10);
    }

    [Fact]
    public void By_score_the_forest_threshold_defaults_to_the_models_offset()
    {
        var engine = new DecisionEngine(Model, rules: null, new DecisionOptions { ForestEvidence = ForestEvidence.Score });

        Assert.Equal(Model.Offset, engine.Decide(Purchase).ScoreThreshold);
    }

    [Fact]
    public void By_rank_the_forests_evidence_is_one_half_at_the_anomaly_share_of_its_training_scores()
    {
        var options = new DecisionOptions { ForestAnomalyShare = 0.02, ForestRankSteepness = 1.5 };
        var engine = new DecisionEngine(Model, rules: null, options);

        var verdict = engine.Decide(Purchase);

        double tail = Model.TrainingScores!.TailShare(verdict.Score!.Value);
        Assert.Equal(1 / (1 + Math.Pow(tail / 0.02, 1.5)), verdict.Risk, 10);
        Assert.Equal(Model.TrainingScores.ScoreAt(0.02), verdict.ScoreThreshold, 10);
    }

    [Fact]
    public void By_rank_the_forest_alone_alerts_on_a_fixed_share_of_its_training_scores()
    {
        var options = new DecisionOptions { ForestAnomalyShare = 0.05, ForestRankSteepness = 2, AlertThreshold = 0.8 };
        var engine = new DecisionEngine(Model, rules: null, options);
        double alertingShare = 0.05 * Math.Sqrt(0.2 / 0.8);   // t ≤ share · ((1 − threshold) / threshold)^(1 / k)

        var verdict = engine.Decide(Purchase);

        Assert.Equal(Model.TrainingScores!.TailShare(verdict.Score!.Value) <= alertingShare, verdict.IsAlert);
        Assert.Equal(0.8, 1 / (1 + Math.Pow(alertingShare / 0.05, 2)), 10);
    }

    [Fact]
    public void By_rank_with_rules_the_forest_weighs_its_share()
    {
        var options = new DecisionOptions { ForestWeight = 0.6, AmountTailShare = 0 };
        var withRules = new DecisionEngine(Model, Rules, options).Decide(Purchase with { Amount = 5000m, Mcc = 7995 });
        var alone = new DecisionEngine(Model, rules: null, options).Decide(Purchase with { Amount = 5000m, Mcc = 7995 });

        Assert.Equal(1 - ((1 - (0.6 * alone.Risk)) * 0.85), withRules.Risk, 10);
    }

    [Fact]
    public void An_amount_above_all_training_saw_takes_the_amount_tails_weight_and_says_so()
    {
        var verdict = new DecisionEngine(Model, Rules).Decide(Purchase with { Amount = 9000m });

        Assert.Equal(ScoreDistribution.SmallestTail, verdict.AmountTailShare);
        Assert.Equal(0.77 / (1 + Math.Pow(ScoreDistribution.SmallestTail / 0.01, 3)), verdict.Risk, 12);
        Assert.Equal(["amount_tail"], verdict.RuleNames());
        Assert.Matches(@"^iforest_score=-0\.\d{3}; threshold=-0\.\d{3}; amount_tail_share=0\.00001$", verdict.Reason());
    }

    [Fact]
    public void Without_the_amount_tail_the_forests_weight_bounds_the_risk()
    {
        var options = new DecisionOptions { AmountTailShare = 0 };

        var verdict = new DecisionEngine(Model, Rules, options).Decide(Purchase with { Amount = 9000m });

        Assert.Null(verdict.AmountTailShare);
        Assert.True(verdict.Risk < 0.76, $"{verdict.Risk}");
        Assert.DoesNotContain("amount_tail", verdict.RuleNames());
    }

    [Fact]
    public void An_amount_inside_the_tail_share_is_not_flagged()
    {
        var verdict = new DecisionEngine(Model, Rules).Decide(Purchase with { Amount = 30m });

        Assert.Null(verdict.AmountTailShare);
        Assert.True(verdict.Risk < 0.76, $"{verdict.Risk}");
    }

    [Fact]
    public void A_model_file_without_training_tails_decides_without_the_amount_tail()
    {
        var purchase = Purchase with { Amount = 9000m };
        var withoutTail = new DecisionEngine(Model, Rules, new DecisionOptions { AmountTailShare = 0 }).Decide(purchase).Risk;

        var verdict = new DecisionEngine(Forest.ForestFiles.AsFormatVersion2(Model), Rules).Decide(purchase);

        Assert.Null(verdict.AmountTailShare);
        Assert.Equal(withoutTail, verdict.Risk, 12);
    }

    [Fact]
    public void With_a_classifier_the_amount_tail_steps_aside_with_the_forest()
    {
        var purchase = Purchase with { Amount = 9000m };
        var withoutTail = new DecisionEngine(Model, Rules, new DecisionOptions { AmountTailShare = 0 }, classifier: Classifier).Decide(purchase).Risk;

        var risk = new DecisionEngine(Model, Rules, classifier: Classifier).Decide(purchase).Risk;

        Assert.Equal(withoutTail, risk, 12);
    }

    [Fact]
    public void A_model_without_training_scores_is_read_by_its_score_threshold()
    {
        var oldModel = Forest.ForestFiles.AsFormatVersion1(Model);
        var engine = new DecisionEngine(oldModel, rules: null, new DecisionOptions { ForestScale = 0.05 });

        var verdict = engine.Decide(Purchase);

        Assert.Null(oldModel.TrainingScores);
        Assert.Equal(Model.Offset, verdict.ScoreThreshold);
        Assert.Equal(1 / (1 + Math.Exp((verdict.Score!.Value - Model.Offset) / 0.05)), verdict.Risk, 10);
    }

    [Fact]
    public void An_outsized_amount_is_riskier_than_an_ordinary_one()
    {
        var engine = new DecisionEngine(Model, Rules);
        for (int i = 0; i < 10; i++)
        {
            engine.Decide(At(TimeSpan.FromHours(i), 25m));
        }

        double ordinary = engine.Decide(At(TimeSpan.FromHours(11), 30m)).Risk;
        double outsized = engine.Decide(At(TimeSpan.FromHours(12), 9000m)).Risk;

        Assert.True(outsized > ordinary, $"{outsized} should exceed {ordinary}");
    }

    [Fact]
    public void The_reason_starts_like_the_seeds_and_lists_the_rules_after()
    {
        var engine = new DecisionEngine(Model, Rules, new DecisionOptions { ForestEvidence = ForestEvidence.Score, ScoreThreshold = -0.657 });

        var verdict = engine.Decide(Purchase with { Mcc = 7995 });

        Assert.Matches(@"^iforest_score=-0\.\d{3}; threshold=-0\.657; high_risk_mcc: merchant category 7995 is high risk$", verdict.Reason());
    }

    [Fact]
    public void An_alert_carries_what_the_api_shows()
    {
        var engine = new DecisionEngine(Model, Rules, new DecisionOptions { ForestEvidence = ForestEvidence.Score, AlertThreshold = 0.01, ScoreThreshold = 0 });
        var now = Noon.AddSeconds(1);

        var alert = engine.Evaluate(Purchase with { Mcc = 7995 }, now);

        Assert.NotNull(alert);
        Assert.Equal(("tx_1", 1L, 20m, "ES", Noon), (alert.TxId, alert.UserId, alert.Amount, alert.Location, alert.Ts));
        Assert.Equal(("if-test", "open", now), (alert.ModelVersion, alert.Status, alert.CreatedAt));
        Assert.Equal(["isolation_forest", "high_risk_mcc"], alert.Rules);
        Assert.InRange(alert.Score!.Value, -1, 0);
        Assert.InRange(alert.Risk, 0.15, 1);
        Assert.StartsWith("iforest_score=", alert.Reason);
    }

    [Fact]
    public void No_alert_below_the_threshold()
    {
        var engine = new DecisionEngine(model: null, Rules);

        Assert.Null(engine.Evaluate(Purchase, Noon));
    }

    [Fact]
    public void Without_a_model_alerts_record_the_rule_set_version()
    {
        var engine = new DecisionEngine(model: null, Rules, new DecisionOptions { AlertThreshold = 0.1 });

        Assert.Equal("rules-test", engine.Evaluate(Purchase with { Mcc = 7995 }, Noon)!.ModelVersion);
    }

    [Fact]
    public void Alerts_record_the_rule_set_version_beside_the_model_version()
    {
        var engine = new DecisionEngine(Model, Rules, new DecisionOptions { ForestEvidence = ForestEvidence.Score, AlertThreshold = 0.01, ScoreThreshold = 0 });

        var alert = engine.Evaluate(Purchase with { Mcc = 7995 }, Noon)!;

        Assert.Equal(("if-test", "rules-test"), (alert.ModelVersion, alert.RulesVersion));
    }

    [Fact]
    public void Without_rules_alerts_record_no_rule_set_version()
    {
        var engine = new DecisionEngine(Model, rules: null, new DecisionOptions { ForestEvidence = ForestEvidence.Score, AlertThreshold = 0.01, ScoreThreshold = 0 });

        Assert.Null(engine.Evaluate(Purchase, Noon)!.RulesVersion);
    }

    [Theory]
    [InlineData(true, true, "if-test", "rules-test")]
    [InlineData(true, false, "if-test", null)]
    [InlineData(false, true, "rules-test", "rules-test")]
    public void The_engine_reports_the_versions_it_decides_with(bool withModel, bool withRules, string modelVersion, string? rulesVersion)
    {
        var engine = new DecisionEngine(withModel ? Model : null, withRules ? Rules : null);

        Assert.Equal((modelVersion, rulesVersion), (engine.ModelVersion, engine.RulesVersion));
    }

    [Fact]
    public void An_engine_swapped_in_between_two_transactions_keeps_every_users_history()
    {
        var history = Enumerable.Range(0, 12).Select(i => At(TimeSpan.FromMinutes(i * 7), 20m + i) with { UserId = 1 + (i % 3) }).ToList();
        var next = At(TimeSpan.FromMinutes(90), 400m) with { UserId = 2, Mcc = 7995 };
        var rulesOnly = new DecisionEngine(model: null, Rules);
        var neverSwapped = new DecisionEngine(Model, Rules);
        foreach (var transaction in history)
        {
            rulesOnly.Decide(transaction);
            neverSwapped.Decide(transaction);
        }

        var swapped = new DecisionEngine(Model, Rules, options: null, rulesOnly.Features);
        float[] expectedFeatures = new float[FeatureSchema.Count], actualFeatures = new float[FeatureSchema.Count];
        neverSwapped.Features.Track(next).WriteFeatures(next, expectedFeatures);
        swapped.Features.Track(next).WriteFeatures(next, actualFeatures);
        var expected = neverSwapped.Decide(next);
        var actual = swapped.Decide(next);

        Assert.Same(rulesOnly.Features, swapped.Features);
        Assert.Equal(expectedFeatures, actualFeatures);
        Assert.Equal((expected.Score, expected.Risk, expected.Reason()), (actual.Score, actual.Risk, actual.Reason()));
        Assert.Equal(("if-test", "rules-test"), (swapped.ModelVersion, swapped.RulesVersion));
    }

    [Fact]
    public void An_engine_over_an_existing_state_is_validated_like_a_new_one()
    {
        var features = new FeatureState();

        Assert.Throws<ArgumentException>(() => new DecisionEngine(model: null, rules: null, options: null, features));
        Assert.Throws<ArgumentException>(() => new DecisionEngine(model: null, Rules, new DecisionOptions { AlertThreshold = 0 }, features));
        Assert.Throws<ArgumentNullException>(() => new DecisionEngine(model: null, Rules, options: null, features: null!));
    }

    [Fact]
    public void A_decision_folds_the_transaction_into_its_users_history()
    {
        var engine = new DecisionEngine(model: null, Rules);

        engine.Decide(Purchase);

        Assert.Equal(1, engine.Features.Track(At(TimeSpan.FromMinutes(1))).Count);
    }

    [Fact]
    public void Deciding_for_a_tracked_user_allocates_nothing()
    {
        var engine = new DecisionEngine(Model, Rules, classifier: Classifier);
        var warmUp = Enumerable.Range(0, 50).Select(i => At(TimeSpan.FromSeconds(i * 30)) with { Mcc = i % 2 == 0 ? 7995 : 5411 }).ToArray();
        var measured = Enumerable.Range(50, 50).Select(i => At(TimeSpan.FromSeconds(i * 30)) with { Mcc = i % 2 == 0 ? 7995 : 5411 }).ToArray();
        foreach (var transaction in warmUp)
        {
            engine.Decide(transaction);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var transaction in measured)
        {
            engine.Decide(transaction);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Deciding_with_the_shipped_rules_and_their_relative_amounts_allocates_nothing()
    {
        var engine = new DecisionEngine(Model, ShippedRules.Default);
        // At night, high-risk categories, tiny amounts, large ones and a new country: the shipped rules' comparisons
        // with the user's mean are all reached.
        var stream = Enumerable.Range(0, 100).Select(i => Purchase with
        {
            Ts = Noon.AddHours(-10).AddSeconds(i * 20),
            Amount = i % 10 == 9 ? 2_000m : i % 3 == 0 ? 1m : 40m,
            Mcc = i % 2 == 0 ? 7995 : 5411,
            Location = i % 25 == 24 ? "FR" : "ES",
        }).ToArray();
        var (warmUp, measured) = (stream[..50], stream[50..]);
        foreach (var transaction in warmUp)
        {
            engine.Decide(transaction);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var transaction in measured)
        {
            engine.Decide(transaction);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void A_decision_needs_a_model_or_rules() =>
        Assert.Throws<ArgumentException>(() => new DecisionEngine(model: null, rules: null));

    [Fact]
    public void A_model_trained_on_features_this_build_lacks_is_refused()
    {
        var other = IsolationForest.Fit(new float[] { 1, 2, 3, 4 }, ["amount_log", "merchant_fraud_rate"], new IsolationForestOptions(), "if-other");

        var error = Assert.Throws<ArgumentException>(() => new DecisionEngine(other, Rules));

        Assert.Contains("if-other", error.Message);
        Assert.Contains("merchant_fraud_rate", error.Message);
    }

    [Fact]
    public void A_model_on_a_selection_of_features_scores_them_in_its_own_order()
    {
        string[] names = ["amount_zscore", "amount_log"];
        var state = new FeatureState();
        var features = new float[FeatureSchema.Count];
        var rows = new List<float>();
        for (int i = 0; i < 100; i++)
        {
            state.Update(At(TimeSpan.FromHours(i), 20m + (i % 7)), features);
            rows.AddRange([features[FeatureSchema.AmountZScore], features[FeatureSchema.AmountLog]]);
        }

        var model = IsolationForest.Fit(rows.ToArray(), names, new IsolationForestOptions { Estimators = 20 }, "if-two");
        var engine = new DecisionEngine(model, rules: null);
        var transaction = At(TimeSpan.Zero, 500m);
        engine.Features.Track(transaction).WriteFeatures(transaction, features);

        double score = engine.Decide(transaction).Score!.Value;

        Assert.Equal(model.ScoreSample([features[FeatureSchema.AmountZScore], features[FeatureSchema.AmountLog]]), score, 10);
    }

    [Fact]
    public void Invalid_options_are_refused() =>
        Assert.Throws<ArgumentException>(() => new DecisionEngine(model: null, Rules, new DecisionOptions { AlertThreshold = 0 }));
}
