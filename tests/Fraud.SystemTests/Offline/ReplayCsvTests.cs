using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Confluent.Kafka;
using Fraud.Core;
using Fraud.SystemTests.Integration;

namespace Fraud.SystemTests.Offline;

/// <summary>
/// <c>Fraud.Producer replay</c> of a CSV, run as a user runs it: against a broker of its own (Fraud.LocalKafka, a
/// child process on a free port), and without one where the mapping is refused before any broker is asked.
/// </summary>
public sealed class ReplayCsvTests : IDisposable
{
    private const string Topic = "transactions.v1";

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("fraud-replay-csv-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public async Task Replay_of_a_csv_publishes_the_valid_rows_as_json_and_reports_the_bad_one_by_line()
    {
        string input = Path.Combine(_folder.FullName, "tx.csv");
        File.WriteAllLines(input,
        [
            "id,when,customer,terminal,amount",
            "t1,2018-04-01 00:00:31,7,\"Rippin, Kub and Mann\",12.50",
            "t2,2018-04-01 00:00:32,8,T2,0",
            "t3,2018-04-01 00:00:33,7,T3,99",
        ]);
        int port = FreePort();
        using var broker = await StartBrokerAsync(port);

        var (exitCode, stdout, stderr) = await ReplayAsync(
            input, "--bootstrap", $"127.0.0.1:{port}", "--map", "tx_id=id,ts=when,user_id=customer,merchant_id=terminal", "--default", "location=FR");

        Assert.True(exitCode == 1, $"exit code {exitCode}: {stderr}{stdout}");
        Assert.Contains("line 3: amount: must be greater than 0 (skipped)", stdout);
        var published = Consume($"127.0.0.1:{port}", expected: 2);
        Assert.Equal(
            [
                ("7", new Transaction("t1", 7, 12.50m, "EUR", "FR", new DateTimeOffset(2018, 4, 1, 0, 0, 31, TimeSpan.Zero), "Rippin, Kub and Mann")),
                ("7", new Transaction("t3", 7, 99m, "EUR", "FR", new DateTimeOffset(2018, 4, 1, 0, 0, 33, TimeSpan.Zero), "T3")),
            ],
            published);
    }

    [Fact]
    public async Task A_csv_without_a_mapped_column_or_with_an_unknown_field_is_refused_before_any_broker_is_asked()
    {
        string input = Path.Combine(_folder.FullName, "tx.csv");
        File.WriteAllLines(input, ["id,when,customer,amount", "t1,2018-04-01 00:00:31,7,12.50"]);

        // Nothing listens on port 1: a replay that got as far as the broker would say so instead.
        var missing = await ReplayAsync(input, "--bootstrap", "127.0.0.1:1", "--map", "ts=when,user_id=CUSTOMER_ID", "--default", "location=FR");
        var unknown = await ReplayAsync(input, "--bootstrap", "127.0.0.1:1", "--map", "when=when");

        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("no column 'CUSTOMER_ID' (mapped to user_id); the header has: id, when, customer, amount", missing.Error);
        Assert.DoesNotContain("No broker", missing.Error);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("--map: 'when' is not a field", unknown.Error + unknown.Out);
    }

    private static string ProducerAssembly() => BuiltAssembly("Fraud.Producer");

    private static string BuiltAssembly(string project) =>
        Path.Combine(ChildProcess.RepositoryRoot(), project, "bin", ChildProcess.BuildConfiguration, "net10.0", $"{project}.dll");

    private static Task<(int ExitCode, string Out, string Error)> ReplayAsync(string input, params string[] args) =>
        ChildProcess.RunAsync("dotnet", [ProducerAssembly(), "replay", "--input", input, .. args]);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts Fraud.LocalKafka with the transactions topic on one partition and waits until it says it is ready.</summary>
    private static async Task<Broker> StartBrokerAsync(int port)
    {
        var process = Process.Start(new ProcessStartInfo("dotnet", [BuiltAssembly("Fraud.LocalKafka"), "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--topic", $"{Topic}:1"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var broker = new Broker(process);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("LocalKafka ready", StringComparison.Ordinal))
            {
                return broker;
            }
        }

        broker.Dispose();
        throw new InvalidOperationException($"Fraud.LocalKafka did not start: {await process.StandardError.ReadToEndAsync()}");
    }

    /// <summary>The keys and transactions on the topic, in offset order, once <paramref name="expected"/> have arrived (or 30 s have passed).</summary>
    private static List<(string Key, Transaction Transaction)> Consume(string bootstrap, int expected)
    {
        using var consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = $"test-replay-csv-{Guid.NewGuid():N}",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Assign(new TopicPartitionOffset(Topic, 0, Offset.Beginning));
        var arrived = new List<(string, Transaction)>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (arrived.Count < expected && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { Message: { } message })
            {
                Assert.True(TransactionJson.TryParse(message.Value, out var transaction, out string? error), error);
                arrived.Add((message.Key, transaction));
            }
        }

        return arrived;
    }

    /// <summary>The broker's process, ended on dispose: it holds nothing worth a clean stop.</summary>
    private sealed class Broker(Process process) : IDisposable
    {
        public void Dispose()
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit();
            }

            process.Dispose();
        }
    }
}
