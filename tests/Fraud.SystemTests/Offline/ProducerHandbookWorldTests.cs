using Fraud.Core;
using Fraud.Simulation.Handbook;
using Fraud.SystemTests.Integration;

namespace Fraud.SystemTests.Offline;

/// <summary><c>Fraud.Producer generate --world handbook</c> through the built producer, run as a user runs it: a child process.</summary>
public sealed class ProducerHandbookWorldTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("fraud-handbook-");

    public void Dispose() => _folder.Delete(recursive: true);

    private string PathOf(string name) => Path.Combine(_folder.FullName, name);

    private static string ProducerDll { get; } = Path.Combine(
        ChildProcess.RepositoryRoot(), "Fraud.Producer", "bin", ChildProcess.BuildConfiguration, "net10.0", "Fraud.Producer.dll");

    [Fact]
    public async Task Generate_writes_the_handbook_world_of_the_options_byte_for_byte()
    {
        var (exitCode, stdout, stderr) = await ChildProcess.RunAsync("dotnet", [ProducerDll, "generate", "--world", "handbook",
            "--users", "300", "--terminals", "600", "--seed", "4", "--duration", "3d", "--output", PathOf("tx.jsonl"), "--labels-out", PathOf("labels.jsonl")]);

        Assert.True(exitCode == 0, $"exit code {exitCode}: {stderr}{stdout}");
        var transactions = File.ReadAllLines(PathOf("tx.jsonl"));
        var labels = File.ReadAllLines(PathOf("labels.jsonl"));
        var simulator = new HandbookSimulator(new HandbookOptions { Seed = 4, Customers = 300, Terminals = 600 });
        var expected = Enumerable.Range(0, transactions.Length + 1).Select(_ => simulator.Next()).ToList();
        Assert.Equal(expected.SkipLast(1).Select(e => TransactionJson.Serialize(e.Transaction)), transactions);
        Assert.Equal(expected.SkipLast(1).Select(e => LabelJson.Serialize(e.Label)), labels);
        // It stopped at the end of the third day, not before.
        Assert.True(expected[^1].Transaction.Ts >= HandbookOptions.DefaultStart.AddDays(3));
    }

    [Fact]
    public async Task An_option_of_the_other_world_is_a_usage_error()
    {
        var (exitCode, _, stderr) = await ChildProcess.RunAsync("dotnet", [ProducerDll, "generate", "--world", "handbook",
            "--fraud-rate", "0.02", "--count", "10", "--output", PathOf("tx.jsonl")]);

        Assert.Equal(2, exitCode);
        Assert.Contains("--fraud-rate does not apply to --world handbook", stderr);
        Assert.False(File.Exists(PathOf("tx.jsonl")));
    }
}
