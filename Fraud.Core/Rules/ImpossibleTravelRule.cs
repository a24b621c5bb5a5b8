using Fraud.Core.Features;

namespace Fraud.Core.Rules;

/// <summary>
/// <c>impossible_travel</c>: the implied speed from the user's previous located transaction is above
/// <c>max_speed_kmh</c>, over at least <c>min_distance_km</c> (so that coordinate noise does not count).
/// </summary>
public sealed class ImpossibleTravelRule : Rule
{
    /// <summary>The kind's JSON name.</summary>
    public const string KindName = "impossible_travel";

    /// <summary>Creates the rule.</summary>
    /// <param name="name">Its unique name.</param>
    /// <param name="weight">Its weight in (0, 1].</param>
    /// <param name="maxSpeedKmh">The fastest plausible travel, km/h; it fires above.</param>
    /// <param name="minDistanceKm">Shortest distance it considers.</param>
    public ImpossibleTravelRule(string name, double weight, double maxSpeedKmh, double minDistanceKm)
        : base(name, weight)
    {
        MaxSpeedKmh = maxSpeedKmh;
        MinDistanceKm = minDistanceKm;
    }

    /// <summary>The fastest plausible travel, km/h.</summary>
    public double MaxSpeedKmh { get; }

    /// <summary>Shortest distance it considers, km.</summary>
    public double MinDistanceKm { get; }

    /// <inheritdoc/>
    public override string Kind => KindName;

    /// <inheritdoc/>
    public override bool Matches(in RuleContext context, out double observed)
    {
        observed = context.Features[FeatureSchema.SpeedKmh];
        return observed > MaxSpeedKmh && context.Features[FeatureSchema.DistanceKm] >= MinDistanceKm;
    }

    /// <inheritdoc/>
    public override string Describe(double observed) =>
        $"{Name}: implied speed {RuleText.Number(Math.Round(observed))} km/h from the previous located transaction (> {RuleText.Number(MaxSpeedKmh)} km/h)";

    internal static ImpossibleTravelRule Read(string name, double weight, RuleParameters parameters) => new(
        name,
        weight,
        parameters.Number("max_speed_kmh", min: 0, exclusiveMin: true),
        parameters.Number("min_distance_km", min: 0, fallback: 50));
}
