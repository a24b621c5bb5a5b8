using System.Text.RegularExpressions;

namespace Fraud.Deploy;

/// <summary>
/// Resolves the manifest's placeholders for a cluster where each container is a Service of its own name:
/// <c>{postgres.bindings.tcp.host}</c> → <c>postgres</c>, <c>{postgres.bindings.tcp.port}</c> → its target port,
/// <c>{x.connectionString}</c> → x's connection string, resolved in turn, and a secret parameter
/// <c>{postgres-password.value}</c> → <c>$(POSTGRES_PASSWORD)</c>, which Kubernetes expands from an environment
/// variable that reads the Secret, so no secret value is ever written into a manifest.
/// </summary>
internal sealed partial class ManifestExpressions(AspireManifest manifest)
{
    /// <summary>The secret parameters the last resolutions referred to, by environment variable name.</summary>
    public SortedSet<string> SecretParameters { get; } = new(StringComparer.Ordinal);

    /// <summary>The containers the resolutions so far pointed at.</summary>
    public SortedSet<string> Containers { get; } = new(StringComparer.Ordinal);

    /// <summary>The containers' bindings (ports) the resolutions so far pointed at.</summary>
    public SortedSet<(string Container, string Binding)> Bindings { get; } = [];

    public static string VariableOf(string parameter) => parameter.Replace('-', '_').ToUpperInvariant();

    public string Resolve(string text) => Placeholder().Replace(text, match =>
    {
        string resource = match.Groups["resource"].Value;
        string path = match.Groups["path"].Value;
        if (path == "connectionString")
        {
            return manifest.ConnectionStrings.TryGetValue(resource, out var connectionString)
                ? Resolve(connectionString)
                : throw new InvalidDataException($"{{{resource}.connectionString}}: no such resource in the manifest.");
        }

        if (path == "value")
        {
            SecretParameters.Add(resource);
            return $"$({VariableOf(resource)})";
        }

        if (BindingPath().Match(path) is { Success: true } binding && manifest.Containers.TryGetValue(resource, out var container))
        {
            Containers.Add(resource);
            Bindings.Add((resource, binding.Groups["binding"].Value));
            return binding.Groups["part"].Value == "host"
                ? resource
                : container.Ports[binding.Groups["binding"].Value].ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        throw new InvalidDataException($"{match.Value}: the generator does not know this placeholder.");
    });

    [GeneratedRegex(@"\{(?<resource>[a-z0-9-]+)\.(?<path>[A-Za-z0-9.]+)\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"^bindings\.(?<binding>\w+)\.(?<part>host|port|targetPort)$")]
    private static partial Regex BindingPath();
}
