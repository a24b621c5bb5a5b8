using Fraud.Core;
using Npgsql;

namespace Fraud.Api.Alerts;

/// <summary>Reads of <c>fraud_alerts</c>; every value is a parameter.</summary>
internal sealed class AlertQueries(NpgsqlDataSource dataSource)
{
    public async Task<IReadOnlyList<Alert>> NewestAsync(int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT tx_id, user_id, amount, location, ts, score, reason, created_at, risk, rules, model_version, status
            FROM fraud_alerts
            ORDER BY created_at DESC, tx_id DESC
            LIMIT $1
            """);
        command.Parameters.AddWithValue(limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var alerts = new List<Alert>(limit);
        while (await reader.ReadAsync(cancellationToken))
        {
            alerts.Add(new Alert(
                TxId: reader.GetString(0),
                UserId: reader.GetInt64(1),
                Amount: reader.GetDecimal(2),
                Location: reader.GetString(3).TrimEnd(),
                Ts: reader.GetFieldValue<DateTimeOffset>(4),
                Score: reader.IsDBNull(5) ? null : reader.GetDouble(5),
                Reason: reader.GetString(6),
                CreatedAt: reader.GetFieldValue<DateTimeOffset>(7),
                Risk: reader.GetDouble(8),
                Rules: reader.GetFieldValue<string[]>(9),
                ModelVersion: reader.GetString(10),
                Status: reader.GetString(11)));
        }
        return alerts;
    }
}
