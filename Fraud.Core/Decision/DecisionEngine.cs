using Fraud.Core.Detection.Forest;
using Fraud.Core.Detection.Supervised;
using Fraud.Core.Features;
using Fraud.Core.Rules;

namespace Fraud.Core.Decision;

/// <summary>
/// The detector's decision, the same online and offline: per-user features, the Isolation Forest's score, the rule
/// hits and, when one is given, the supervised classifier's fraud probability, combined by <see cref="DecisionOptions"/>
/// into a risk and an alert. Either the model or the rules may be absent (rules only, forest only), not both. Holds the feature state, so it is stateful and not thread-safe:
/// one engine per consume loop, fed transactions in event-time order. A decision allocates nothing once the user is
/// tracked; only <see cref="Evaluate"/>'s alert does. To swap the model, the rules or the options between two
/// transactions (a hot reload) without losing the users' histories, build the new engine over the old one's
/// <see cref="Features"/> and stop using the old one.
/// </summary>
public sealed class DecisionEngine
{
    private readonly IsolationForest? _model;
    private readonly GradientBoostedClassifier? _classifier;
    private readonly RuleSet? _rules;
    private readonly DecisionOptions _options;
    private readonly double _scoreThreshold;
    private readonly double _forestWeight;
    private readonly double _amountTailWeight;
    private readonly ScoreDistribution? _trainingScores;   // set when the forest's evidence comes from the score's rank
    private readonly FeatureTails? _trainingTails;         // set, with the columns below, when the amount's tail evidence joins it
    private readonly int[] _amountTailColumns = [];
    private readonly float[] _features = new float[FeatureSchema.Count];
    private readonly int[] _modelColumns;
    private readonly float[] _modelInput;
    private readonly int[] _classifierColumns;
    private readonly float[] _classifierInput;
    private readonly RuleHit[] _hits;

    /// <summary>Creates an engine with empty feature state.</summary>
    /// <param name="model">The Isolation Forest, trained on features of <see cref="FeatureSchema"/>; null for rules only.</param>
    /// <param name="rules">The rule set; null for the forest only.</param>
    /// <param name="options">How to combine them; the defaults when null.</param>
    /// <param name="featureOptions">Bounds of the feature state; the defaults when null.</param>
    /// <param name="classifier">The supervised classifier learned from labels; null to decide without one.</param>
    /// <param name="merchants">
    /// The merchants' risk to read; null for an empty one with the classifier's label delay (every merchant then reads
    /// the prior until counts are recorded).
    /// </param>
    /// <exception cref="ArgumentException">
    /// Neither a model nor rules; a model trained on a feature this build does not compute; a forest reading merchant
    /// features; merchant risk with another label delay than the classifier's; invalid options.
    /// </exception>
    public DecisionEngine(
        IsolationForest? model,
        RuleSet? rules,
        DecisionOptions? options = null,
        FeatureStateOptions? featureOptions = null,
        GradientBoostedClassifier? classifier = null,
        MerchantRisk? merchants = null)
        : this(model, rules, options, features: null, featureOptions, classifier, merchants)
    {
    }

    /// <summary>
    /// Creates an engine that feeds an existing feature state, e.g. <c>new DecisionEngine(model, rules, options,
    /// current.Features)</c> to swap the model or rules while every user keeps its history. The state must not be fed
    /// by two engines at once.
    /// </summary>
    /// <param name="model">The Isolation Forest, trained on features of <see cref="FeatureSchema"/>; null for rules only.</param>
    /// <param name="rules">The rule set; null for the forest only.</param>
    /// <param name="options">How to combine them; the defaults when null.</param>
    /// <param name="features">The per-user feature state to continue from.</param>
    /// <param name="classifier">The supervised classifier learned from labels; null to decide without one.</param>
    /// <param name="merchants">The merchants' risk to read, e.g. the current engine's <see cref="Merchants"/>; null for an empty one.</param>
    /// <exception cref="ArgumentException">
    /// Neither a model nor rules; a model trained on a feature this build does not compute; a forest reading merchant
    /// features; merchant risk with another label delay than the classifier's; invalid options.
    /// </exception>
    public DecisionEngine(
        IsolationForest? model, RuleSet? rules, DecisionOptions? options, FeatureState features, GradientBoostedClassifier? classifier = null, MerchantRisk? merchants = null)
        : this(model, rules, options, features ?? throw new ArgumentNullException(nameof(features)), featureOptions: null, classifier, merchants)
    {
    }

    private DecisionEngine(
        IsolationForest? model,
        RuleSet? rules,
        DecisionOptions? options,
        FeatureState? features,
        FeatureStateOptions? featureOptions,
        GradientBoostedClassifier? classifier,
        MerchantRisk? merchants)
    {
        if (model is null && rules is null)
        {
            throw new ArgumentException("A decision needs a model, a rule set or both.", nameof(model));
        }

        if (model is not null && FeatureSchema.UsesMerchantRisk(model.FeatureNames))
        {
            throw new ArgumentException(
                $"Model {model.Version} reads merchant features, which come from fraud labels; only the classifier may use them. Train it again without them.",
                nameof(model));
        }

        var merchantDelay = classifier?.MerchantLabelDelay ?? new MerchantRiskOptions().LabelDelay;
        if (merchants is not null && classifier?.MerchantLabelDelay is { } delay && merchants.Options.LabelDelay != delay)
        {
            throw new ArgumentException(
                $"Classifier {classifier.Version} was trained on merchant risk with a {delay.TotalDays:0.##}-day label delay; the merchant risk given uses {merchants.Options.LabelDelay.TotalDays:0.##} days.",
                nameof(merchants));
        }

        try
        {
            _modelColumns = model is null ? [] : FeatureSchema.IndicesOf(model.FeatureNames);
        }
        catch (ArgumentException exception)
        {
            throw new ArgumentException($"Model {model!.Version} cannot be used: {exception.Message} Train it again.", nameof(model));
        }

        _modelInput = new float[_modelColumns.Length];

        try
        {
            _classifierColumns = classifier is null ? [] : FeatureSchema.IndicesOf(classifier.FeatureNames);
        }
        catch (ArgumentException exception)
        {
            throw new ArgumentException($"Classifier {classifier!.Version} cannot be used: {exception.Message} Train it again.", nameof(classifier));
        }

        _classifierInput = new float[_classifierColumns.Length];

        _options = options ?? new DecisionOptions();
        if (_options.Problems() is [var problem, ..])
        {
            throw new ArgumentException($"Invalid decision options: {problem}", nameof(options));
        }

        _model = model;
        _classifier = classifier;
        _rules = rules;
        if (model?.TrainingScores is { } trainingScores && _options.ForestEvidence == ForestEvidence.Rank)
        {
            // By rank: the evidence is one half at the anomaly share of the training scores, whatever their scale.
            _trainingScores = trainingScores;
            _scoreThreshold = trainingScores.ScoreAt(_options.ForestAnomalyShare);
            if (model.TrainingTails is { } tails && _options.AmountTailShare > 0)
            {
                // The amount's tails among the model's own columns: a model trained without one of them reads the others.
                _trainingTails = tails;
                _amountTailColumns = [.. FeatureSchema.AmountTailNames
                    .Select(name => model.FeatureNames.ToList().IndexOf(name))
                    .Where(column => column >= 0)];
            }
        }
        else
        {
            _scoreThreshold = model is null ? double.NaN : _options.ScoreThreshold ?? model.Offset;
        }

        // The weight shares the risk with the rules; alone, the forest has it all. With a classifier, which learnt from
        // labels which anomalies are fraud, the forest's guess counts for ForestWeightWithClassifier (0 by default).
        _forestWeight = classifier is not null ? _options.ForestWeightWithClassifier : rules is null ? 1 : _options.ForestWeight;
        _amountTailWeight = classifier is null && rules is not null ? _options.AmountTailWeight : _forestWeight;
        _hits = new RuleHit[rules?.Rules.Count ?? 0];
        Features = features ?? new FeatureState(featureOptions);
        Merchants = merchants ?? new MerchantRisk(new MerchantRiskOptions { LabelDelay = merchantDelay });
    }

    /// <summary>The per-user feature state the engine feeds.</summary>
    public FeatureState Features { get; }

    /// <summary>
    /// The merchants' risk the engine reads. The engine never records into it: whoever knows the transactions and the
    /// labels does (offline, the commands after each decision; online, the shared counts).
    /// </summary>
    public MerchantRisk Merchants { get; }

    /// <summary>What alerts record as <c>model_version</c>: the model's version, or the rule set's without a model.</summary>
    public string ModelVersion => _model?.Version ?? _rules!.Version;

    /// <summary>What alerts record as <c>rules_version</c>: the rule set's version; null without rules.</summary>
    public string? RulesVersion => _rules?.Version;

    /// <summary>What alerts record as <c>classifier_version</c>: the supervised classifier's version; null without one.</summary>
    public string? ClassifierVersion => _classifier?.Version;

    /// <summary>
    /// The full feature vector of the transaction decided last (<see cref="FeatureSchema.Count"/> values in
    /// <see cref="FeatureSchema.Names"/> order, computed before the transaction joined its user's history), e.g. to
    /// sample it for training. Valid until the next decision; all zeros before the first.
    /// </summary>
    public ReadOnlySpan<float> LastFeatures => _features;

    /// <summary>
    /// Decides <paramref name="transaction"/>: computes its features from its user's history, scores them, checks
    /// the rules, then folds the transaction into the history. Allocates nothing once the user is tracked.
    /// </summary>
    /// <param name="transaction">The next transaction in event-time order.</param>
    /// <returns>The verdict, valid until the next call.</returns>
    public Verdict Decide(Transaction transaction)
    {
        var history = Features.Track(transaction);
        history.WriteFeatures(transaction, _features);
        Merchants.WriteFeatures(transaction, _features);

        double? score = null;
        if (_model is not null)
        {
            // The model names the features it was trained on; pick them out of the full vector in its order.
            for (int column = 0; column < _modelColumns.Length; column++)
            {
                _modelInput[column] = _features[_modelColumns[column]];
            }

            score = _model.ScoreSample(_modelInput);
        }

        double? probability = null;
        if (_classifier is not null)
        {
            for (int column = 0; column < _classifierColumns.Length; column++)
            {
                _classifierInput[column] = _features[_classifierColumns[column]];
            }

            probability = _classifier.Probability(_classifierInput);
        }

        int hitCount = _rules?.Evaluate(new RuleContext(transaction, _features, history), _hits) ?? 0;
        history.Append(transaction);

        double keep = 1; // probability, under the noisy OR, that no evidence points to fraud
        double? amountTail = null;
        if (score is { } value)
        {
            double weighted = _forestWeight * ForestEvidenceOf(value);
            if (_amountTailColumns.Length > 0)
            {
                double tail = AmountTailShare();
                weighted = Math.Max(weighted, _amountTailWeight / (1 + Math.Pow(tail / _options.AmountTailShare, _options.AmountTailSteepness)));
                amountTail = tail <= _options.AmountTailShare ? tail : null;
            }

            keep *= 1 - weighted;
        }

        if (probability is { } fraudProbability)
        {
            keep *= 1 - (_options.ClassifierWeight * fraudProbability);
        }

        var hits = _hits.AsSpan(0, hitCount);
        foreach (var hit in hits)
        {
            keep *= 1 - hit.Rule.Weight;
        }

        double risk = 1 - keep;
        return new Verdict(risk, risk >= _options.AlertThreshold, score, _scoreThreshold, hits, probability, amountTail);
    }

    /// <summary>The smallest share of training rows at or above the transaction on any of the amount's tail features.</summary>
    private double AmountTailShare()
    {
        double smallest = 1;
        foreach (int column in _amountTailColumns)
        {
            smallest = Math.Min(smallest, _trainingTails!.UpperTailShare(column, _modelInput[column]));
        }

        return smallest;
    }

    /// <summary>
    /// The forest's evidence in [0, 1] (<see cref="DecisionOptions"/>): by rank, 1 / (1 + (t / share)^k) with t the
    /// score's tail share among the training scores; by score, a logistic of the distance below the score threshold.
    /// </summary>
    private double ForestEvidenceOf(double score)
    {
        if (_trainingScores is null)
        {
            return 1 / (1 + Math.Exp((score - _scoreThreshold) / _options.ForestScale));
        }

        return 1 / (1 + Math.Pow(_trainingScores.TailShare(score) / _options.ForestAnomalyShare, _options.ForestRankSteepness));
    }

    /// <summary>
    /// Decides <paramref name="transaction"/> and returns an open alert, recording the model and rule-set versions,
    /// when it is one; otherwise null. The online detector's call.
    /// </summary>
    /// <param name="transaction">The next transaction in event-time order.</param>
    /// <param name="now">When the alert is raised.</param>
    /// <returns>The alert, or null.</returns>
    public Alert? Evaluate(Transaction transaction, DateTimeOffset now)
    {
        var verdict = Decide(transaction);
        if (!verdict.IsAlert)
        {
            return null;
        }

        return new Alert(
            transaction.TxId,
            transaction.UserId,
            transaction.Amount,
            transaction.Location,
            transaction.Ts,
            verdict.Score is { } score ? Math.Round(score, 4) : null,
            verdict.Reason(),
            now,
            Math.Round(verdict.Risk, 4),
            verdict.RuleNames(),
            ModelVersion,
            Status: "open",
            RulesVersion,
            ClassifierVersion);
    }
}
