using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Fraud.Core.Configuration;

namespace Fraud.Core.Rules;

/// <summary>
/// Reads a rule set from JSON:
/// <code>
/// {
///   "version": "rules-2025-09-13",
///   "rules": [
///     { "name": "velocity_10m", "kind": "velocity", "weight": 0.5,
///       "parameters": { "min_count": 5, "window_seconds": 600 } }
///   ]
/// }
/// </code>
/// Kinds: <c>velocity</c>, <c>amount_zscore</c>, <c>impossible_travel</c>, <c>card_testing</c>,
/// <c>new_country_high_amount</c>, <c>night_high_amount</c>, <c>high_risk_mcc</c> (their classes document the
/// parameters). Comments and trailing commas are allowed; unknown fields and parameters are errors.
/// </summary>
public static class RuleSetJson
{
    private const int MaxNameLength = 64;

    private static readonly Dictionary<string, Func<string, double, RuleParameters, Rule>> Kinds = new(StringComparer.Ordinal)
    {
        [VelocityRule.KindName] = VelocityRule.Read,
        [AmountZScoreRule.KindName] = AmountZScoreRule.Read,
        [ImpossibleTravelRule.KindName] = ImpossibleTravelRule.Read,
        [CardTestingRule.KindName] = CardTestingRule.Read,
        [NewCountryHighAmountRule.KindName] = NewCountryHighAmountRule.Read,
        [NightHighAmountRule.KindName] = NightHighAmountRule.Read,
        [HighRiskMccRule.KindName] = HighRiskMccRule.Read,
        [AmountAboveRule.KindName] = AmountAboveRule.Read,
    };

    /// <summary>The rule kinds this build knows.</summary>
    public static IReadOnlyCollection<string> KnownKinds => Kinds.Keys;

    /// <summary>
    /// Parses and validates a rule set. Every problem is reported, each naming the rule, the parameter and why, e.g.
    /// <c>rule 'velocity_10m' (velocity): parameter 'window_seconds': must be greater than 0, got -5</c>.
    /// </summary>
    /// <param name="utf8Json">The file's bytes, UTF-8.</param>
    /// <param name="ruleSet">The rule set, when valid.</param>
    /// <param name="errors">Every problem found; empty when valid.</param>
    /// <returns>True when the text is a valid rule set.</returns>
    public static bool TryParse(ReadOnlySpan<byte> utf8Json, [NotNullWhen(true)] out RuleSet? ruleSet, out IReadOnlyList<string> errors)
    {
        ruleSet = null;
        if (!ConfigJson.TryRead(utf8Json, ConfigJsonContext.Default.RuleSetWire, Expectation, out var wire, out string? error))
        {
            errors = [error];
            return false;
        }

        var found = new List<string>(ConfigJson.Unknown(string.Empty, wire.Unknown));
        if (string.IsNullOrWhiteSpace(wire.Version))
        {
            found.Add("version: required");
        }

        if (wire.Rules is null)
        {
            found.Add("rules: required (an array, possibly empty)");
        }

        var rules = new List<Rule>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int index = 0; index < (wire.Rules?.Count ?? 0); index++)
        {
            if (ReadRule(index, wire.Rules![index], names, found) is { } rule)
            {
                rules.Add(rule);
            }
        }

        errors = found;
        if (found.Count > 0)
        {
            return false;
        }

        ruleSet = new RuleSet(wire.Version!, rules);
        return true;
    }

    private static Rule? ReadRule(int index, RuleWire? wire, HashSet<string> names, List<string> errors)
    {
        string at = $"rules[{index}]";
        if (wire is null)
        {
            errors.Add($"{at}: must be an object");
            return null;
        }

        int before = errors.Count;
        errors.AddRange(ConfigJson.Unknown($"{at}.", wire.Unknown));
        string? name = wire.Name;
        if (string.IsNullOrWhiteSpace(name))
        {
            errors.Add($"{at}.name: required");
            name = null;
        }
        else if (name.Length > MaxNameLength || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
        {
            errors.Add($"{at}.name: must be 1 to {MaxNameLength} letters, digits, '_', '-' or '.', got '{name}'");
        }
        else if (!names.Add(name))
        {
            errors.Add($"{at}.name: '{name}' is used by an earlier rule");
        }

        string label = name is null ? at : $"rule '{name}'";
        Func<string, double, RuleParameters, Rule>? read = null;
        if (string.IsNullOrWhiteSpace(wire.Kind))
        {
            errors.Add($"{label}: kind: required; one of {string.Join(", ", Kinds.Keys)}");
        }
        else if (!Kinds.TryGetValue(wire.Kind, out read))
        {
            errors.Add($"{label}: kind: '{wire.Kind}' is not a rule kind; one of {string.Join(", ", Kinds.Keys)}");
        }
        else
        {
            label = $"{label} ({wire.Kind})";
        }

        if (wire.Weight is not { } weight)
        {
            errors.Add($"{label}: weight: required, in (0, 1]");
            weight = double.NaN;
        }
        else if (!(weight > 0 && weight <= 1))
        {
            errors.Add($"{label}: weight: must be greater than 0 and at most 1, got {weight.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        }

        if (read is null)
        {
            return null;
        }

        var parameters = new RuleParameters(label, wire.Parameters ?? new Dictionary<string, JsonElement>(), errors);
        var rule = read(name ?? at, weight, parameters);
        parameters.RejectUnknown();
        return errors.Count == before ? rule : null;
    }

    private static string Expectation(string field) => field switch
    {
        "weight" => "must be a number",
        "rules" => "must be an array of rule objects",
        "parameters" => "must be an object",
        _ when field.StartsWith("rules[", StringComparison.Ordinal) => "must be an object",
        _ => "must be a string",
    };
}
