using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Fraud.Core;
using Fraud.SystemTests.Integration.Detector;
using Npgsql;
using StackExchange.Redis;

namespace Fraud.SystemTests.Integration;

/// <summary>The walking skeleton end to end: broker → detector → Postgres, Redis → API.</summary>
[Collection(FraudSystemCollection.Name)]
public sealed class PipelineTests(FraudSystemFixture system)
{
    // The detector remembers each user's history (e.g. velocity), so every test has a card holder of its own.
    private static long s_lastUser = 8_000_000;
    private readonly long _user = Interlocked.Increment(ref s_lastUser);

    private Transaction NewTransaction(decimal amount) =>
        TransactionMessages.ContractExampleTransaction with { TxId = $"tx_test_{Guid.NewGuid():N}", UserId = _user, Amount = amount };

    [Fact]
    public void Every_resource_becomes_healthy()
    {
        foreach (var resource in FraudSystemFixture.Resources)
        {
            Assert.True(system.App.ResourceNotifications.TryGetCurrentState(resource, out var state), resource);
            Assert.Equal("Running", state.Snapshot.State?.Text);
            Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy, state.Snapshot.HealthStatus);
        }
    }

    [Fact]
    public async Task Api_health_answers_ok()
    {
        var response = await system.Api.GetAsync("/health");

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"status":"ok"}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_transaction_above_the_threshold_comes_back_from_the_api_the_table_and_redis()
    {
        var transaction = NewTransaction(1881.22m);

        await system.ProduceAsync(transaction);

        var alert = await FraudSystemFixture.EventuallyAsync(
            async () => (await system.GetAlertsAsync()).FirstOrDefault(a => a.TxId == transaction.TxId),
            $"alert {transaction.TxId} from GET /alerts");
        Assert.Equal(transaction.UserId, alert.UserId);
        Assert.Equal(1881.22m, alert.Amount);
        Assert.Equal("ES", alert.Location);
        Assert.Equal(transaction.Ts, alert.Ts);
        Assert.Equal("open", alert.Status);
        Assert.Contains("amount_above_threshold", alert.Rules);
        Assert.InRange(alert.Risk, 0, 1);

        await using var connection = new NpgsqlConnection(system.PostgresConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM fraud_alerts WHERE tx_id = $1", connection)
        {
            Parameters = { new() { Value = transaction.TxId } },
        };
        Assert.Equal(1L, await count.ExecuteScalarAsync());

        await using var redis = await ConnectionMultiplexer.ConnectAsync(system.RedisConnectionString);
        var cached = await redis.GetDatabase().StringGetAsync($"fraud:{transaction.TxId}");
        Assert.True(cached.HasValue, "fraud:{tx_id} is set in Redis");
        Assert.Equal(transaction.TxId, AlertJson.Deserialize((byte[])cached!)!.TxId);
        Assert.NotNull(await redis.GetDatabase().KeyTimeToLiveAsync($"fraud:{transaction.TxId}"));
    }

    [Fact]
    public async Task The_seed_alert_shape_is_served_newest_first()
    {
        var first = NewTransaction(5000m);
        var second = NewTransaction(6000m);
        await system.ProduceAsync(first);
        await FraudSystemFixture.EventuallyAsync(async () => (await system.GetAlertsAsync()).FirstOrDefault(a => a.TxId == first.TxId), "first alert");
        await system.ProduceAsync(second);
        await FraudSystemFixture.EventuallyAsync(async () => (await system.GetAlertsAsync()).FirstOrDefault(a => a.TxId == second.TxId), "second alert");

        var body = await system.Api.GetStringAsync("/alerts?limit=1000");

        using var document = JsonDocument.Parse(body);
        var items = document.RootElement.EnumerateArray().ToList();
        var ids = items.Select(item => item.GetProperty("tx_id").GetString()).ToList();
        Assert.True(ids.IndexOf(second.TxId) < ids.IndexOf(first.TxId), "newest first");
        var shape = items.Single(item => item.GetProperty("tx_id").GetString() == first.TxId);
        Assert.Equal("5000.00", shape.GetProperty("amount").GetString());
        foreach (var field in new[] { "tx_id", "user_id", "amount", "location", "ts", "score", "reason", "created_at", "risk", "rules", "model_version", "status", "rules_version" })
        {
            Assert.True(shape.TryGetProperty(field, out _), $"alert has '{field}'");
        }
        Assert.Equal(5, FraudSystemFixture.ParseAlerts(Encoding.UTF8.GetBytes(await system.Api.GetStringAsync("/alerts?limit=5"))).Count);
    }

    [Fact]
    public async Task A_transaction_below_the_threshold_raises_no_alert()
    {
        var small = NewTransaction(12.50m);
        var marker = NewTransaction(9999m);

        await system.ProduceAsync(small);
        await system.ProduceAsync(marker); // same user ⇒ same partition ⇒ decided after the small one

        var alerts = await FraudSystemFixture.EventuallyAsync(
            async () => await system.GetAlertsAsync() is var all && all.Any(a => a.TxId == marker.TxId) ? all : null,
            "the marker alert");
        Assert.DoesNotContain(alerts, a => a.TxId == small.TxId);
    }

    [Fact]
    public async Task A_transaction_delivered_twice_is_published_twice_and_streamed_and_listed_once()
    {
        // An at-least-once producer (or a detector replay) delivers a transaction again: the detector decides and
        // publishes it again on alerts.v1, whose consumers dedupe on tx_id. The alert stream must show it once, as the
        // first copy, which is the stored alert.
        var transaction = NewTransaction(2500m);
        var marker = NewTransaction(2600m);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var response = await system.Api.GetAsync("/alerts/stream", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
        await using var events = SseParser.Create(body).EnumerateAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);
        Assert.True(await events.MoveNextAsync());
        Assert.Equal("ready", events.Current.EventType);

        await system.ProduceAsync(transaction);
        await system.ProduceAsync(transaction);
        await system.ProduceAsync(marker); // same user: same partitions of both topics, so its alert comes after both copies

        var streamed = new List<SseItem<string>>();
        do
        {
            Assert.True(await events.MoveNextAsync(), "the stream stays open");
            if (events.Current.EventId == transaction.TxId)
            {
                streamed.Add(events.Current);
            }
        }
        while (events.Current.EventId != marker.TxId);

        var published = DetectorStreams.PublishedAlerts(system.KafkaBootstrap, _user, _user).Where(alert => alert.TxId == transaction.TxId).ToList();
        Assert.True(published.Count >= 2, $"alerts.v1 carries {published.Count} copies of the alert; the test needs the republished one");
        var single = Assert.Single(streamed);
        var listed = Assert.Single(await system.GetAlertsAsync(), alert => alert.TxId == transaction.TxId);
        Assert.Equal(listed.Risk, AlertJson.Deserialize(Encoding.UTF8.GetBytes(single.Data))!.Risk, 4);
        Assert.Equal(published[0].Risk, listed.Risk, 4);
    }

    [Fact]
    public async Task Malformed_messages_go_to_the_dead_letter_topic_with_the_reason_and_are_counted()
    {
        var key = $"poison-{Guid.NewGuid():N}";
        var before = await MetricAsync("fraud_dlq_messages_total");

        await system.ProduceAsync("transactions.v1", key, Encoding.UTF8.GetBytes("this is not json"));
        await system.ProduceAsync("transactions.v1", key, Encoding.UTF8.GetBytes(
            """{"tx_id":"tx_no_amount","user_id":1,"location":"ES","ts":"2025-09-13T07:46:41Z"}"""));
        var healthy = NewTransaction(3000m);
        await system.ProduceAsync(healthy);

        var reasons = ConsumeDeadLetterReasons(key, expected: 2);
        Assert.Equal(2, reasons.Count);
        Assert.StartsWith("invalid JSON", reasons[0]);
        Assert.StartsWith("amount:", reasons[1]);

        // The detector kept going: a valid transaction after the poison still alerts.
        await FraudSystemFixture.EventuallyAsync(
            async () => (await system.GetAlertsAsync()).FirstOrDefault(a => a.TxId == healthy.TxId), "alert after poison");
        await FraudSystemFixture.EventuallyAsync(
            async () => await MetricAsync("fraud_dlq_messages_total") >= before + 2 ? "counted" : null, "DLQ counter to move");
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("0")]
    [InlineData("1001")]
    [InlineData("100000")]
    public async Task A_bad_limit_is_a_400_with_a_problem_body(string limit)
    {
        var response = await system.Api.GetAsync($"/alerts?limit={limit}");

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("limit must be a whole number from 1 to 1000", problem.RootElement.GetProperty("detail").GetString());
    }

    private Task<double> MetricAsync(string name) => system.Detector.ReadCounterAsync(name);

    private List<string> ConsumeDeadLetterReasons(string key, int expected)
    {
        using var consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig
        {
            BootstrapServers = system.KafkaBootstrap,
            GroupId = $"test-dlq-{Guid.NewGuid():N}",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe("transactions.v1.dlq");
        var reasons = new List<string>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (reasons.Count < expected && DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(500));
            if (result?.Message is { } message && message.Key == key)
            {
                reasons.Add(Encoding.UTF8.GetString(message.Headers.GetLastBytes("dlq.reason")));
            }
        }
        consumer.Close();
        return reasons;
    }
}
