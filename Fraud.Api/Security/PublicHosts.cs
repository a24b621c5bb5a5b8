using Microsoft.Extensions.Primitives;

namespace Fraud.Api.Security;

/// <summary>
/// The host names the API answers to (<c>Api:AllowedHosts</c>), so a page on another site whose DNS name is pointed at
/// the API (DNS rebinding) cannot read it through a browser. ASP.NET Core's own <c>AllowedHosts</c> stays <c>*</c>
/// because it filters every request, and the kubelet's probes and Prometheus reach a pod by its IP: the probes and
/// <c>/metrics</c> (which needs a key outside Development anyway) answer whatever the host, every other path only for
/// a listed one. Unset: any host in Development, the cluster's own names elsewhere; a deployment behind a public
/// name lists it too (the list replaces the default).
/// </summary>
public sealed class PublicHosts
{
    /// <summary>A service in Kubernetes (<c>api</c>, <c>api.&lt;namespace&gt;.svc.cluster.local</c>), a port-forward,
    /// and the names azd gives a Container App.</summary>
    public static readonly string[] ProductionDefault = ["localhost", "127.0.0.1", "api", "*.svc.cluster.local", "*.azurecontainerapps.io"];

    private static readonly PathString[] ClusterPaths = ["/health", "/alive", "/metrics"];

    private readonly StringSegment[] _allowed;

    private PublicHosts(IEnumerable<string> allowed) => _allowed = [.. allowed.Select(host => new StringSegment(host))];

    /// <summary>Every host is admitted (<c>*</c> in the list, or Development with no list).</summary>
    public bool AdmitsAny => _allowed.Any(host => host == "*");

    public static PublicHosts From(IConfiguration configuration, IHostEnvironment environment)
    {
        string[]? configured = configuration.GetSection($"{ApiOptions.Section}:AllowedHosts").Get<string[]>();
        return new PublicHosts(configured is { Length: > 0 } ? configured : environment.IsDevelopment() ? ["*"] : ProductionDefault);
    }

    public bool Admits(HttpRequest request) =>
        AdmitsAny
        || ClusterPaths.Any(path => request.Path.StartsWithSegments(path))
        || (request.Host.HasValue && HostString.MatchesAny(request.Host.Value, _allowed));
}
