using Fraud.Core;
using Npgsql;

namespace Fraud.Api.Alerts;

/// <summary>Reads of <c>fraud_alerts</c>; every value is a parameter.</summary>
internal sealed class AlertQueries(NpgsqlDataSource dataSource)
{
    private const string Columns = "tx_id, user_id, amount, location, ts, score, reason, created_at, risk, rules, model_version, status, rules_version, classifier_version";

    /// <summary>
    /// Newest first by (created_at, tx_id), which the index <c>fraud_alerts_created_at_idx</c> serves in order,
    /// so a page costs the same at any depth. Reads <paramref name="take"/> rows (the caller asks for one more
    /// than a page to learn whether another page follows).
    /// </summary>
    public async Task<IReadOnlyList<Alert>> ListAsync(AlertFilter filter, int take, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand();
        // Only placeholders ($1, $2, …) are spliced into the text; every value travels as a parameter.
        string Parameter(object value)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
            return $"${command.Parameters.Count}";
        }

        var conditions = new List<string>();
        if (filter.UserId is { } userId)
        {
            conditions.Add($"user_id = {Parameter(userId)}");
        }
        if (filter.Since is { } since)
        {
            conditions.Add($"created_at >= {Parameter(since.UtcDateTime)}");
        }
        if (filter.Until is { } until)
        {
            conditions.Add($"created_at < {Parameter(until.UtcDateTime)}");
        }
        if (filter.MinRisk is { } minRisk)
        {
            conditions.Add($"risk >= {Parameter(minRisk)}");
        }
        if (filter.Rule is { } rule)
        {
            conditions.Add($"rules @> ARRAY[{Parameter(rule)}]::text[]");
        }
        if (filter.Status is { } status)
        {
            conditions.Add($"status = {Parameter(status)}");
        }
        if (filter.After is { } after)
        {
            conditions.Add($"(created_at, tx_id) < ({Parameter(after.CreatedAt.UtcDateTime)}, {Parameter(after.TxId)})");
        }
        var where = conditions.Count == 0 ? "" : "WHERE " + string.Join(" AND ", conditions);
        command.CommandText = $"SELECT {Columns} FROM fraud_alerts {where} ORDER BY created_at DESC, tx_id DESC LIMIT {Parameter(take)}";
        return await ReadAllAsync(command, take, cancellationToken);
    }

    public async Task<Alert?> GetAsync(string txId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Columns} FROM fraud_alerts WHERE tx_id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = txId });
        var alerts = await ReadAllAsync(command, 1, cancellationToken);
        return alerts.Count == 0 ? null : alerts[0];
    }

    private static async Task<IReadOnlyList<Alert>> ReadAllAsync(NpgsqlCommand command, int capacity, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var alerts = new List<Alert>(capacity);
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
                Status: reader.GetString(11),
                RulesVersion: reader.IsDBNull(12) ? null : reader.GetString(12),
                ClassifierVersion: reader.IsDBNull(13) ? null : reader.GetString(13)));
        }
        return alerts;
    }
}
