using System.Net.Http.Json;
using System.Text.Json;
using Fraud.Core;
using Npgsql;
using NpgsqlTypes;

namespace Fraud.Tests.Integration.Api;

/// <summary>
/// Alerts for the API tests: raised through the pipeline, or written straight into <c>fraud_alerts</c> when a
/// test needs exact values (times, risks, rules, statuses) that the detector would not produce on demand.
/// Written alerts belong to a user of their own, far from the live traffic's users, so filters can isolate them.
/// </summary>
internal static class ApiTestData
{
    public static long NewUserId() => Random.Shared.NextInt64(1_000_000_000, 2_000_000_000);

    public static Alert NewAlert(long userId, DateTimeOffset createdAt, double risk = 0.7, string[]? rules = null,
        string status = "open", string location = "ES") =>
        new($"tx_api_{Guid.NewGuid():N}", userId, 1500.00m, location, createdAt.AddSeconds(-1), Score: -0.61,
            "amount=1500.00; threshold=1000.00", createdAt, risk, rules ?? ["amount_above_threshold"], "rules-v0", status);

    public static async Task InsertAsync(this FraudSystem system, params Alert[] alerts)
    {
        await using var connection = new NpgsqlConnection(system.PostgresConnectionString);
        await connection.OpenAsync();
        await using var batch = new NpgsqlBatch(connection);
        foreach (var alert in alerts)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("""
                INSERT INTO fraud_alerts (tx_id, user_id, amount, location, ts, score, reason, created_at, risk, rules, model_version, status, rules_version)
                SELECT $1, $2, 1500.00, $3, $4 - interval '1 second', -0.61, 'amount=1500.00; threshold=1000.00', $4, $5, $6, 'rules-v0', $7, $8
                """)
            {
                Parameters =
                {
                    new() { Value = alert.TxId },
                    new() { Value = alert.UserId },
                    new() { Value = alert.Location },
                    new() { Value = alert.CreatedAt.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz },
                    new() { Value = alert.Risk },
                    new() { Value = alert.Rules.ToArray() },
                    new() { Value = alert.Status },
                    new() { Value = (object?)alert.RulesVersion ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text },
                },
            });
        }
        await batch.ExecuteNonQueryAsync();
    }

    /// <summary>Produces a transaction above the detector's threshold and waits until the API serves its alert.</summary>
    public static async Task<Transaction> RaiseThroughPipelineAsync(this FraudSystem system)
    {
        var transaction = NewTransaction();
        await system.ProduceAsync(transaction);
        await FraudSystemFixture.EventuallyAsync(
            async () => (await system.Api.GetAsync($"/alerts/{transaction.TxId}")).IsSuccessStatusCode ? "served" : null,
            $"alert {transaction.TxId} from GET /alerts/{{tx_id}}");
        return transaction;
    }

    /// <summary>Above the detector's amount threshold (1000), so the pipeline raises an alert for it.</summary>
    public static Transaction NewTransaction() =>
        TransactionMessages.ContractExampleTransaction with { TxId = $"tx_api_{Guid.NewGuid():N}", Amount = 4321.00m };

    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Posts feedback the way the console does: with the fixture's key when <paramref name="apiKey"/> is
    /// null, with no key when it is empty.</summary>
    private const int MaxRequestBodyBytes = 16 * 1024; // the API's limit (ApiOptions.MaxRequestBodyBytes)

    public static Task<HttpResponseMessage> PostFeedbackAsync(this FraudSystem system, string txId, string body, string? apiKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/alerts/{txId}/feedback")
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        // The server drops the connection after refusing a body it did not read (413); do not pool it for the next request.
        request.Headers.ConnectionClose = body.Length > MaxRequestBodyBytes;
        if ((apiKey ?? system.ApiKey) is { Length: > 0 } key)
        {
            request.Headers.Add("X-Api-Key", key);
        }
        return system.Api.SendAsync(request);
    }

    /// <summary>A 4xx answered as problem+json whose detail says <paramref name="detailContains"/>.</summary>
    public static async Task AssertProblemAsync(HttpResponseMessage response, System.Net.HttpStatusCode status, string detailContains)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.Contains(detailContains, problem.GetProperty("detail").GetString());
    }
}
