using Fraud.SystemTests.Integration;
using k8s;
using k8s.Models;

namespace Fraud.SystemTests.Deploy;

/// <summary>
/// A secret configured on the AppHost (user secrets, environment, command line) reaches the services only through
/// secret parameters: publishing and generating deploy/k8s with every kind of secret set writes none of their values.
/// </summary>
public sealed class SecretLeakTests
{
    private static readonly string Root = ChildProcess.RepositoryRoot();

    [Fact]
    public async Task Secrets_configured_on_the_AppHost_appear_nowhere_in_the_manifest_or_the_generated_tree()
    {
        string Secret(string what) => $"{what}-{Guid.NewGuid():N}";
        var secrets = new Dictionary<string, string>
        {
            // the API key, the webhook secret and URL the README's way, and the database passwords (the services' logins' too)
            ["Parameters__api-key"] = Secret("apikey"),
            ["Alerting__Secret"] = Secret("hmac"),
            ["Alerting__Webhooks__0"] = $"https://hooks.example.com/services/{Secret("token")}",
            ["Parameters__postgres-password"] = Secret("pg"),
            ["Parameters__redis-password"] = Secret("redis"),
            ["Parameters__fraud-service-password"] = Secret("svc"),
            ["Parameters__fraud-detector-password"] = Secret("detector"),
        };
        var folder = Directory.CreateTempSubdirectory("fraud-secret-leak-");
        try
        {
            string manifest = Path.Combine(folder.FullName, "aspire-manifest.json");
            string tree = Path.Combine(folder.FullName, "k8s");
            var published = await ChildProcess.RunAsync("dotnet",
                ["run", "--project", Path.Combine(Root, "Fraud.AppHost"), "--no-build", "-c", ChildProcess.BuildConfiguration,
                 "--", "--publisher", "manifest", "--output-path", manifest, "--Publish:Target=kubernetes"], secrets);
            Assert.True(published.ExitCode == 0, published.StandardError + published.StandardOutput);
            var generated = await ChildProcess.RunAsync("dotnet",
                ["run", "--project", Path.Combine(Root, "deploy", "Fraud.Deploy"), "--no-build", "-c", ChildProcess.BuildConfiguration,
                 "--", "k8s", "--manifest", manifest, "--output", tree]);
            Assert.True(generated.ExitCode == 0, generated.StandardError + generated.StandardOutput);

            var files = Directory.EnumerateFiles(tree, "*", SearchOption.AllDirectories).Append(manifest).ToList();
            Assert.True(files.Count > 10, $"only {files.Count} files were written");
            foreach (string file in files)
            {
                string text = await File.ReadAllTextAsync(file);
                foreach (var (setting, value) in secrets)
                {
                    Assert.False(text.Contains(value, StringComparison.Ordinal), $"{setting}'s value is written in {Path.GetRelativePath(folder.FullName, file)}");
                }
            }

            // The API still gets each of them, by reference to the Secret.
            var api = KubernetesYaml.LoadAllFromString(await File.ReadAllTextAsync(Path.Combine(tree, "base", "api.yaml"))).OfType<V1Deployment>().Single();
            var env = api.Spec.Template.Spec.Containers.Single().Env.ToDictionary(variable => variable.Name);
            Assert.Equal(("fraud-secrets", "api-key", (bool?)null), Reference(env["Api__Key"]));
            Assert.Equal(("fraud-secrets", "alerting-secret", (bool?)true), Reference(env["Alerting__Secret"]));
            Assert.Equal(("fraud-secrets", "alerting-webhooks", (bool?)true), Reference(env["Alerting__WebhookUrls"]));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static (string Secret, string Key, bool? Optional) Reference(V1EnvVar variable)
    {
        var reference = variable.ValueFrom?.SecretKeyRef ?? throw new Xunit.Sdk.XunitException($"{variable.Name} has a literal value, not a Secret reference");
        return (reference.Name, reference.Key, reference.Optional);
    }
}
