using System.Net;
using System.Text.Json;
using Fraud.Core;
using Npgsql;

namespace Fraud.SystemTests.Integration.Api;

/// <summary>POST /alerts/{tx_id}/feedback: the verdict, its audit trail and Redis copy, idempotency, the key and every bad input; the labels it joins.</summary>
[Collection(FraudSystemCollection.Name)]
public sealed class FeedbackTests(FraudSystemFixture system)
{
    private async Task<List<(string Label, string Note, string PreviousStatus, string Status)>> AuditTrailAsync(string txId)
    {
        await using var connection = new NpgsqlConnection(system.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT label, note, previous_status, status FROM alert_feedback WHERE tx_id = $1 ORDER BY id", connection)
        {
            Parameters = { new() { Value = txId } },
        };
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, string, string, string)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
        }
        return rows;
    }

    /// <summary>An open alert of a user of its own, raised days ago (outside /stats' hour).</summary>
    private async Task<Alert> OpenAlertAsync()
    {
        var alert = TestAlerts.NewAlert(TestAlerts.NewUserId(), DateTimeOffset.UtcNow.AddDays(-2));
        await system.InsertAsync(alert);
        return alert;
    }

    private async Task<string> StatusAsync(string txId) =>
        (await system.Api.GetJsonAsync($"/alerts/{txId}")).GetProperty("alert").GetProperty("status").GetString()!;

    [Fact]
    public async Task Fraud_confirms_the_alert_and_legit_marks_it_a_false_positive()
    {
        var transaction = await system.RaiseThroughPipelineAsync();

        var confirmed = await system.PostFeedbackAsync(transaction.TxId, """{"label":"fraud","note":"card reported stolen"}""");

        confirmed.EnsureSuccessStatusCode();
        var result = JsonDocument.Parse(await confirmed.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("confirmed_fraud", result.GetProperty("status").GetString());
        Assert.True(result.GetProperty("changed").GetBoolean());
        Assert.Equal("confirmed_fraud", await StatusAsync(transaction.TxId));

        (await system.PostFeedbackAsync(transaction.TxId, """{"label":"legit"}""")).EnsureSuccessStatusCode();

        Assert.Equal("false_positive", await StatusAsync(transaction.TxId));
        Assert.Equal(
            [("fraud", "card reported stolen", "open", "confirmed_fraud"), ("legit", "", "confirmed_fraud", "false_positive")],
            await AuditTrailAsync(transaction.TxId));
        var history = (await system.Api.GetJsonAsync($"/alerts/{transaction.TxId}")).GetProperty("feedback");
        Assert.Equal(["fraud", "legit"], history.EnumerateArray().Select(entry => entry.GetProperty("label").GetString()));
    }

    [Fact]
    public async Task Posting_the_same_verdict_twice_records_it_once()
    {
        var alert = await OpenAlertAsync();
        const string verdict = """{"label":"legit","note":"regular customer"}""";

        var first = await system.PostFeedbackAsync(alert.TxId, verdict);
        var second = await system.PostFeedbackAsync(alert.TxId, verdict);

        first.EnsureSuccessStatusCode();
        second.EnsureSuccessStatusCode();
        Assert.True(JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement.GetProperty("changed").GetBoolean());
        var repeat = JsonDocument.Parse(await second.Content.ReadAsStringAsync()).RootElement;
        Assert.False(repeat.GetProperty("changed").GetBoolean());
        Assert.Equal("false_positive", repeat.GetProperty("status").GetString());
        Assert.Equal([("legit", "regular customer", "open", "false_positive")], await AuditTrailAsync(alert.TxId));
        Assert.Equal("false_positive", await StatusAsync(alert.TxId));

        // A different note is a distinct change: recorded, status unchanged.
        (await system.PostFeedbackAsync(alert.TxId, """{"label":"legit","note":"confirmed by phone"}""")).EnsureSuccessStatusCode();
        Assert.Equal(2, (await AuditTrailAsync(alert.TxId)).Count);
        Assert.Equal("false_positive", await StatusAsync(alert.TxId));
    }

    [Theory]
    [InlineData("", HttpStatusCode.Unauthorized, "needs an API key in the X-Api-Key header")]
    [InlineData("not-the-key", HttpStatusCode.Forbidden, "not valid for this API")]
    public async Task Feedback_without_the_right_api_key_is_refused_and_changes_nothing(string apiKey, HttpStatusCode status, string message)
    {
        var alert = await OpenAlertAsync();

        var response = await system.PostFeedbackAsync(alert.TxId, """{"label":"fraud"}""", apiKey);

        await ProblemAssert.ProblemAsync(response, status, message);
        Assert.Equal("open", await StatusAsync(alert.TxId));
        Assert.Empty(await AuditTrailAsync(alert.TxId));
    }

    [Theory]
    [InlineData("""{"label":"maybe"}""", "label must be \"fraud\" or \"legit\"; got 'maybe'")]
    [InlineData("""{"note":"no label"}""", "label must be \"fraud\" or \"legit\"; got none")]
    [InlineData("""{"label":"fraud",""", "The body must be a JSON object")]
    [InlineData("[1,2,3]", "The body must be a JSON object")]
    public async Task Bad_feedback_is_a_400_problem(string body, string message)
    {
        var alert = await OpenAlertAsync();

        var response = await system.PostFeedbackAsync(alert.TxId, body);

        await ProblemAssert.ProblemAsync(response, HttpStatusCode.BadRequest, message);
        Assert.Equal("open", await StatusAsync(alert.TxId));
    }

    [Fact]
    public async Task Feedback_on_an_unknown_tx_id_is_a_404_problem()
    {
        var response = await system.PostFeedbackAsync("tx_that_never_was", """{"label":"fraud"}""");

        await ProblemAssert.ProblemAsync(response, HttpStatusCode.NotFound, "No alert has tx_id 'tx_that_never_was'");
    }

    [Fact]
    public async Task An_oversized_body_is_a_413_problem()
    {
        var alert = await OpenAlertAsync();

        var response = await system.PostFeedbackAsync(alert.TxId, $$"""{"label":"fraud","note":"{{new string('x', 20_000)}}"}""");

        await ProblemAssert.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "at most 16384 bytes");
        Assert.Equal("open", await StatusAsync(alert.TxId));
    }

    [Fact]
    public async Task Stats_count_verdicts_into_precision_and_alerts_into_the_hour()
    {
        var before = await system.Api.GetJsonAsync("/stats");
        var user = TestAlerts.NewUserId();
        // A rule and a country the live traffic never produces, in numbers it cannot reach during a test run.
        var rule = $"stats_test_{Guid.NewGuid():N}"[..24];
        var raisedAt = DateTimeOffset.UtcNow.AddMinutes(-20);
        var alerts = Enumerable.Range(0, 40).Select(_ => TestAlerts.NewAlert(user, raisedAt, rules: [rule], location: "LU")).ToArray();
        await system.InsertAsync(alerts);
        (await system.PostFeedbackAsync(alerts[0].TxId, """{"label":"fraud"}""")).EnsureSuccessStatusCode();
        (await system.PostFeedbackAsync(alerts[1].TxId, """{"label":"fraud"}""")).EnsureSuccessStatusCode();
        (await system.PostFeedbackAsync(alerts[2].TxId, """{"label":"legit"}""")).EnsureSuccessStatusCode();

        var after = await system.Api.GetJsonAsync("/stats");

        var confirmed = after.GetProperty("feedback").GetProperty("confirmed_fraud").GetInt64();
        var falsePositives = after.GetProperty("feedback").GetProperty("false_positive").GetInt64();
        Assert.Equal(before.GetProperty("feedback").GetProperty("confirmed_fraud").GetInt64() + 2, confirmed);
        Assert.Equal(before.GetProperty("feedback").GetProperty("false_positive").GetInt64() + 1, falsePositives);
        Assert.Equal(Math.Round((double)confirmed / (confirmed + falsePositives), 4), after.GetProperty("feedback").GetProperty("precision").GetDouble());

        var perMinute = after.GetProperty("alerts_per_minute").EnumerateArray().ToList();
        Assert.Equal(60, perMinute.Count);
        Assert.Equal(after.GetProperty("alerts_last_hour").GetInt64(), perMinute.Sum(minute => minute.GetProperty("count").GetInt64()));
        var minuteOfInsert = new DateTimeOffset(raisedAt.Year, raisedAt.Month, raisedAt.Day, raisedAt.Hour, raisedAt.Minute, 0, TimeSpan.Zero);
        Assert.True(perMinute.Single(minute => minute.GetProperty("minute").GetDateTimeOffset() == minuteOfInsert).GetProperty("count").GetInt64() >= 40);
        Assert.Contains(after.GetProperty("top_rules").EnumerateArray(),
            entry => entry.GetProperty("rule").GetString() == rule && entry.GetProperty("count").GetInt64() == 40);
        Assert.Contains(after.GetProperty("by_country").EnumerateArray(),
            entry => entry.GetProperty("country").GetString() == "LU" && entry.GetProperty("count").GetInt64() >= 40);
    }

    [Fact]
    public async Task Feedback_becomes_the_transactions_label_and_a_later_simulator_label_does_not_override_it()
    {
        var alert = await OpenAlertAsync();
        Detector.DetectorStreams.ProduceLabels(system.KafkaBootstrap, [new Label(alert.TxId, IsFraud: false)]);
        await FraudSystem.EventuallyAsync(async () => await LabelAsync(alert.TxId) is { Source: "simulator" } label ? label : null, "the simulator's label");

        (await system.PostFeedbackAsync(alert.TxId, """{"label":"fraud","note":"confirmed with the card holder"}""")).EnsureSuccessStatusCode();
        var analyst = await LabelAsync(alert.TxId);
        // The simulator labels it legitimate again, then labels a marker on the same partition (same key), read after it.
        var marker = new Label($"tx_marker_{Guid.NewGuid():N}", IsFraud: false);
        using (var producer = new Confluent.Kafka.ProducerBuilder<string, byte[]>(new Confluent.Kafka.ProducerConfig { BootstrapServers = system.KafkaBootstrap }).Build())
        {
            foreach (var label in new[] { new Label(alert.TxId, IsFraud: false), marker })
            {
                await producer.ProduceAsync("transactions.labels.v1", new() { Key = alert.TxId, Value = LabelJson.SerializeToUtf8Bytes(label) });
            }
        }

        await FraudSystem.EventuallyAsync(() => LabelAsync(marker.TxId), "the marker's label");

        Assert.Equal(new StoredLabel(true, "analyst"), analyst);
        Assert.Equal(new StoredLabel(true, "analyst"), await LabelAsync(alert.TxId));
    }

    [Fact]
    public async Task A_verdict_reaches_the_detectors_redis_copy_of_the_alert_which_keeps_its_expiry()
    {
        var transaction = await system.RaiseThroughPipelineAsync();
        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(system.RedisConnectionString);
        var database = redis.GetDatabase();
        var key = AlertJson.CacheKey(transaction.TxId);
        // The detector writes the copy just after the alert is in Postgres.
        var open = await FraudSystem.EventuallyAsync(async () => await CachedAsync() is { } alert ? alert : null, "the detector's copy in Redis");
        var ttlBefore = await database.KeyTimeToLiveAsync(key);

        (await system.PostFeedbackAsync(transaction.TxId, """{"label":"legit","note":"known customer"}""")).EnsureSuccessStatusCode();

        var reviewed = await FraudSystem.EventuallyAsync(async () => await CachedAsync() is { Status: "false_positive" } alert ? alert : null,
            "the copy's status to follow the verdict");
        Assert.Equal(open with { Status = "false_positive" }, reviewed);
        var ttlAfter = await database.KeyTimeToLiveAsync(key);
        Assert.NotNull(ttlBefore);
        Assert.NotNull(ttlAfter);
        Assert.True(ttlAfter <= ttlBefore, $"the expiry is kept, not renewed: {ttlBefore} before, {ttlAfter} after");

        async Task<Alert?> CachedAsync() => await database.StringGetAsync(key) is { HasValue: true } cached ? AlertJson.Deserialize((byte[])cached!) : null;
    }

    [Fact]
    public async Task A_reviewed_transaction_delivered_again_keeps_its_verdict_in_postgres_and_redis()
    {
        // A replay (or an at-least-once producer) makes the detector decide a reviewed transaction again and write its
        // alert again: the first write must win, or the analyst's verdict silently goes back to open.
        var user = TestAlerts.NewUserId();
        var transaction = ApiTestData.NewTransaction() with { UserId = user };
        var marker = ApiTestData.NewTransaction() with { UserId = user }; // same user, same partition: decided after the copy
        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(system.RedisConnectionString);
        var database = redis.GetDatabase();
        await system.ProduceAsync(transaction);
        await FraudSystem.EventuallyAsync(() => CachedAsync(transaction.TxId), "the detector's copy in Redis");
        (await system.PostFeedbackAsync(transaction.TxId, """{"label":"fraud"}""")).EnsureSuccessStatusCode();
        await FraudSystem.EventuallyAsync(async () => await CachedAsync(transaction.TxId) is { Status: "confirmed_fraud" } alert ? alert : null,
            "the copy's status to follow the verdict");

        await system.ProduceAsync(transaction);
        await system.ProduceAsync(marker);
        // The detector writes Postgres, then Redis, batch after batch: once the marker is in both, so is the copy.
        await FraudSystem.EventuallyAsync(() => CachedAsync(marker.TxId), "the marker's copy in Redis");

        var published = Detector.DetectorStreams.PublishedAlerts(system.KafkaBootstrap, user, user).Count(alert => alert.TxId == transaction.TxId);
        Assert.True(published >= 2, $"alerts.v1 carries {published} copies of the alert; the test needs the detector to have decided it again");
        Assert.Equal("confirmed_fraud", await StatusAsync(transaction.TxId));
        Assert.Equal("confirmed_fraud", (await CachedAsync(transaction.TxId))!.Status);

        async Task<Alert?> CachedAsync(string txId) =>
            await database.StringGetAsync(AlertJson.CacheKey(txId)) is { HasValue: true } cached ? AlertJson.Deserialize((byte[])cached!) : null;
    }

    [Fact]
    public async Task An_invalid_label_is_counted_and_skipped_and_the_next_one_on_its_partition_is_stored()
    {
        var before = await system.Api.ReadByLabelAsync("fraud_api_labels_total", "result");
        var valid = new Label($"tx_after_invalid_{Guid.NewGuid():N}", IsFraud: true, Scenario: "card_testing");
        using (var producer = new Confluent.Kafka.ProducerBuilder<string, byte[]>(new Confluent.Kafka.ProducerConfig { BootstrapServers = system.KafkaBootstrap }).Build())
        {
            // The same key puts both on one partition, the invalid one first.
            await producer.ProduceAsync("transactions.labels.v1", new() { Key = valid.TxId, Value = """{"tx_id":"x","is_fraud":"yes"}"""u8.ToArray() });
            await producer.ProduceAsync("transactions.labels.v1", new() { Key = valid.TxId, Value = LabelJson.SerializeToUtf8Bytes(valid) });
        }

        Assert.Equal(new StoredLabel(true, "simulator"), await FraudSystem.EventuallyAsync(() => LabelAsync(valid.TxId), "the valid label"));
        Assert.Null(await LabelAsync("x"));
        // The stored count moves just after the row is written; the invalid one was counted when it was read.
        var after = await FraudSystem.EventuallyAsync(async () => await system.Api.ReadByLabelAsync("fraud_api_labels_total", "result") is var counts
            && counts["stored"] > before["stored"] ? counts : null, "the stored label counted");
        Assert.Equal(before["invalid"] + 1, after["invalid"]);
    }

    private sealed record StoredLabel(bool IsFraud, string Source);

    private async Task<StoredLabel?> LabelAsync(string txId)
    {
        await using var connection = new NpgsqlConnection(system.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT is_fraud, source FROM labels WHERE tx_id = $1", connection)
        {
            Parameters = { new() { Value = txId } },
        };
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? new StoredLabel(reader.GetBoolean(0), reader.GetString(1)) : null;
    }
}
