using System.Text.Json;

namespace Fraud.SystemTests.Integration;

/// <summary>
/// Publishing for Kubernetes describes the whole container topology: the README's manifest command works and names
/// every part (publishing for azd, the default, leaves out what Azure Container Apps cannot run: AzdManifestTests).
/// </summary>
public sealed class ManifestTests
{
    [Fact]
    public async Task Publishing_writes_a_manifest_with_the_broker_the_stores_the_services_and_their_monitoring()
    {
        var output = Path.Combine(Path.GetTempPath(), $"fraud-manifest-{Guid.NewGuid():N}", "aspire-manifest.json");
        try
        {
            var (exitCode, stdout, stderr) = await ChildProcess.RunAsync("dotnet",
                ["run", "--project", Path.Combine(ChildProcess.RepositoryRoot(), "Fraud.AppHost"), "--no-build", "-c", ChildProcess.BuildConfiguration,
                 "--", "--publisher", "manifest", "--output-path", output, "--Publish:Target=kubernetes"]);

            Assert.True(exitCode == 0, $"dotnet run exited {exitCode}: {stderr}{stdout}");
            using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(output));
            var resources = manifest.RootElement.GetProperty("resources");
            Assert.Contains("redpanda", resources.GetProperty("kafka").GetProperty("image").GetString());
            Assert.StartsWith("container.", resources.GetProperty("kafka").GetProperty("type").GetString());
            Assert.StartsWith("container.", resources.GetProperty("postgres").GetProperty("type").GetString());
            Assert.StartsWith("container.", resources.GetProperty("redis").GetProperty("type").GetString());
            Assert.Contains("Database=fraud", resources.GetProperty("fraud").GetProperty("connectionString").GetString());
            Assert.Contains("prom/prometheus", resources.GetProperty("prometheus").GetProperty("image").GetString());
            Assert.Contains("grafana/grafana", resources.GetProperty("grafana").GetProperty("image").GetString());
            foreach (var service in new[] { "producer", "detector", "api" })
            {
                Assert.StartsWith("project.", resources.GetProperty(service).GetProperty("type").GetString());
            }
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(output)!, recursive: true);
        }
    }
}
