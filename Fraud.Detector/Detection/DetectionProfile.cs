using Fraud.Core.Decision;
using Fraud.Core.Detection.Forest;
using Fraud.Core.Rules;

namespace Fraud.Detector.Detection;

/// <summary>The model, rule set and decision options the detector decides with, loaded and validated together.</summary>
public sealed record DetectionProfile(IsolationForest? Model, RuleSet? Rules, DecisionOptions Decision)
{
    public string ModelVersion => Model?.Version ?? "none";

    public string RulesVersion => Rules?.Version ?? "none";

    public override string ToString() => $"model {ModelVersion}, rules {RulesVersion}";
}
