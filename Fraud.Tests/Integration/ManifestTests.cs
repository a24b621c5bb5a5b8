using System.Diagnostics;
using System.Reflection;
using System.Text.Json;

namespace Fraud.Tests.Integration;

/// <summary>Publishing describes the container topology: the README's manifest command works and names every part.</summary>
public sealed class ManifestTests
{
    [Fact]
    public async Task Publishing_writes_a_manifest_with_the_broker_the_stores_and_the_services()
    {
        var output = Path.Combine(Path.GetTempPath(), $"fraud-manifest-{Guid.NewGuid():N}", "aspire-manifest.json");
        try
        {
            var configuration = typeof(ManifestTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
            var exitCode = await RunAsync("dotnet",
                ["run", "--project", Path.Combine(RepositoryRoot(), "Fraud.AppHost"), "--no-build", "-c", configuration,
                 "--", "--publisher", "manifest", "--output-path", output]);

            Assert.Equal(0, exitCode);
            using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(output));
            var resources = manifest.RootElement.GetProperty("resources");
            Assert.Contains("redpanda", resources.GetProperty("kafka").GetProperty("image").GetString());
            Assert.StartsWith("container.", resources.GetProperty("kafka").GetProperty("type").GetString());
            Assert.StartsWith("container.", resources.GetProperty("postgres").GetProperty("type").GetString());
            Assert.StartsWith("container.", resources.GetProperty("redis").GetProperty("type").GetString());
            Assert.Contains("Database=fraud", resources.GetProperty("fraud").GetProperty("connectionString").GetString());
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

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Fraud.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Fraud.sln not found above the test binaries.");
    }

    private static async Task<int> RunAsync(string program, string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            Assert.Fail($"{program} exited {process.ExitCode}: {await stderr}{await stdout}");
        }
        return process.ExitCode;
    }
}
