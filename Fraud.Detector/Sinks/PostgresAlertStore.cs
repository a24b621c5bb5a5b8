using Fraud.Core;
using Npgsql;
using NpgsqlTypes;

namespace Fraud.Detector.Sinks;

/// <summary>
/// Writes alerts to <c>fraud_alerts</c>. One round trip per micro-batch (an <see cref="NpgsqlBatch"/>, atomic);
/// <c>ON CONFLICT (tx_id) DO NOTHING</c> makes a replayed alert a no-op. Each row keeps the alert's full feature vector
/// (<c>features</c>, migration 007), so an alert an analyst reviews becomes a training row for the classifier.
/// </summary>
public sealed class PostgresAlertStore(NpgsqlDataSource dataSource)
{
    private const string InsertSql = """
        INSERT INTO fraud_alerts (tx_id, user_id, amount, location, ts, score, reason, created_at, risk, rules, model_version, status, rules_version,
                                  classifier_version, features)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
        ON CONFLICT (tx_id) DO NOTHING
        """;

    /// <param name="alerts">The alerts.</param>
    /// <param name="features">Each alert's feature vector (<c>FeatureSchema.Names</c> order), same order; empty stores none.</param>
    /// <returns>How many alerts were new.</returns>
    public async Task<int> InsertAsync(IReadOnlyList<Alert> alerts, IReadOnlyList<float[]> features, CancellationToken cancellationToken)
    {
        if (features.Count != 0 && features.Count != alerts.Count)
        {
            throw new ArgumentException($"{alerts.Count} alerts need as many feature vectors, got {features.Count}.", nameof(features));
        }

        if (alerts.Count == 0)
        {
            return 0;
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection);
        for (int i = 0; i < alerts.Count; i++)
        {
            var alert = alerts[i];
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
                    new() { Value = features.Count == 0 ? DBNull.Value : features[i], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Real },
                },
            });
        }
        return await batch.ExecuteNonQueryAsync(cancellationToken);
    }
}
