using Fraud.Detector.Pipeline;
using Npgsql;
using NpgsqlTypes;

namespace Fraud.Detector.Sinks;

/// <summary>
/// Writes a flush's alerts to <c>fraud_alerts</c> in one statement: a multi-row insert (the alerts as column
/// arrays, unnested), <c>ON CONFLICT (tx_id) DO NOTHING</c> so a replayed alert is a no-op. Each row keeps the alert's
/// full feature vector (<c>features</c>, migration 007), so an alert an analyst reviews becomes a training row for the
/// classifier, and its transaction's merchant (migration 008), so a verdict on it counts towards that merchant's risk.
/// The rules and feature vectors, an array per row, travel flattened and are sliced back per row.
/// </summary>
internal sealed class PostgresAlertStore(NpgsqlDataSource dataSource)
{
    private const string InsertSql = """
        INSERT INTO fraud_alerts (tx_id, user_id, amount, location, ts, score, reason, created_at, risk, rules, model_version, status, rules_version,
                                  classifier_version, features, merchant_id)
        SELECT a.tx_id, a.user_id, a.amount, a.location, a.ts, a.score, a.reason, a.created_at, a.risk, ($16::text[])[a.rules_from:a.rules_to],
               a.model_version, a.status, a.rules_version, a.classifier_version, ($17::real[])[(a.n - 1) * $18 + 1 : a.n * $18], a.merchant_id
        FROM unnest($1::text[], $2::bigint[], $3::numeric[], $4::text[], $5::timestamptz[], $6::double precision[], $7::text[], $8::timestamptz[],
                    $9::double precision[], $10::integer[], $11::integer[], $12::text[], $13::text[], $14::text[], $15::text[], $19::text[])
             WITH ORDINALITY AS a (tx_id, user_id, amount, location, ts, score, reason, created_at, risk, rules_from, rules_to, model_version, status,
                                   rules_version, classifier_version, merchant_id, n)
        ON CONFLICT (tx_id) DO NOTHING
        """;

    /// <param name="alerts">The alerts, each with its merchant and full feature vector (<c>FeatureSchema.Names</c> order, the same length for all).</param>
    /// <returns>How many alerts were new.</returns>
    public async Task<int> InsertAsync(IReadOnlyList<BatchAlert> alerts, CancellationToken cancellationToken)
    {
        if (alerts.Count == 0)
        {
            return 0;
        }

        int count = alerts.Count;
        int width = alerts[0].Features.Length;
        var rulesFrom = new int[count];
        var rulesTo = new int[count];
        var rules = new List<string>();
        var features = new float[count * width];
        for (int i = 0; i < count; i++)
        {
            var (alert, _, vector, _) = alerts[i];
            if (vector.Length != width)
            {
                throw new InvalidOperationException($"Alert {alert.TxId} has {vector.Length} features where the others have {width}.");
            }

            rulesFrom[i] = rules.Count + 1;   // Postgres arrays count from 1; an empty slice (from > to) reads '{}'
            rules.AddRange(alert.Rules);
            rulesTo[i] = rules.Count;
            vector.CopyTo(features, i * width);
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var insert = new NpgsqlCommand(InsertSql, connection)
        {
            Parameters =
            {
                new() { Value = Column(alerts, entry => entry.Alert.TxId) },
                new() { Value = Column(alerts, entry => entry.Alert.UserId) },
                new() { Value = Column(alerts, entry => entry.Alert.Amount) },
                new() { Value = Column(alerts, entry => entry.Alert.Location) },
                new() { Value = Column(alerts, entry => entry.Alert.Ts.UtcDateTime), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz },
                new() { Value = Column(alerts, entry => entry.Alert.Score), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Double },
                new() { Value = Column(alerts, entry => entry.Alert.Reason) },
                new() { Value = Column(alerts, entry => entry.Alert.CreatedAt.UtcDateTime), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz },
                new() { Value = Column(alerts, entry => entry.Alert.Risk) },
                new() { Value = rulesFrom },
                new() { Value = rulesTo },
                new() { Value = Column(alerts, entry => entry.Alert.ModelVersion) },
                new() { Value = Column(alerts, entry => entry.Alert.Status) },
                new() { Value = Column(alerts, entry => entry.Alert.RulesVersion), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                new() { Value = Column(alerts, entry => entry.Alert.ClassifierVersion), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                new() { Value = rules.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                new() { Value = features },
                new() { Value = width },
                new() { Value = Column(alerts, entry => entry.MerchantId), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
            },
        };
        return await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    private static T[] Column<T>(IReadOnlyList<BatchAlert> alerts, Func<BatchAlert, T> value)
    {
        var column = new T[alerts.Count];
        for (int i = 0; i < column.Length; i++)
        {
            column[i] = value(alerts[i]);
        }

        return column;
    }
}
