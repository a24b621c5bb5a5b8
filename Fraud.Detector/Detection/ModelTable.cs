using System.Text.Json;
using Fraud.Core.Detection.Forest;
using Npgsql;
using NpgsqlTypes;

namespace Fraud.Detector.Detection;

/// <summary>
/// The detector's side of <c>models</c> (migration 006): which version is active and its bytes, and storing a model
/// file: as the seed when nothing is active yet, or as the new active version when an operator replaced the file.
/// The API's trainer stores and activates trained versions. Since migration 007 one version per <c>kind</c> is active:
/// the forest (<see cref="Forest"/>, the only kind a model file holds) and the supervised classifier
/// (<see cref="Classifier"/>, trained by the API only; none active means deciding without one).
/// </summary>
internal sealed class ModelTable(NpgsqlDataSource dataSource)
{
    public const string Forest = "isolation_forest";
    public const string Classifier = "classifier";

    public async Task<string?> ActiveVersionAsync(string kind, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT version FROM models WHERE active AND kind = $1");
        command.Parameters.Add(new() { Value = kind });
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    public async Task<(string Version, byte[] Model)?> ActiveAsync(string kind, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT version, model FROM models WHERE active AND kind = $1");
        command.Parameters.Add(new() { Value = kind });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetString(0), reader.GetFieldValue<byte[]>(1)) : null;
    }

    /// <summary>Stores the file's model as the active version when none is active (replicas race harmlessly).</summary>
    public async Task SeedAsync(IsolationForest model, byte[] bytes, string source, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO models (version, source, parameters, training_rows, model, active)
            SELECT $1, $2, $3, $4, $5, true WHERE NOT EXISTS (SELECT 1 FROM models WHERE active AND kind = 'isolation_forest')
            ON CONFLICT DO NOTHING
            """);
        AddModel(command.Parameters, model, bytes, source);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Stores the file's model (if its version is new) and activates it.</summary>
    public async Task ImportAndActivateAsync(IsolationForest model, byte[] bytes, string source, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO models (version, source, parameters, training_rows, model) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (version) DO NOTHING
            """, connection, transaction))
        {
            AddModel(insert.Parameters, model, bytes, source);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var deactivate = new NpgsqlCommand("UPDATE models SET active = false WHERE active AND kind = 'isolation_forest' AND version <> $1", connection, transaction))
        {
            deactivate.Parameters.Add(new() { Value = model.Version });
            await deactivate.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var activate = new NpgsqlCommand("UPDATE models SET active = true WHERE version = $1", connection, transaction))
        {
            activate.Parameters.Add(new() { Value = model.Version });
            await activate.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static void AddModel(NpgsqlParameterCollection parameters, IsolationForest model, byte[] bytes, string source)
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
        parameters.Add(new() { Value = bytes });
    }
}
