namespace Fraud.Api.Alerts;

/// <summary>A validated <c>GET /alerts</c> query: which alerts, how many, and after which cursor.</summary>
internal sealed record AlertFilter
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 1000;

    public int Limit { get; init; } = DefaultLimit;
    public long? UserId { get; init; }

    /// <summary>Inclusive lower bound on created_at.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Exclusive upper bound on created_at.</summary>
    public DateTimeOffset? Until { get; init; }

    public double? MinRisk { get; init; }
    public string? Rule { get; init; }
    public string? Status { get; init; }
    public AlertCursor? After { get; init; }
}
