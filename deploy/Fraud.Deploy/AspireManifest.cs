using System.Text.Json;
using System.Text.RegularExpressions;

namespace Fraud.Deploy;

/// <summary>
/// What the generator reads from the AppHost's manifest (<c>--publisher manifest</c>): the services (project
/// resources) with the connection strings and secret parameters they use and their HTTP port, and the containers
/// the AppHost declares for the broker, Postgres and Redis. Everything else in the manifest is Aspire's own.
/// </summary>
internal sealed partial record AspireManifest(
    IReadOnlyList<ServiceResource> Services,
    IReadOnlyDictionary<string, ContainerResource> Containers,
    IReadOnlyDictionary<string, string> ConnectionStrings,
    IReadOnlySet<string> OptionalSecrets)
{
    public static AspireManifest Read(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var resources = document.RootElement.GetProperty("resources");
        var services = new List<ServiceResource>();
        var containers = new Dictionary<string, ContainerResource>(StringComparer.Ordinal);
        var connectionStrings = new Dictionary<string, string>(StringComparer.Ordinal);
        var optionalSecrets = new HashSet<string>(StringComparer.Ordinal);
        foreach (var resource in resources.EnumerateObject())
        {
            if (resource.Value.TryGetProperty("connectionString", out var connectionString))
            {
                connectionStrings[resource.Name] = connectionString.GetString() ?? string.Empty;
            }

            string type = resource.Value.GetProperty("type").GetString() ?? string.Empty;
            if (type.StartsWith("project.", StringComparison.Ordinal))
            {
                services.Add(ServiceOf(resource.Name, resource.Value));
            }
            else if (type.StartsWith("container.", StringComparison.Ordinal))
            {
                containers[resource.Name] = ContainerOf(resource.Name, resource.Value);
            }
            else if (type.StartsWith("parameter.", StringComparison.Ordinal) && IsOptionalSecret(resource.Value))
            {
                optionalSecrets.Add(resource.Name);
            }
        }

        return new AspireManifest(services, containers, connectionStrings, optionalSecrets);
    }

    private static ServiceResource ServiceOf(string name, JsonElement resource)
    {
        var env = Strings(resource, "env");
        // Connection name → what it refers to ({fraud-service.connectionString}): a reference may name its connection
        // otherwise than its resource. A name with '-' is also written with '_' (environment-safe); the services read the first.
        const string prefix = "ConnectionStrings__";
        var names = env.Keys.Where(key => key.StartsWith(prefix, StringComparison.Ordinal)).Select(key => key[prefix.Length..]).ToHashSet(StringComparer.Ordinal);
        var connections = new SortedDictionary<string, string>(
            names.Where(name => !(name.Contains('_', StringComparison.Ordinal) && names.Contains(name.Replace('_', '-'))))
                .ToDictionary(name => name, name => env[prefix + name], StringComparer.Ordinal),
            StringComparer.Ordinal);
        // Settings whose value is a secret parameter, e.g. Api__Key = {api-key.value}.
        var secrets = env
            .Where(pair => IsServiceSetting(pair.Key) && ParameterReference().IsMatch(pair.Value))
            .ToDictionary(pair => pair.Key, pair => ParameterReference().Match(pair.Value).Groups["parameter"].Value, StringComparer.Ordinal);
        var plain = env
            .Where(pair => !pair.Value.Contains('{', StringComparison.Ordinal) && IsServiceSetting(pair.Key))
            .ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);
        var http = resource.GetProperty("bindings").GetProperty("http");
        int port = http.TryGetProperty("port", out var fixedPort) ? fixedPort.GetInt32() : 8080;
        bool external = http.TryGetProperty("external", out var isExternal) && isExternal.GetBoolean();
        return new ServiceResource(name, port, external, connections, secrets, plain);
    }

    /// <summary>A secret parameter whose published default is a plain (empty) value: the service runs without it.</summary>
    private static bool IsOptionalSecret(JsonElement parameter) =>
        parameter.TryGetProperty("inputs", out var inputs) && inputs.TryGetProperty("value", out var input)
        && input.TryGetProperty("secret", out var secret) && secret.GetBoolean()
        && input.TryGetProperty("default", out var fallback) && fallback.TryGetProperty("value", out _);

    /// <summary>Aspire adds per-reference variables (FRAUD_HOST, REDIS_URI, …) the services never read; they use ConnectionStrings__*.</summary>
    private static bool IsServiceSetting(string key) =>
        key.StartsWith("OTEL_", StringComparison.Ordinal) || key.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || key.Contains("__", StringComparison.Ordinal);

    private static ContainerResource ContainerOf(string name, JsonElement resource)
    {
        var ports = new SortedDictionary<string, int>(StringComparer.Ordinal);
        if (resource.TryGetProperty("bindings", out var bindings))
        {
            foreach (var binding in bindings.EnumerateObject())
            {
                ports[binding.Name] = binding.Value.GetProperty("targetPort").GetInt32();
            }
        }

        var volumes = resource.TryGetProperty("volumes", out var list)
            ? list.EnumerateArray().Select(volume => volume.GetProperty("target").GetString()!).ToArray()
            : [];
        var args = resource.TryGetProperty("args", out var argList) ? argList.EnumerateArray().Select(arg => arg.GetString()!).ToArray() : [];
        string? entrypoint = resource.TryGetProperty("entrypoint", out var entry) ? entry.GetString() : null;
        return new ContainerResource(name, resource.GetProperty("image").GetString()!, entrypoint, args, Strings(resource, "env"), ports, volumes);
    }

    private static Dictionary<string, string> Strings(JsonElement resource, string property) =>
        resource.TryGetProperty(property, out var values)
            ? values.EnumerateObject().ToDictionary(pair => pair.Name, pair => pair.Value.GetString() ?? string.Empty, StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);

    [GeneratedRegex(@"^\{(?<parameter>[a-z0-9-]+)\.value\}$")]
    private static partial Regex ParameterReference();
}

/// <summary>A service of ours: its name, HTTP port, the connection strings it uses (name → reference), its secret settings (setting → parameter) and its plain settings.</summary>
internal sealed record ServiceResource(
    string Name, int Port, bool External, IReadOnlyDictionary<string, string> Connections, IReadOnlyDictionary<string, string> SecretSettings, IReadOnlyDictionary<string, string> Settings);

/// <summary>A container the AppHost declares (containers mode): image, command, environment, ports by binding name and data folders.</summary>
internal sealed record ContainerResource(
    string Name, string Image, string? Entrypoint, IReadOnlyList<string> Args, IReadOnlyDictionary<string, string> Env,
    IReadOnlyDictionary<string, int> Ports, IReadOnlyList<string> Volumes);
