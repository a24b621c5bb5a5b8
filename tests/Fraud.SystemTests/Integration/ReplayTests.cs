using Confluent.Kafka;
using Fraud.Core;

namespace Fraud.SystemTests.Integration;

/// <summary><c>Fraud.Producer replay</c> against the running system's broker, run as a user runs it: a child process.</summary>
[Collection(FraudSystemCollection.Name)]
public sealed class ReplayTests(FraudSystemFixture system)
{
    private const string Topic = "transactions.v1";

    [Fact]
    public async Task Replay_delivers_exactly_the_valid_lines_in_order_and_reports_the_invalid_ones_by_line_number()
    {
        // Everything this test publishes carries its own prefix: the live producer writes to the same topic.
        string prefix = $"tx_replay_{Guid.NewGuid():N}_";
        string Valid(int n) => TransactionJson.Serialize(TransactionMessages.ContractExampleTransaction with { TxId = $"{prefix}{n}" });
        string[] lines =
        [
            Valid(1),
            "this is not json",
            Valid(2),
            $$"""{"tx_id":"{{prefix}}no_amount","user_id":4405,"location":"ES","ts":"2025-09-13T07:46:41Z"}""",
            Valid(3),
            "",
            $$"""{"tx_id":"{{prefix}}negative","user_id":4405,"amount":-5,"location":"ES","ts":"2025-09-13T07:46:41Z"}""",
            Valid(4),
        ];
        string input = Path.Combine(Path.GetTempPath(), $"{prefix}input.jsonl");
        await File.WriteAllLinesAsync(input, lines);
        try
        {
            var (exitCode, stdout, stderr) = await ChildProcess.RunAsync(
                "dotnet",
                [ProducerAssembly(), "replay", "--input", input],
                new Dictionary<string, string> { ["ConnectionStrings__kafka"] = system.KafkaBootstrap });

            Assert.True(exitCode == 1, $"exit code {exitCode}: {stderr}{stdout}");
            Assert.Contains("line 2: invalid JSON", stdout);
            Assert.Contains("line 4: amount: required", stdout);
            Assert.Contains("line 7: amount: must be greater than 0", stdout);
            Assert.DoesNotContain("line 6", stdout); // blank, ignored
            Assert.Equal([$"{prefix}1", $"{prefix}2", $"{prefix}3", $"{prefix}4"], ArrivedWithPrefix(prefix));
        }
        finally
        {
            File.Delete(input);
        }
    }

    private static string ProducerAssembly() => Path.Combine(
        ChildProcess.RepositoryRoot(), "Fraud.Producer", "bin", ChildProcess.BuildConfiguration, "net10.0", "Fraud.Producer.dll");

    /// <summary>The tx_ids on the topic that start with <paramref name="prefix"/>, in offset order, read from the beginning to the end.</summary>
    private List<string> ArrivedWithPrefix(string prefix)
    {
        using var consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig
        {
            BootstrapServers = system.KafkaBootstrap,
            GroupId = $"test-replay-{Guid.NewGuid():N}",
            EnableAutoCommit = false,
        }).Build();
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = system.KafkaBootstrap }).Build();
        var partitions = admin.GetMetadata(Topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions
            .Select(p => new TopicPartition(Topic, p.PartitionId)).ToList();
        // The end as it is now, after replay has exited: everything it published lies before it.
        var ends = partitions.ToDictionary(p => p, p => consumer.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(10)).High);
        consumer.Assign(partitions.Select(p => new TopicPartitionOffset(p, Offset.Beginning)));

        var arrived = new List<string>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (ends.Any(end => end.Value > 0 && consumer.Position(end.Key) < end.Value) && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { Message: { } message }
                && TransactionJson.TryParse(message.Value, out var transaction, out _)
                && transaction.TxId.StartsWith(prefix, StringComparison.Ordinal))
            {
                Assert.Equal(transaction.UserId.ToString(System.Globalization.CultureInfo.InvariantCulture), message.Key);
                arrived.Add(transaction.TxId);
            }
        }

        return arrived;
    }
}
