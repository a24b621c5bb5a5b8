using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Fraud.Api.Models;

/// <summary>A stored model version, as <c>GET /models</c> lists it (the model's bytes stay in the table).</summary>
internal sealed record ModelVersion(
    string Version,
    DateTimeOffset CreatedAt,
    string Source,
    JsonElement Parameters,
    DateTimeOffset? WindowStart,
    DateTimeOffset? WindowEnd,
    int TrainingRows,
    JsonElement Validation,
    bool Active);

/// <summary>What an activation did.</summary>
internal sealed record ModelActivation(string Version, bool Active, bool Changed);

/// <summary>
/// Reads and writes <c>models</c> (migration 006). Activating a version deactivates the previous one in the same
/// transaction, so detectors never see two active versions or none.
/// </summary>
internal sealed class ModelStore(NpgsqlDataSource dataSource)
{
    private const string Columns = "version, created_at, source, parameters::text, window_start, window_end, training_rows, validation::text, active";

    public async Task<IReadOnlyList<ModelVersion>> ListAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Columns} FROM models ORDER BY created_at DESC, version");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var versions = new List<ModelVersion>();
        while (await reader.ReadAsync(cancellationToken))
        {
            versions.Add(new ModelVersion(
                reader.GetString(0),
                Utc(reader.GetDateTime(1)),
                reader.GetString(2),
                Json(reader.GetString(3)),
                reader.IsDBNull(4) ? null : Utc(reader.GetDateTime(4)),
                reader.IsDBNull(5) ? null : Utc(reader.GetDateTime(5)),
                reader.GetInt32(6),
                Json(reader.GetString(7)),
                reader.GetBoolean(8)));
        }

        return versions;
    }

    /// <returns>The activation, or null when no model has <paramref name="version"/>.</returns>
    public async Task<ModelActivation?> ActivateAsync(string version, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var current = new NpgsqlCommand("SELECT active FROM models WHERE version = $1 FOR UPDATE", connection, transaction)
        {
            Parameters = { new() { Value = version } },
        };
        if (await current.ExecuteScalarAsync(cancellationToken) is not bool active)
        {
            return null;
        }

        if (!active)
        {
            await ActiveVersions.ActivateAsync(connection, transaction, "models", version, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return new ModelActivation(version, Active: true, Changed: !active);
    }

    /// <summary>Stores a trained model, activating it when <paramref name="activate"/>.</summary>
    public async Task StoreAsync(TrainedModel trained, bool activate, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO models (version, source, parameters, window_start, window_end, training_rows, validation, model)
            VALUES ($1, 'trainer', $2, $3, $4, $5, $6, $7)
            ON CONFLICT (version) DO NOTHING
            """, connection, transaction))
        {
            insert.Parameters.Add(new() { Value = trained.Version });
            insert.Parameters.Add(new() { Value = trained.ParametersJson, NpgsqlDbType = NpgsqlDbType.Jsonb });
            insert.Parameters.Add(new() { Value = trained.WindowStart.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            insert.Parameters.Add(new() { Value = trained.WindowEnd.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            insert.Parameters.Add(new() { Value = trained.TrainingRows });
            insert.Parameters.Add(new() { Value = trained.ValidationJson, NpgsqlDbType = NpgsqlDbType.Jsonb });
            insert.Parameters.Add(new() { Value = trained.Model });
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        if (activate)
        {
            await ActiveVersions.ActivateAsync(connection, transaction, "models", trained.Version, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The samples of the window ending at the newest sampled hour, oldest first, for the current feature schema.</summary>
    public async Task<IReadOnlyList<(float[] Features, DateTimeOffset Ts)>> SamplesAsync(string schema, TimeSpan window, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT features, ts FROM training_samples
            WHERE schema = $1 AND hour > (SELECT max(hour) FROM training_samples WHERE schema = $1) - $2
            ORDER BY ts, tx_id
            """);
        command.Parameters.Add(new() { Value = schema });
        command.Parameters.Add(new() { Value = window });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var samples = new List<(float[], DateTimeOffset)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            samples.Add((reader.GetFieldValue<float[]>(0), Utc(reader.GetDateTime(1))));
        }

        return samples;
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    private static JsonElement Json(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}
