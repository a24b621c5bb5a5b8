using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Fraud.SystemTests.Integration.Faults;
using Xunit.Abstractions;

namespace Fraud.SystemTests.Integration.RunModes;

/// <summary>
/// What the README promises of a local run (<c>./run.sh</c>): Ctrl+C, or SIGTERM to the AppHost, stops every process
/// it started; Postgres keeps its data across runs in the state folder. Two runs of the AppHost as a process on one
/// state folder: the first writes a row and is stopped with SIGINT, the second reads the row and is stopped with SIGTERM.
/// </summary>
[Collection(PrivateSystemsCollection.Name)]
public sealed class AppHostRunTests(ITestOutputHelper output) : IDisposable
{
    private const string AdminKey = "test-only-api-key-not-a-secret-12345";
    private static readonly TimeSpan StartLimit = TimeSpan.FromMinutes(3), StopLimit = TimeSpan.FromSeconds(90);
    // A run as light as it can be: no live traffic, a small bootstrap model (trained once, kept in the state folder).
    private static readonly string[] Light = ["--Producer:Enabled=false", "--Detector:BootstrapTransactions=5000"];
    private readonly DirectoryInfo _state = Directory.CreateTempSubdirectory("fraud-apphost-run-");

    [Fact]
    public async Task Ctrl_C_stops_every_process_the_AppHost_started_and_the_next_run_finds_the_data_of_the_last()
    {
        string name = $"kept-{Guid.NewGuid():N}"[..13];
        string key;
        await using (var first = AppHostProcess.Start(_state.FullName, AdminKey, Light))
        {
            using var api = await first.WaitForHealthyApiAsync(StartLimit);
            using var created = await api.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/keys")
            {
                Headers = { { "X-Api-Key", AdminKey } },
                Content = JsonContent.Create(new { name, role = "read" }),
            });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            key = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("key").GetString()!;

            await StopAndAssertNothingLeftAsync(first, "INT");   // Ctrl+C
        }

        await using var second = AppHostProcess.Start(_state.FullName, AdminKey, Light);
        using (var api = await second.WaitForHealthyApiAsync(StartLimit))
        {
            // The key exists only as its digest in the api_keys table of the first run.
            using var me = await api.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/me") { Headers = { { "X-Api-Key", key } } });
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
            Assert.Equal(name, JsonDocument.Parse(await me.Content.ReadAsStringAsync()).RootElement.GetProperty("name").GetString());
        }
        await StopAndAssertNothingLeftAsync(second, "TERM");
    }

    private async Task StopAndAssertNothingLeftAsync(AppHostProcess appHost, string signal)
    {
        var started = appHost.StartedProcesses();
        // The processes must be found, or "none left" would prove nothing: the orchestrator, the stores, the broker, the services.
        Assert.All(new[] { "dcp", "postgres", "redis-server", "prometheus", "Fraud.Api", "Fraud.Detector", "Fraud.Producer" },
            program => Assert.Contains(started, p => p.Name == program));
        var stopping = DateTime.UtcNow;
        await appHost.SignalAsync(signal);
        int exitCode = await appHost.WaitForExitAsync(StopLimit);

        // The AppHost may exit before the orchestrator has stopped the last of them: give them the same bound.
        var deadline = DateTime.UtcNow + StopLimit;
        while (started.Any(p => p.IsRunning) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }
        output.WriteLine($"SIG{signal}: the AppHost exited with {exitCode}; {started.Count} processes, the last gone {(DateTime.UtcNow - stopping).TotalSeconds:0.0} s after the signal");
        Assert.Empty(started.Where(p => p.IsRunning).Select(p => $"{p.Name} ({p.Id})"));
    }

    public void Dispose() => _state.Delete(recursive: true);
}
