using System.Text.Json;
using Fraud.Core.Detection;
using Fraud.Core.Detection.Forest;
using Npgsql;
using NpgsqlTypes;

namespace Fraud.Api.Models;

/// <summary>A stored model version, as <c>GET /models</c> lists it (the model's bytes stay in the table).</summary>
internal sealed record ModelVersion(
    string Version,
    string Kind,
    DateTimeOffset CreatedAt,
    string Source,
    JsonElement Parameters,
    DateTimeOffset? WindowStart,
    DateTimeOffset? WindowEnd,
    int TrainingRows,
    JsonElement Validation,
    bool Active,
    string? ActivatedBy);

/// <summary>What an activation did, and the name of the key that asked for it.</summary>
internal sealed record ModelActivation(string Version, string Kind, bool Active, bool Changed, string? ActivatedBy);

/// <summary>
/// Reads and writes <c>models</c> (migrations 006, 007), which the API alone writes: detectors only read it. Each version
/// has a kind (<see cref="ModelKind"/>) and one version per kind is active: activating a version deactivates the previous one of
/// its kind in the same transaction, so detectors never see two active versions of a kind, and switching the
/// classifier never touches the forest.
/// </summary>
internal sealed class ModelStore(NpgsqlDataSource dataSource)
{
    /// <summary>Who asked for a training run that <c>Training:Every</c> started.</summary>
    public const string Schedule = "schedule";

    private const string Columns = "version, kind, created_at, source, parameters::text, window_start, window_end, training_rows, validation::text, active, activated_by";

    public async Task<IReadOnlyList<ModelVersion>> ListAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Columns} FROM models ORDER BY created_at DESC, version");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var versions = new List<ModelVersion>();
        while (await reader.ReadAsync(cancellationToken))
        {
            versions.Add(new ModelVersion(
                reader.GetString(0),
                reader.GetString(1),
                Utc(reader.GetDateTime(2)),
                reader.GetString(3),
                Json(reader.GetString(4)),
                reader.IsDBNull(5) ? null : Utc(reader.GetDateTime(5)),
                reader.IsDBNull(6) ? null : Utc(reader.GetDateTime(6)),
                reader.GetInt32(7),
                Json(reader.GetString(8)),
                reader.GetBoolean(9),
                reader.IsDBNull(10) ? null : reader.GetString(10)));
        }

        return versions;
    }

    /// <summary>Makes <paramref name="version"/> the active one of its kind; the other kind's active version stays.</summary>
    /// <returns>The activation, or null when no model has <paramref name="version"/>.</returns>
    public async Task<ModelActivation?> ActivateAsync(string version, string activatedBy, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        bool active;
        string kind;
        await using (var current = new NpgsqlCommand("SELECT active, kind FROM models WHERE version = $1 FOR UPDATE", connection, transaction)
        {
            Parameters = { new() { Value = version } },
        })
        await using (var reader = await current.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            (active, kind) = (reader.GetBoolean(0), reader.GetString(1));
        }

        if (!active)
        {
            await ActiveVersions.ActivateAsync(connection, transaction, "models", version, cancellationToken, kind);
            await using var who = new NpgsqlCommand("UPDATE models SET activated_by = $2 WHERE version = $1", connection, transaction)
            {
                Parameters = { new() { Value = version }, new() { Value = activatedBy } },
            };
            await who.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return new ModelActivation(version, kind, Active: true, Changed: !active, ActivatedBy: active ? null : activatedBy);
    }

    /// <summary>
    /// Stores a trained model, activating it when <paramref name="activate"/> and recording who asked for the training
    /// as its activator (the API key's name, or <see cref="Schedule"/>).
    /// </summary>
    public async Task StoreAsync(TrainedModel trained, bool activate, string requestedBy, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO models (version, source, parameters, window_start, window_end, training_rows, validation, model, kind)
            VALUES ($1, 'trainer', $2, $3, $4, $5, $6, $7, $8)
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
            insert.Parameters.Add(new() { Value = trained.Kind });
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        if (activate)
        {
            await ActiveVersions.ActivateAsync(connection, transaction, "models", trained.Version, cancellationToken, trained.Kind);
            await using var who = new NpgsqlCommand("UPDATE models SET activated_by = $2 WHERE version = $1", connection, transaction)
            {
                Parameters = { new() { Value = trained.Version }, new() { Value = requestedBy } },
            };
            await who.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<bool> HasActiveAsync(string kind, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT EXISTS (SELECT FROM models WHERE active AND kind = $1)");
        command.Parameters.Add(new() { Value = kind });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Stores a model file's forest as the active one when no forest is active (a fresh installation).</summary>
    public async Task SeedForestAsync(IsolationForest model, string source, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO models (version, source, parameters, training_rows, model, kind, active)
            SELECT $1, $2, $3, $4, $5, $6, true WHERE NOT EXISTS (SELECT 1 FROM models WHERE active AND kind = $6)
            ON CONFLICT DO NOTHING
            """);
        AddForest(command.Parameters, model, source);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Stores a model file's forest (if its version is new) and makes it the active forest.</summary>
    public async Task ImportForestAsync(IsolationForest model, string source, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO models (version, source, parameters, training_rows, model, kind) VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (version) DO NOTHING
            """, connection, transaction))
        {
            AddForest(insert.Parameters, model, source);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await ActiveVersions.ActivateAsync(connection, transaction, "models", model.Version, cancellationToken, ModelKind.Forest);
        await transaction.CommitAsync(cancellationToken);
    }

    private static void AddForest(NpgsqlParameterCollection parameters, IsolationForest model, string source)
    {
        var options = model.Options;
        string description = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["estimators"] = options.Estimators,
            ["max_samples"] = options.MaxSamples,
            ["max_features"] = options.MaxFeatures,
            ["contamination"] = options.Contamination,
            ["seed"] = options.Seed,
            ["features"] = model.FeatureNames,
            ["offset"] = model.Offset,
        });
        parameters.Add(new() { Value = model.Version });
        parameters.Add(new() { Value = source });
        parameters.Add(new() { Value = description, NpgsqlDbType = NpgsqlDbType.Jsonb });
        parameters.Add(new() { Value = model.TrainingRows });
        parameters.Add(new() { Value = model.Serialize() });
        parameters.Add(new() { Value = ModelKind.Forest });
    }

    /// <summary>
    /// The samples of the window ending at the newest sampled hour, oldest first, for the current feature schema; and
    /// how many samples of the window were skipped for another schema (or another length), sampled before an upgrade.
    /// </summary>
    public async Task<(IReadOnlyList<(float[] Features, DateTimeOffset Ts)> Samples, int OtherSchema)> SamplesAsync(
        string schema, int width, TimeSpan window, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT features, ts, schema = $1 AND cardinality(features) = $3 FROM training_samples
            WHERE hour > (SELECT max(hour) FROM training_samples) - $2
            ORDER BY ts, tx_id
            """);
        command.Parameters.Add(new() { Value = schema });
        command.Parameters.Add(new() { Value = window });
        command.Parameters.Add(new() { Value = width });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var samples = new List<(float[], DateTimeOffset)>();
        int otherSchema = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            if (reader.GetBoolean(2))
            {
                samples.Add((reader.GetFieldValue<float[]>(0), Utc(reader.GetDateTime(1))));
            }
            else
            {
                otherSchema++;
            }
        }

        return (samples, otherSchema);
    }

    /// <summary>Why a trainer may find fewer rows than expected, e.g. just after an upgrade that added features; empty when none were skipped.</summary>
    public static string OtherSchemaNote(int otherSchema) => otherSchema == 0 ? "" :
        $" {otherSchema} stored feature vectors of another feature schema were skipped.";

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    private static JsonElement Json(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}
