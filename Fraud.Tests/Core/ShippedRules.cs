using Fraud.Core.Rules;
using Fraud.Tests.Integration;

namespace Fraud.Tests.Core;

/// <summary>The rule set the detector ships (<c>Fraud.Detector/rules.json</c>), read once.</summary>
internal static class ShippedRules
{
    private static readonly Lazy<RuleSet> Rules = new(() =>
    {
        byte[] json = File.ReadAllBytes(Path.Combine(ChildProcess.RepositoryRoot(), "Fraud.Detector", "rules.json"));
        Assert.True(RuleSetJson.TryParse(json, out var rules, out var errors), string.Join("; ", errors));
        return rules;
    });

    public static RuleSet Default => Rules.Value;
}
