using Fraud.Core.Detection;
using Npgsql;

namespace Fraud.Detector.Detection;

/// <summary>
/// The detector's side of <c>models</c> (migrations 006, 007): which version of a <see cref="ModelKind"/> is active, and
/// its bytes. Read only: the API stores and activates every version (its login here may not write the table).
/// </summary>
internal sealed class ModelTable(NpgsqlDataSource dataSource)
{
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
}
