namespace Fraud.Tests.Integration.Security;

/// <summary>
/// The API refuses to start with a key that is easy to guess, or outside Development with the published development
/// key: run as a process the way a deployment starts it (its dependencies need not exist, it stops before them).
/// </summary>
public sealed class KeyStrengthTests
{
    [Theory]
    [InlineData("Production", "short-key", "at least 32 characters")]
    [InlineData("Development", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "at least 10 different")]
    [InlineData("Production", "dev-only-key-not-a-secret-change-me", "published development key")]
    public async Task The_api_refuses_to_start_with_a_weak_key(string environment, string key, string reason)
    {
        string api = Path.Combine(ChildProcess.RepositoryRoot(), "Fraud.Api", "bin", ChildProcess.BuildConfiguration, "net10.0", "Fraud.Api.dll");

        var start = new System.Diagnostics.ProcessStartInfo("dotnet", [api]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in new Dictionary<string, string>
        {
            ["DOTNET_ENVIRONMENT"] = environment,
            ["ASPNETCORE_ENVIRONMENT"] = environment,
            ["Api__Key"] = key,
            ["HTTP_PORTS"] = "0",
            ["ConnectionStrings__fraud"] = "Host=127.0.0.1;Port=1;Username=nobody;Password=none;Database=fraud",
            ["ConnectionStrings__redis"] = "127.0.0.1:1",
            ["ConnectionStrings__kafka"] = "127.0.0.1:1",
        })
        {
            start.Environment[name] = value;
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);   // it started: the key was accepted
            Assert.Fail($"The API started with the key '{key}' ({environment}).");
        }

        Assert.NotEqual(0, process.ExitCode);
        Assert.Contains(reason, await error + await output);
    }
}
