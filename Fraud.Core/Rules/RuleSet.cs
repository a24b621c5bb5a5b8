namespace Fraud.Core.Rules;

/// <summary>
/// A versioned, ordered set of named rules, usually read from JSON by <see cref="RuleSetJson"/>. Evaluating it
/// allocates nothing: hits go into the caller's buffer.
/// </summary>
public sealed class RuleSet
{
    private readonly Rule[] _rules;

    /// <summary>Creates a rule set.</summary>
    /// <param name="version">Its version, recorded with the decisions it takes part in.</param>
    /// <param name="rules">Its rules, with unique names.</param>
    /// <exception cref="ArgumentException">Two rules share a name.</exception>
    public RuleSet(string version, IEnumerable<Rule> rules)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        _rules = rules.ToArray();
        if (_rules.GroupBy(rule => rule.Name, StringComparer.Ordinal).FirstOrDefault(group => group.Count() > 1) is { } duplicate)
        {
            throw new ArgumentException($"Rule name '{duplicate.Key}' is used more than once.", nameof(rules));
        }

        Version = version;
    }

    /// <summary>The set's version, e.g. <c>"rules-2025-09-13"</c>.</summary>
    public string Version { get; }

    /// <summary>The rules, in evaluation order.</summary>
    public IReadOnlyList<Rule> Rules => _rules;

    /// <summary>Checks every rule and writes the hits, in rule order, into <paramref name="hits"/>.</summary>
    /// <param name="context">The transaction, its features and its user's history.</param>
    /// <param name="hits">Room for the hits: at least <see cref="Rules"/>.Count long.</param>
    /// <returns>How many rules fired.</returns>
    /// <exception cref="ArgumentException"><paramref name="hits"/> is too short.</exception>
    public int Evaluate(in RuleContext context, Span<RuleHit> hits)
    {
        if (hits.Length < _rules.Length)
        {
            throw new ArgumentException($"Needs room for {_rules.Length} hits.", nameof(hits));
        }

        int count = 0;
        foreach (var rule in _rules)
        {
            if (rule.Matches(context, out double observed))
            {
                hits[count++] = new RuleHit(rule, observed);
            }
        }

        return count;
    }
}
