using Fraud.Detector.Pipeline;
using Npgsql;
using NpgsqlTypes;

namespace Fraud.Detector.Sinks;

/// <summary>
/// Writes alerts to <c>fraud_alerts</c>. One round trip per micro-batch (an <see cref="NpgsqlBatch"/>, atomic);
/// <c>ON CONFLICT (tx_id) DO NOTHING</c> makes a replayed alert a no-op. Each row keeps the alert's full feature vector
/// (<c>features</c>, migration 007), so an alert an analyst reviews becomes a training row for the classifier, and its
/// transaction's merchant (migration 008), so a verdict on it counts towards that merchant's risk.
/// </summary>
public sealed class PostgresAlertStore(NpgsqlDataSource dataSource)
{
    private const string InsertSql = """
        INSERT INTO fraud_alerts (tx_id, user_id, amount, location, ts, score, reason, created_at, risk, rules, model_version, status, rules_version,
                                  classifier_version, features, merchant_id)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
        ON CONFLICT (tx_id) DO NOTHING
        """;

    /// <param name="alerts">The alerts, each with its merchant and full feature vector (<c>FeatureSchema.Names</c> order).</param>
    /// <returns>How many alerts were new.</returns>
    internal async Task<int> InsertAsync(IReadOnlyList<BatchAlert> alerts, CancellationToken cancellationToken)
    {
        if (alerts.Count == 0)
        {
            return 0;
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection);
        for (int i = 0; i < alerts.Count; i++)
        {
            var (alert, merchantId, features, _) = alerts[i];
            batch.BatchCommands.Add(new NpgsqlBatchCommand(InsertSql)
            {
                Parameters =
                {
                    new() { Value = alert.TxId },
                    new() { Value = alert.UserId },
                    new() { Value = alert.Amount },
                    new() { Value = alert.Location },
                    new() { Value = alert.Ts.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz },
                    new() { Value = (object?)alert.Score ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Double },
                    new() { Value = alert.Reason },
                    new() { Value = alert.CreatedAt.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz },
                    new() { Value = alert.Risk },
                    new() { Value = alert.Rules.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                    new() { Value = alert.ModelVersion },
                    new() { Value = alert.Status },
                    new() { Value = (object?)alert.RulesVersion ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text },
                    new() { Value = (object?)alert.ClassifierVersion ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text },
                    new() { Value = features, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Real },
                    new() { Value = (object?)merchantId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text },
                },
            });
        }
        return await batch.ExecuteNonQueryAsync(cancellationToken);
    }
}
