namespace Fraud.Api.Security;

/// <summary>
/// What an endpoint needs, from least to most: reading (alerts, the stream, stats, rules, models, metrics), an
/// analyst's verdicts, an administrator's changes (rules, models, keys). Each is an authorization policy of that name.
/// </summary>
public enum ApiAccess
{
    Read,
    Analyst,
    Admin,
}

/// <summary>The roles a key can have; a role includes every lesser one (an admin may give verdicts and read).</summary>
public static class ApiRoles
{
    public const string Read = "read";
    public const string Analyst = "analyst";
    public const string Admin = "admin";

    public static readonly string[] All = [Read, Analyst, Admin];

    /// <summary>The roles that grant <paramref name="access"/>.</summary>
    public static string[] Granting(ApiAccess access) => access switch
    {
        ApiAccess.Read => [Read, Analyst, Admin],
        ApiAccess.Analyst => [Analyst, Admin],
        _ => [Admin],
    };

    public static string PolicyOf(ApiAccess access) => access.ToString().ToLowerInvariant();
}

/// <summary>
/// Whether reads need a key: <c>Api:RequireKeyForReads</c>, by default true everywhere but Development (a local run),
/// because alerts carry card holders' ids and amounts and the rules tell a fraudster which thresholds to stay under.
/// </summary>
public sealed record ReadAccess(bool NeedsKey)
{
    public static ReadAccess From(IConfiguration configuration, IHostEnvironment environment) =>
        new(configuration.GetValue<bool?>($"{ApiOptions.Section}:{nameof(ApiOptions.RequireKeyForReads)}") ?? !environment.IsDevelopment());
}
