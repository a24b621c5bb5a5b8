using System.Net.Http.Json;
using System.Text.Json;
using Fraud.Core;
using Npgsql;
using NpgsqlTypes;

namespace Fraud.Testing;

/// <summary>
/// Alerts written straight into <c>fraud_alerts</c>, for tests of the API that need exact values (times, risks, rules,
/// statuses) the detector would not produce on demand, or that run without a detector. Each belongs to a user of its
/// own, far from the simulator's users, so filters can isolate it.
/// </summary>
public static class TestAlerts
{
    public static long NewUserId() => Random.Shared.NextInt64(1_000_000_000, 2_000_000_000);

    public static Alert NewAlert(long userId, DateTimeOffset createdAt, double risk = 0.7, string[]? rules = null,
        string status = "open", string location = "ES") =>
        new($"tx_api_{Guid.NewGuid():N}", userId, 1500.00m, location, createdAt.AddSeconds(-1), Score: -0.61,
            "amount=1500.00; threshold=1000.00", createdAt, risk, rules ?? ["amount_above_threshold"], "rules-v0", status);

    public static async Task InsertAsync(string postgresConnectionString, params Alert[] alerts)
    {
        await using var connection = new NpgsqlConnection(postgresConnectionString);
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

    /// <summary>A successful GET's JSON body.</summary>
    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
