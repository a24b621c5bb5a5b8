using Fraud.Core.Rules;

namespace Fraud.Testing;

/// <summary>The rule set the detector ships (<c>Fraud.Detector/rules.json</c>), read once.</summary>
public static class ShippedRules
{
    private static readonly Lazy<RuleSet> Rules = new(() =>
    {
        byte[] json = File.ReadAllBytes(Path.Combine(ChildProcess.RepositoryRoot(), "Fraud.Detector", "rules.json"));
        return RuleSetJson.TryParse(json, out var rules, out var errors)
            ? rules
            : throw new InvalidOperationException($"Fraud.Detector/rules.json does not parse: {string.Join("; ", errors)}");
    });

    public static RuleSet Default => Rules.Value;
}
