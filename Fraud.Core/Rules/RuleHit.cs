namespace Fraud.Core.Rules;

/// <summary>A rule that fired on a transaction, with the value that made it fire.</summary>
/// <param name="Rule">The rule.</param>
/// <param name="Observed">The value it observed, e.g. a count or a speed.</param>
public readonly record struct RuleHit(Rule Rule, double Observed)
{
    /// <summary>The readable reason, e.g. <c>"impossible_travel: implied speed 2106 km/h (> 900 km/h)"</c>.</summary>
    public string Reason => Rule.Describe(Observed);
}
