using System.Globalization;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Fraud.Core;
using Fraud.Simulation;
using Fraud.SystemTests.Offline;
using Npgsql;
using StackExchange.Redis;

namespace Fraud.SystemTests.Integration.Detector;

/// <summary>
/// What the online-detector tests share: a simulated stream with users of its own (an id range no other test
/// uses), the offline <c>score</c> verdicts for it, producing it in order, and reading back what the detector did.
/// </summary>
internal static class DetectorStreams
{
    /// <summary>
    /// <paramref name="count"/> simulated transactions of <paramref name="users"/> users, moved to the user ids from
    /// <paramref name="firstUserId"/> up so that streams of different tests never share a user's history.
    /// </summary>
    /// <param name="start">Event time of the stream's beginning; the simulator's default (2025-09-01) when null.</param>
    public static IReadOnlyList<Transaction> Simulate(int seed, int count, int users, long firstUserId, DateTimeOffset? start = null)
    {
        var simulator = new TransactionSimulator(new SimulationOptions { Seed = seed, Users = users, Start = start ?? SimulationOptions.DefaultStart });
        return Enumerable.Range(0, count)
            .Select(_ => simulator.Next().Transaction)
            .Select(transaction => transaction with { UserId = firstUserId + transaction.UserId })
            .ToList();
    }

    /// <summary>
    /// <see cref="Simulate"/> with the simulator's labels and a fraud rate of its own: the transactions and, for each,
    /// its ground truth, for tests that feed <c>transactions.labels.v1</c>.
    /// </summary>
    public static IReadOnlyList<SimulatedTransaction> SimulateLabelled(TransactionSimulator simulator, int count, long firstUserId) =>
        Enumerable.Range(0, count)
            .Select(_ => simulator.Next())
            .Select(next => next with { Transaction = next.Transaction with { UserId = firstUserId + next.Transaction.UserId } })
            .ToList();

    /// <summary>Produces labels to <c>transactions.labels.v1</c> (key = tx_id, as the producer does) and waits for every acknowledgement.</summary>
    public static void ProduceLabels(string bootstrap, IEnumerable<Label> labels)
    {
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = bootstrap, EnableIdempotence = true, LingerMs = 5 }).Build();
        var failures = 0;
        foreach (var label in labels)
        {
            producer.Produce("transactions.labels.v1", new Message<string, byte[]> { Key = label.TxId, Value = LabelJson.SerializeToUtf8Bytes(label) },
                report => { if (report.Error.IsError) { Interlocked.Increment(ref failures); } });
        }

        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(60)));
        Assert.Equal(0, failures);
    }

    /// <summary>The offline verdict for the stream: alerted tx_id → risk, from the detector's <c>score</c> verb.</summary>
    public static async Task<IReadOnlyDictionary<string, double>> OfflineAlertsAsync(IReadOnlyList<Transaction> stream, string modelPath, string rulesPath)
    {
        var folder = Directory.CreateTempSubdirectory("fraud-parity-");
        try
        {
            string input = Path.Combine(folder.FullName, "tx.jsonl");
            string output = Path.Combine(folder.FullName, "scores.jsonl");
            await using (var file = File.Create(input))
            {
                foreach (var transaction in stream)
                {
                    file.Write(TransactionJson.SerializeToUtf8Bytes(transaction));
                    file.WriteByte((byte)'\n');
                }
            }

            var (exitCode, stdout, stderr) = await DetectorProcess.RunAsync("score", "--input", input, "--output", output, "--model", modelPath, "--rules", rulesPath);
            Assert.True(exitCode == 0, $"score failed ({exitCode}): {stdout} {stderr}");
            var alerts = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var line in File.ReadLines(output))
            {
                using var score = JsonDocument.Parse(line);
                if (score.RootElement.GetProperty("alert").GetBoolean())
                {
                    alerts[score.RootElement.GetProperty("tx_id").GetString()!] = score.RootElement.GetProperty("risk").GetDouble();
                }
            }

            return alerts;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>Produces the stream in order (idempotent producer, key = user_id) and waits for every acknowledgement.</summary>
    /// <param name="poison">Extra messages to interleave: index in the stream before which each goes, and its raw value.</param>
    public static void Produce(string bootstrap, IReadOnlyList<Transaction> stream, IReadOnlyDictionary<int, byte[]>? poison = null)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = bootstrap,
            EnableIdempotence = true,
            LingerMs = 5,
        };
        config.Set("log_level", "4"); // warnings and errors: through a broker outage it would log every reconnect
        using var producer = new ProducerBuilder<string, byte[]>(config).Build();
        var failures = 0;
        void Send(string key, byte[] value)
        {
            while (true)
            {
                try
                {
                    producer.Produce("transactions.v1", new Message<string, byte[]> { Key = key, Value = value },
                        report => { if (report.Error.IsError) { Interlocked.Increment(ref failures); } });
                    return;
                }
                catch (ProduceException<string, byte[]> exception) when (exception.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(10));
                }
            }
        }

        for (int i = 0; i < stream.Count; i++)
        {
            if (poison?.TryGetValue(i, out var bad) == true)
            {
                Send(stream[i].UserId.ToString(CultureInfo.InvariantCulture), bad);
            }

            Send(stream[i].UserId.ToString(CultureInfo.InvariantCulture), TransactionJson.SerializeToUtf8Bytes(stream[i]));
        }

        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(60)));
        Assert.Equal(0, failures);
    }

    /// <summary>The alert rows of the users from <paramref name="firstUserId"/> to <paramref name="lastUserId"/>: tx_id → risk.</summary>
    public static async Task<IReadOnlyDictionary<string, double>> StoredAlertsAsync(string connectionString, long firstUserId, long lastUserId)
    {
        // A fresh connection each time: a pooled one may have been broken by a Postgres restart.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT tx_id, risk FROM fraud_alerts WHERE user_id BETWEEN $1 AND $2", connection)
        {
            Parameters = { new() { Value = firstUserId }, new() { Value = lastUserId } },
        };
        var alerts = new Dictionary<string, double>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            alerts.Add(reader.GetString(0), reader.GetDouble(1)); // Add throws on a duplicate row
        }

        return alerts;
    }

    /// <summary>How many of <paramref name="txIds"/> have their Redis dedup key <c>fraud:{tx_id}</c>.</summary>
    public static async Task<int> DedupKeysAsync(string connectionString, IEnumerable<string> txIds)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(connectionString);
        var database = redis.GetDatabase();
        var exists = await Task.WhenAll(txIds.Select(txId => database.KeyExistsAsync($"fraud:{txId}")));
        return exists.Count(found => found);
    }

    public static Task<double> MetricAsync(HttpClient detector, string name) => detector.ReadCounterAsync(name);

    /// <summary>
    /// The metric once it has stopped moving: the exporter caches a scrape for a moment, and the previous test's last
    /// transaction may still be counted after its alert was stored.
    /// </summary>
    public static async Task<double> StableMetricAsync(HttpClient detector, string name)
    {
        double previous = await MetricAsync(detector, name);
        while (true)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(700));
            double current = await MetricAsync(detector, name);
            if (current == previous)
            {
                return current;
            }

            previous = current;
        }
    }

    /// <summary>Waits until the metric reaches <paramref name="target"/>, then gives it a moment to show any excess.</summary>
    public static async Task<double> SettledMetricAsync(HttpClient detector, string name, double target, TimeSpan within)
    {
        await FraudSystem.EventuallyAsync(async () => await MetricAsync(detector, name) >= target ? "reached" : null,
            $"{name} to reach {target}", within);
        await Task.Delay(TimeSpan.FromSeconds(1));
        return await MetricAsync(detector, name);
    }

    /// <summary>Asserts the online alerts are exactly the offline ones, each with the same risk (alerts keep four decimals).</summary>
    public static void AssertSameAlerts(IReadOnlyDictionary<string, double> offline, IReadOnlyDictionary<string, double> online)
    {
        Assert.NotEmpty(offline);
        Assert.Equal(offline.Keys.Order(StringComparer.Ordinal), online.Keys.Order(StringComparer.Ordinal));
        foreach (var (txId, risk) in offline)
        {
            Assert.True(Math.Abs(risk - online[txId]) <= 0.00011, $"{txId}: offline risk {risk}, online {online[txId]}");
        }
    }

    /// <summary>
    /// How many messages of the users from <paramref name="firstUser"/> to <paramref name="lastUser"/> (by key) are on
    /// the DLQ. A consumer in a group of its own must be assigned every partition of the DLQ and read each up to the end
    /// it had at assignment, or this throws: 0 means everything was read and none matched, never that nothing was read.
    /// </summary>
    public static int CountDeadLetters(string bootstrap, long firstUser, long lastUser)
    {
        const string Topic = "transactions.v1.dlq";
        var timeout = TimeSpan.FromSeconds(10);
        int partitions;
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build())
        {
            partitions = admin.GetMetadata(Topic, timeout).Topics.Single().Partitions.Count;
        }

        Assert.True(partitions > 0, $"{Topic} has no partition to read");
        using var consumer = NewConsumer(bootstrap, Topic);
        var within = TimeSpan.FromSeconds(30);
        var deadline = DateTime.UtcNow + within;
        var read = new List<ConsumeResult<string, byte[]>>();
        while (consumer.Assignment.Count < partitions)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException(
                    $"The dead-letter count's consumer group was assigned {consumer.Assignment.Count} of the {partitions} partitions of {Topic} within {within.TotalSeconds} s, so it could not read the DLQ.");
            }

            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { IsPartitionEOF: false } early)
            {
                read.Add(early);
            }
        }

        // The ends when assigned: what was dead-lettered before the count started is below them.
        var watermarks = consumer.Assignment.ToDictionary(partition => partition, partition => consumer.QueryWatermarkOffsets(partition, timeout));
        var next = watermarks.ToDictionary(pair => pair.Key, pair => pair.Value.Low.Value);
        foreach (var message in read)
        {
            next[message.TopicPartition] = message.Offset.Value + 1;
        }

        while (next.Any(pair => pair.Value < watermarks[pair.Key].High.Value))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException(
                    $"The dead-letter count read {Topic} up to offsets {string.Join(", ", next.Values)}, short of the ends {string.Join(", ", watermarks.Values.Select(w => w.High.Value))} it saw at assignment, within {within.TotalSeconds} s.");
            }

            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is not { } result)
            {
                continue;
            }

            next[result.TopicPartition] = result.IsPartitionEOF ? Math.Max(next[result.TopicPartition], result.Offset.Value) : result.Offset.Value + 1;
            if (!result.IsPartitionEOF)
            {
                read.Add(result);
            }
        }

        return read.Count(message => message.Offset.Value < watermarks[message.TopicPartition].High.Value
            && long.TryParse(message.Message.Key, CultureInfo.InvariantCulture, out var user) && user >= firstUser && user <= lastUser);
    }

    /// <summary>
    /// Every copy of an alert of the users from <paramref name="firstUser"/> to <paramref name="lastUser"/> on
    /// <c>alerts.v1</c> (key = user id), in offset order per partition (<see cref="ReadTopic"/>). A replay publishes an
    /// alert again (at least once, not exactly once), so a tx_id may appear more than once.
    /// </summary>
    public static IReadOnlyList<Alert> PublishedAlerts(string bootstrap, long firstUser, long lastUser) =>
        [.. ReadTopic(bootstrap, "alerts.v1")
            .Where(message => long.TryParse(message.Key, CultureInfo.InvariantCulture, out var user) && user >= firstUser && user <= lastUser)
            .Select(message => AlertJson.Deserialize(message.Value) ?? throw new Xunit.Sdk.XunitException("a message on alerts.v1 is not an alert"))];

    /// <summary>
    /// Every message of <paramref name="topic"/>, in offset order per partition: read from the beginning of every
    /// partition up to the end each had when the read began, or this throws.
    /// </summary>
    public static IReadOnlyList<Message<string, byte[]>> ReadTopic(string bootstrap, string topic)
    {
        var timeout = TimeSpan.FromSeconds(10);
        using var consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = $"test-read-{Guid.NewGuid():N}",
            EnableAutoCommit = false,
            EnablePartitionEof = true,
        }).Build();
        List<TopicPartition> partitions;
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build())
        {
            partitions = admin.GetMetadata(topic, timeout).Topics.Single().Partitions.Select(p => new TopicPartition(topic, p.PartitionId)).ToList();
        }

        Assert.NotEmpty(partitions);
        var ends = partitions.ToDictionary(p => p, p => consumer.QueryWatermarkOffsets(p, timeout).High.Value);
        var next = partitions.ToDictionary(p => p, _ => 0L);
        consumer.Assign(partitions.Select(p => new TopicPartitionOffset(p, Offset.Beginning)));
        var messages = new List<Message<string, byte[]>>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (next.Any(pair => pair.Value < ends[pair.Key]))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"Reading {topic} stopped at offsets {string.Join(", ", next.Values)}, short of its ends {string.Join(", ", ends.Values)}.");
            }

            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is not { } result)
            {
                continue;
            }

            next[result.TopicPartition] = result.IsPartitionEOF ? Math.Max(next[result.TopicPartition], result.Offset.Value) : result.Offset.Value + 1;
            if (!result.IsPartitionEOF && result.Offset.Value < ends[result.TopicPartition])
            {
                messages.Add(result.Message);
            }
        }

        return messages;
    }

    /// <summary>
    /// What consumers of <c>alerts.v1</c> are promised (they dedupe on tx_id): every stored alert is on the topic, nothing
    /// else is, and every copy of an alert is the stored alert (same risk to four decimals, as <see cref="AssertSameAlerts"/>),
    /// so a consumer that keeps the first copy keeps what the API serves. Returns the copies beyond one per tx_id.
    /// </summary>
    public static int AssertPublishedAsStored(IReadOnlyDictionary<string, double> stored, IReadOnlyList<Alert> published)
    {
        Assert.Equal(stored.Keys.Order(StringComparer.Ordinal), published.Select(alert => alert.TxId).Distinct().Order(StringComparer.Ordinal));
        foreach (var copy in published)
        {
            Assert.True(Math.Abs(copy.Risk - stored[copy.TxId]) <= 0.00011, $"{copy.TxId}: stored risk {stored[copy.TxId]}, a copy on alerts.v1 has {copy.Risk}");
        }

        return published.Count - stored.Count;
    }

    /// <summary>A consumer of <paramref name="topic"/> from its beginning, in a group of its own.</summary>
    public static IConsumer<string, byte[]> NewConsumer(string bootstrap, string topic)
    {
        var consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = $"test-{Guid.NewGuid():N}",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnablePartitionEof = true,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(topic);
        return consumer;
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
