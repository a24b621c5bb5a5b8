using Fraud.Core.Decision;
using Fraud.Core.Detection.Forest;
using Fraud.Core.Detection.Supervised;
using Fraud.Core.Rules;

namespace Fraud.Detector.Detection;

/// <summary>
/// The model, rule set, decision options and (when one is active) supervised classifier the detector decides with,
/// loaded and validated together.
/// </summary>
public sealed record DetectionProfile(IsolationForest? Model, RuleSet? Rules, DecisionOptions Decision, GradientBoostedClassifier? Classifier = null)
{
    public string ModelVersion => Model?.Version ?? "none";

    public string RulesVersion => Rules?.Version ?? "none";

    public string ClassifierVersion => Classifier?.Version ?? "none";

    public override string ToString() => $"model {ModelVersion}, rules {RulesVersion}, classifier {ClassifierVersion}";
}
