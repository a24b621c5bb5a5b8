using Fraud.Core.Features;
using Npgsql;
using NpgsqlTypes;

namespace Fraud.Detector.Sampling;

/// <summary>
/// Writes reservoir slots to <c>training_samples</c> (migration 005) and deletes hours past the retention, in one
/// round trip: the slots go as parallel arrays, unnested into one <c>INSERT … ON CONFLICT DO UPDATE</c> (the
/// feature vectors as one flat <c>real[]</c>, sliced per row), so a batch of any size is a fixed number of parameters.
/// </summary>
internal sealed class TrainingSampleStore(NpgsqlDataSource dataSource)
{
    /// <summary>What <c>training_samples.schema</c> records: the feature names, in vector order.</summary>
    public static readonly string Schema = string.Join(',', FeatureSchema.Names);

    private static readonly string UpsertSql = $"""
        INSERT INTO training_samples (hour, source, slot, schema, features, tx_id, ts)
        SELECT s.hour, $1, s.slot, $2, ($3::real[])[((s.n - 1) * {FeatureSchema.Count} + 1)::int : (s.n * {FeatureSchema.Count})::int], s.tx_id, s.ts
        FROM unnest($4::timestamptz[], $5::integer[], $6::text[], $7::timestamptz[]) WITH ORDINALITY AS s (hour, slot, tx_id, ts, n)
        ON CONFLICT (hour, source, slot) DO UPDATE
            SET schema = EXCLUDED.schema, features = EXCLUDED.features, tx_id = EXCLUDED.tx_id, ts = EXCLUDED.ts
        """;

    private const string DeleteSql = "DELETE FROM training_samples WHERE hour < $1";

    /// <summary>Upserts <paramref name="samples"/> as <paramref name="source"/>'s slots, then deletes the hours before <paramref name="deleteBefore"/> (all sources), if given.</summary>
    public async Task UpsertAsync(string source, ReservoirSamples samples, DateTimeOffset? deleteBefore, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection);
        if (samples.Count > 0)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(UpsertSql)
            {
                Parameters =
                {
                    new() { Value = source },
                    new() { Value = Schema },
                    new() { Value = samples.Features, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Real },
                    new() { Value = samples.Hours, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz },
                    new() { Value = samples.Slots, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer },
                    new() { Value = samples.TxIds, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                    new() { Value = samples.Ts, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz },
                },
            });
        }

        if (deleteBefore is { } before)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(DeleteSql)
            {
                Parameters = { new() { Value = before.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz } },
            });
        }

        if (batch.BatchCommands.Count > 0)
        {
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
