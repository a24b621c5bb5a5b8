using BenchmarkDotNet.Attributes;
using Fraud.Core;
using Fraud.Core.Decision;
using Fraud.Core.Detection.Forest;
using Fraud.Core.Detection.Supervised;
using Fraud.Core.Features;
using Fraud.Core.Rules;
using Fraud.Simulation;
using Fraud.Training;

namespace Fraud.Benchmarks;

/// <summary>
/// The detector's per-transaction work on simulated traffic (10,000 users, 200,000 transactions, cycled): feature
/// update, rule evaluation, the supervised classifier alone, merchant risk alone, and the whole decision (features +
/// forest + rules, with and without the classifier, and with a classifier reading merchant risk from the stream's
/// counts and labels). One operation is one transaction.
/// </summary>
[MemoryDiagnoser]
public class DetectionBenchmarks
{
    private const int Transactions = 200_000;

    private readonly float[] _features = new float[FeatureSchema.Count];
    private Transaction[] _transactions = [];
    private float[][] _featuresOf = [];
    private FeatureState _state = null!;
    private FeatureState _warmState = null!;
    private RuleSet _rules = null!;
    private RuleHit[] _hits = [];
    private DecisionEngine _engine = null!;
    private DecisionEngine _engineWithClassifier = null!;
    private GradientBoostedClassifier _classifier = null!;
    private DecisionEngine _engineWithMerchantRisk = null!;
    private MerchantRisk _merchantRisk = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var simulator = new TransactionSimulator(new SimulationOptions { Seed = 5 });
        var simulated = Enumerable.Range(0, Transactions).Select(_ => simulator.Next()).ToArray();
        _transactions = simulated.Select(item => item.Transaction).ToArray();

        // Features as each transaction saw them, and a state that has seen the whole stream, for the rules alone.
        _warmState = new FeatureState();
        _featuresOf = _transactions.Select(transaction =>
        {
            var features = new float[FeatureSchema.Count];
            _warmState.Update(transaction, features);
            return features;
        }).ToArray();

        _rules = LoadDefaultRules();
        _hits = new RuleHit[_rules.Rules.Count];
        int[] columns = FeatureSchema.IndicesOf(FeatureSchema.ForestDefaults);
        float[] rows = _featuresOf.SelectMany(features => columns.Select(column => features[column])).ToArray();
        var model = IsolationForest.Fit(rows, FeatureSchema.ForestDefaults, new IsolationForestOptions(), "if-bench");

        var labelled = new LabelledTrainingSet();
        foreach (var item in simulated)
        {
            labelled.Add(item.Transaction, item.Label.IsFraud);
        }

        _classifier = labelled.Fit(new GradientBoostingOptions(), "gb-bench");

        // Merchant risk on: every transaction and known fraud of the stream counted, with a 1-day label delay so that
        // the 7 simulated days reach its windows, and a classifier that reads all 32 features.
        var withMerchants = new LabelledTrainingSet(merchantOptions: new MerchantRiskOptions { LabelDelay = TimeSpan.FromDays(1) });
        foreach (var item in simulated)
        {
            withMerchants.Add(item.Transaction, item.Label.IsFraud);
            if (item.Label.IsFraud)
            {
                withMerchants.Merchants.RecordFraud(item.Transaction.MerchantId, item.Transaction.Ts);
            }
        }

        _merchantRisk = withMerchants.Merchants;
        var merchantClassifier = withMerchants.Fit(new GradientBoostingOptions(), "gb-bench-merchants");

        _state = new FeatureState();
        _engine = new DecisionEngine(model, _rules);
        _engineWithClassifier = new DecisionEngine(model, _rules, classifier: _classifier);
        _engineWithMerchantRisk = new DecisionEngine(model, _rules, classifier: merchantClassifier, merchants: _merchantRisk);
        foreach (var transaction in _transactions)
        {
            _state.Update(transaction, _features);
            _engine.Decide(transaction);
            _engineWithClassifier.Decide(transaction);
            _engineWithMerchantRisk.Decide(transaction);
        }
    }

    /// <summary>Features of one transaction from its user's history, then the transaction folded in.</summary>
    [Benchmark]
    public float FeatureUpdate()
    {
        _state.Update(NextTransaction(out _), _features);
        return _features[0];
    }

    /// <summary>The default rule set (Fraud.Detector/rules.json) on one transaction with its features.</summary>
    [Benchmark]
    public int Rules()
    {
        var transaction = NextTransaction(out int index);
        return _rules.Evaluate(new RuleContext(transaction, _featuresOf[index], _warmState.Track(transaction)), _hits);
    }

    /// <summary>The supervised classifier (100 trees of 16 leaves) on one transaction's features.</summary>
    [Benchmark]
    public double ClassifierProbability()
    {
        NextTransaction(out int index);
        return _classifier.Probability(_featuresOf[index]);
    }

    /// <summary>The six merchant features of one transaction, from the counts and labels of the whole stream.</summary>
    [Benchmark]
    public float MerchantFeatures()
    {
        _merchantRisk.WriteFeatures(NextTransaction(out _), _features);
        return _features[FeatureSchema.MerchantRisk30d];
    }

    /// <summary>The whole decision: features, forest (100 trees, 256 samples) and the default rules.</summary>
    [Benchmark]
    public double Decision() => _engine.Decide(NextTransaction(out _)).Risk;

    /// <summary>The whole decision with the supervised classifier too.</summary>
    [Benchmark]
    public double DecisionWithClassifier() => _engineWithClassifier.Decide(NextTransaction(out _)).Risk;

    /// <summary>The whole decision with a classifier that reads merchant risk, the merchants' counts and labels in place.</summary>
    [Benchmark]
    public double DecisionWithMerchantRisk() => _engineWithMerchantRisk.Decide(NextTransaction(out _)).Risk;

    private Transaction NextTransaction(out int index)
    {
        index = _next;
        _next = (_next + 1) % _transactions.Length;
        return _transactions[index];
    }

    private static RuleSet LoadDefaultRules()
    {
        // BenchmarkDotNet runs this from a folder under bench/: the repository is above it.
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Fraud.sln")))
        {
            folder = folder.Parent;
        }

        string path = Path.Combine(folder?.FullName ?? throw new InvalidOperationException("Fraud.sln not found"), "Fraud.Detector", "rules.json");
        return RuleSetJson.TryParse(File.ReadAllBytes(path), out var rules, out var errors)
            ? rules
            : throw new InvalidOperationException(string.Join(Environment.NewLine, errors));
    }
}
