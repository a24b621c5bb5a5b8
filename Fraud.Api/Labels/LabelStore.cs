using Fraud.Core;
using Npgsql;
using NpgsqlTypes;

namespace Fraud.Api.Labels;

/// <summary>A labelled feature vector for the classifier: a reviewed alert or a delayed sample.</summary>
/// <param name="TxId">The transaction.</param>
/// <param name="Ts">Its event time; training respects it.</param>
/// <param name="Features">Its full feature vector, in <c>FeatureSchema.Names</c> order.</param>
/// <param name="IsFraud">Its label.</param>
internal sealed record LabelledRow(string TxId, DateTimeOffset Ts, float[] Features, bool IsFraud);

/// <summary>The classifier's training rows, and how many labelled vectors were skipped for holding other features.</summary>
/// <param name="Rows">Usable rows, oldest first.</param>
/// <param name="OtherSchema">
/// Alerts and samples in the window whose vector was computed by a build with other features (another length, or a
/// sample of another schema): stored before an upgrade, they would be read in the wrong columns.
/// </param>
internal sealed record TrainingRows(IReadOnlyList<LabelledRow> Rows, int OtherSchema);

/// <summary>
/// The <c>labels</c> table (migration 007): ground truth per transaction from the simulator's topic and from analysts'
/// feedback, an analyst's label overriding the simulator's and never the reverse; and the classifier's training rows
/// built from it.
/// </summary>
internal sealed class LabelStore(NpgsqlDataSource dataSource)
{
    /// <summary>Stores the simulator's labels in one statement; a transaction an analyst labelled keeps that label.</summary>
    /// <returns>How many rows were written.</returns>
    public async Task<int> UpsertSimulatorAsync(IReadOnlyCollection<Label> labels, CancellationToken cancellationToken)
    {
        if (labels.Count == 0)
        {
            return 0;
        }

        // One row per tx_id (the last one wins): ON CONFLICT DO UPDATE may not touch a row twice in one statement.
        var latest = new Dictionary<string, Label>(StringComparer.Ordinal);
        foreach (var label in labels)
        {
            latest[label.TxId] = label;
        }

        // Where and when the transaction happened, kept from an earlier label when this one does not say.
        await using var command = dataSource.CreateCommand("""
            INSERT INTO labels (tx_id, is_fraud, scenario, source, merchant_id, ts)
            SELECT tx_id, is_fraud, scenario, 'simulator', merchant_id, ts
            FROM unnest($1::text[], $2::boolean[], $3::text[], $4::text[], $5::timestamptz[]) AS l (tx_id, is_fraud, scenario, merchant_id, ts)
            ON CONFLICT (tx_id) DO UPDATE SET is_fraud = excluded.is_fraud, scenario = excluded.scenario,
                merchant_id = coalesce(excluded.merchant_id, labels.merchant_id), ts = coalesce(excluded.ts, labels.ts)
            WHERE labels.source = 'simulator'
            """);
        command.Parameters.Add(new() { Value = latest.Keys.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = latest.Values.Select(label => label.IsFraud).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Boolean });
        command.Parameters.Add(new() { Value = latest.Values.Select(label => label.Scenario).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = latest.Values.Select(label => label.MerchantId).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = latest.Values.Select(label => label.Ts?.UtcDateTime).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// The command that records an analyst's verdict on an alert as the transaction's label, overriding any other; the
    /// alert says where and when the transaction happened (merchant risk counts the fraud there).
    /// </summary>
    public static NpgsqlBatchCommand AnalystLabel(string txId, bool isFraud) => new("""
        INSERT INTO labels (tx_id, is_fraud, source, merchant_id, ts)
        SELECT $1, $2, 'analyst', a.merchant_id, a.ts FROM (SELECT) AS one LEFT JOIN fraud_alerts a ON a.tx_id = $1
        ON CONFLICT (tx_id) DO UPDATE SET is_fraud = excluded.is_fraud, source = 'analyst', known_at = now(),
            scenario = CASE WHEN excluded.is_fraud THEN labels.scenario END,
            merchant_id = coalesce(excluded.merchant_id, labels.merchant_id), ts = coalesce(excluded.ts, labels.ts)
        """)
    {
        Parameters = { new() { Value = txId }, new() { Value = isFraud } },
    };

    /// <summary>
    /// The classifier's training rows, oldest first (the Fraud Detection Handbook's two sets):
    /// <list type="bullet">
    /// <item><b>feedback</b>: alerts that kept their feature vector and have a label (the <c>labels</c> table, or the
    /// analyst's verdict in their status), at any age, since a reviewed alert's label is known at once;</item>
    /// <item><b>delayed samples</b>: the detectors' sampled feature vectors older than <paramref name="labelDelay"/>
    /// (back from the newest sample), when every fraud among them has had time to be reported; a sample's label is
    /// its <c>labels</c> row when there is one, else legitimate.</item>
    /// </list>
    /// Both within <paramref name="window"/> before that cut. A transaction in both sets counts once, as its alert.
    /// </summary>
    /// <param name="schema"><c>FeatureSchema.Names</c> joined with ','; samples of another schema are skipped and counted.</param>
    /// <param name="width">The number of features; vectors of another length are skipped and counted.</param>
    public async Task<TrainingRows> TrainingRowsAsync(string schema, int width, TimeSpan labelDelay, TimeSpan window, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            WITH clock AS (SELECT max(ts) - $2::interval AS cut FROM training_samples WHERE schema = $1)
            SELECT a.tx_id, a.ts, a.features, coalesce(l.is_fraud, a.status = 'confirmed_fraud'), true, cardinality(a.features) = $4
            FROM fraud_alerts a CROSS JOIN clock LEFT JOIN labels l ON l.tx_id = a.tx_id
            WHERE a.features IS NOT NULL
              AND (l.tx_id IS NOT NULL OR a.status IN ('confirmed_fraud', 'false_positive'))
              AND (clock.cut IS NULL OR a.ts > clock.cut - $3::interval)
            UNION ALL
            SELECT s.tx_id, s.ts, s.features, coalesce(l.is_fraud, false), false, s.schema = $1 AND cardinality(s.features) = $4
            FROM training_samples s CROSS JOIN clock LEFT JOIN labels l ON l.tx_id = s.tx_id
            WHERE s.ts <= clock.cut AND s.ts > clock.cut - $3::interval
            ORDER BY 2, 1, 5 DESC
            """);
        command.Parameters.Add(new() { Value = schema });
        command.Parameters.Add(new() { Value = labelDelay, NpgsqlDbType = NpgsqlDbType.Interval });
        command.Parameters.Add(new() { Value = window, NpgsqlDbType = NpgsqlDbType.Interval });
        command.Parameters.Add(new() { Value = width });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<LabelledRow>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int otherSchema = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            if (!reader.GetBoolean(5))
            {
                otherSchema++;
                continue;
            }

            // Ordered by (ts, tx_id, alert first): a transaction's alert row comes before its sample row.
            string txId = reader.GetString(0);
            if (seen.Add(txId))
            {
                rows.Add(new LabelledRow(txId, reader.GetFieldValue<DateTimeOffset>(1), reader.GetFieldValue<float[]>(2), reader.GetBoolean(3)));
            }
        }

        return new TrainingRows(rows, otherSchema);
    }
}
