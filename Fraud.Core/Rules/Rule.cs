namespace Fraud.Core.Rules;

/// <summary>
/// One named rule of a <see cref="RuleSet"/>: a condition on a transaction, its features and its user's history,
/// with a weight in (0, 1] that says how much a hit alone should raise the risk.
/// </summary>
public abstract class Rule
{
    /// <summary>Creates a rule.</summary>
    /// <param name="name">Its unique name in the set, e.g. <c>"velocity_10m"</c>; alerts list it.</param>
    /// <param name="weight">Its weight in (0, 1].</param>
    protected Rule(string name, double weight)
    {
        Name = name;
        Weight = weight;
    }

    /// <summary>The rule's unique name in its set, as alerts list it.</summary>
    public string Name { get; }

    /// <summary>How much a hit alone raises the risk, in (0, 1].</summary>
    public double Weight { get; }

    /// <summary>The rule's kind as the JSON names it, e.g. <c>"velocity"</c>.</summary>
    public abstract string Kind { get; }

    /// <summary>Checks the rule against one transaction. Allocates nothing.</summary>
    /// <param name="context">The transaction, its features and its user's history.</param>
    /// <param name="observed">When it fires, the value that made it fire (a count, an amount, a speed…), for <see cref="Describe"/>.</param>
    /// <returns>True when the rule fires.</returns>
    public abstract bool Matches(in RuleContext context, out double observed);

    /// <summary>A readable reason for a hit, starting with the rule's name, e.g. <c>"velocity_10m: 6 transactions within 10 min (≥ 5)"</c>.</summary>
    /// <param name="observed">The value <see cref="Matches"/> reported.</param>
    /// <returns>The reason.</returns>
    public abstract string Describe(double observed);
}
