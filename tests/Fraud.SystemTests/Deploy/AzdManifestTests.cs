using System.Text.Json;
using Fraud.SystemTests.Integration;

namespace Fraud.SystemTests.Deploy;

/// <summary>
/// The manifest azd reads (it runs the AppHost's publisher with no arguments, azure.yaml) meets the rules of azd's
/// AppHost generator (Azure/azure-dev, cli/azd/pkg/apphost: generate.go, aca_ingress.go; docs/deploy.md), checked by
/// the fields azd reads. What only a subscription can show is listed in docs/deploy.md.
/// </summary>
public sealed class AzdManifestTests
{
    private static readonly string Root = ChildProcess.RepositoryRoot();

    /// <summary>The resource types azd's generator turns into Azure resources (generate.go, LoadManifest); any other fails.</summary>
    private static readonly string[] SupportedTypes =
        ["project.v0", "project.v1", "container.v0", "container.v1", "dockerfile.v0", "dapr.v0", "dapr.component.v0",
         "parameter.v0", "value.v0", "annotated.string", "azure.bicep.v0", "azure.bicep.v1"];

    [Fact]
    public async Task The_published_manifest_meets_azds_apphost_generator_and_Azure_Container_Apps()
    {
        var resources = await PublishAsync();

        Assert.All(resources, resource => Assert.Contains(Type(resource.Value), SupportedTypes));
        // The detector's young-generation budget (shorter GC pauses, a shorter latency tail) goes to a deployment too.
        Assert.True(resources["detector"].GetProperty("env").TryGetProperty("DOTNET_GCgen0size", out _), "the detector is published without DOTNET_GCgen0size");
        // Azure Files (SMB) is where azd puts every volume; the Postgres image's initdb cannot chown/chmod there.
        Assert.False(resources["postgres"].TryGetProperty("volumes", out _), "Postgres must have no data volume on Azure Container Apps");
        // azd uploads bind-mount sources only behind its alpha "azd operations"; otherwise it ignores them and the
        // container starts without its configuration.
        Assert.All(resources, resource => Assert.False(resource.Value.TryGetProperty("bindMounts", out _), $"{resource.Key} has bind mounts"));

        var bindingsByResource = resources
            .Where(resource => resource.Value.TryGetProperty("bindings", out _))
            .ToDictionary(resource => resource.Key, resource => resource.Value.GetProperty("bindings").EnumerateObject().ToList());
        Assert.All(bindingsByResource, resource =>
        {
            var (name, bindings) = (resource.Key, resource.Value);
            // One ingress transport per container app: HTTP for all of its bindings, or for none (aca_ingress.go groups
            // bindings and picks one main ingress; an HTTP one turns a broker's or database's main port into HTTP).
            Assert.True(bindings.Select(binding => IsHttp(binding.Value)).Distinct().Count() == 1, $"{name} mixes HTTP and TCP bindings");
            foreach (var binding in bindings)
            {
                string scheme = binding.Value.GetProperty("scheme").GetString()!;
                // aca_ingress.go, validateBindings: a tcp binding needs its container port.
                Assert.True(scheme != "tcp" || binding.Value.TryGetProperty("targetPort", out _), $"{name}.{binding.Name}: tcp without targetPort");
                // pickIngress: the main HTTP ingress only serves port 80 (http) or 443 (https).
                Assert.True(!IsHttp(binding.Value) || !binding.Value.TryGetProperty("port", out var port) || port.GetInt32() == (scheme == "https" ? 443 : 80),
                    $"{name}.{binding.Name}: an HTTP binding's port must be 80/443 on Azure Container Apps (use its targetPort)");
                // validateExternalBindings: external only for HTTP.
                Assert.True(!External(binding.Value) || IsHttp(binding.Value), $"{name}.{binding.Name}: external non-HTTP endpoint");
            }
        });
        Assert.All(bindingsByResource, resource => Assert.True(resource.Value.Count(binding => External(binding.Value)) <= 1, $"{resource.Key}: several external endpoints"));

        // generate.go, evalBindingRef: "default value for secured parameter ... is not supported".
        Assert.All(resources.Where(resource => Type(resource.Value) == "parameter.v0"), parameter =>
        {
            var input = parameter.Value.GetProperty("inputs").GetProperty("value");
            bool secret = input.TryGetProperty("secret", out var isSecret) && isSecret.GetBoolean();
            Assert.False(secret && input.TryGetProperty("default", out var fallback) && fallback.TryGetProperty("value", out _),
                $"{parameter.Key}: azd refuses a default value on a secret parameter");
        });
    }

    [Fact]
    public async Task A_managed_database_replaces_the_Postgres_container_with_secret_connection_strings_for_the_owner_and_the_services()
    {
        var resources = await PublishAsync(new Dictionary<string, string> { ["Postgres__Managed"] = "true" });

        Assert.False(resources.ContainsKey("postgres"));
        // Three logins, all asked for as secrets: the API's (fraud), the detector's (fraud-detector, which may only read the
        // models and rule sets) and the owner's that migrates (fraud-owner).
        foreach (var (name, services) in new[]
        {
            ("fraud", new[] { "api" }),
            ("fraud-detector", new[] { "detector" }),
            ("fraud-owner", new[] { "detector", "api" }),
        })
        {
            var login = resources[name];
            Assert.Equal("parameter.v0", Type(login));
            Assert.Equal($"{{{name}.value}}", login.GetProperty("connectionString").GetString());
            Assert.True(login.GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean());
            Assert.False(login.GetProperty("inputs").GetProperty("value").TryGetProperty("default", out _));
            Assert.All(services, service =>
                Assert.Equal($"{{{name}.connectionString}}", resources[service].GetProperty("env").GetProperty($"ConnectionStrings__{name}").GetString()));
        }
    }

    private static async Task<Dictionary<string, JsonElement>> PublishAsync(IReadOnlyDictionary<string, string>? environment = null)
    {
        var folder = Directory.CreateTempSubdirectory("fraud-azd-manifest-");
        try
        {
            string output = Path.Combine(folder.FullName, "aspire-manifest.json");
            // As azd runs it (cli/azd/pkg/tools/dotnet/dotnet.go, PublishAppHostManifest): no AppHost arguments.
            var (exitCode, stdout, stderr) = await ChildProcess.RunAsync("dotnet",
                ["run", "--project", Path.Combine(Root, "Fraud.AppHost"), "--no-build", "-c", ChildProcess.BuildConfiguration,
                 "--", "--publisher", "manifest", "--output-path", output], environment);
            Assert.True(exitCode == 0, $"dotnet run exited {exitCode}: {stderr}{stdout}");
            using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(output));
            return manifest.RootElement.GetProperty("resources").EnumerateObject().ToDictionary(resource => resource.Name, resource => resource.Value.Clone());
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static string Type(JsonElement resource) => resource.GetProperty("type").GetString()!;

    private static bool IsHttp(JsonElement binding) => binding.GetProperty("scheme").GetString() is "http" or "https";

    private static bool External(JsonElement binding) => binding.TryGetProperty("external", out var external) && external.GetBoolean();
}
