using System.Buffers.Text;
using System.Security.Cryptography;
using Npgsql;

namespace Fraud.Api.Security;

/// <summary>A named key as listed (never the key itself).</summary>
internal sealed record ApiKeyInfo(string Name, string Role, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? RevokedAt, string? RevokedBy);

/// <summary>A key just made: the only time its value is shown.</summary>
internal sealed record CreatedApiKey(string Name, string Role, string Key, DateTimeOffset CreatedAt, string CreatedBy);

/// <summary>
/// The named keys in <c>api_keys</c> (migration 009): made here from 256 random bits, stored as their SHA-256 digest,
/// revoked by name. A revoked key keeps its row, so who did what stays readable.
/// </summary>
internal sealed class ApiKeyStore(NpgsqlDataSource dataSource)
{
    /// <summary>Prefix of the keys made here: recognisable in a leaked file or a secret scanner's rules.</summary>
    public const string Prefix = "fk_";

    public static string NewKey() => Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <returns>The new key, or null when a key in use already has <paramref name="name"/>.</returns>
    public async Task<CreatedApiKey?> CreateAsync(string name, string role, string createdBy, CancellationToken cancellationToken)
    {
        string key = NewKey();
        await using var command = dataSource.CreateCommand("""
            INSERT INTO api_keys (name, role, key_sha256, created_by) VALUES ($1, $2, $3, $4)
            ON CONFLICT (name) WHERE revoked_at IS NULL DO NOTHING
            RETURNING created_at
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        command.Parameters.Add(new NpgsqlParameter { Value = role });
        command.Parameters.Add(new NpgsqlParameter { Value = ApiKeyResolver.Digest(key) });
        command.Parameters.Add(new NpgsqlParameter { Value = createdBy });
        return await command.ExecuteScalarAsync(cancellationToken) is DateTime createdAt
            ? new CreatedApiKey(name, role, key, new DateTimeOffset(createdAt, TimeSpan.Zero), createdBy)
            : null;
    }

    /// <returns>The revoked key, or null when no key in use has <paramref name="name"/>.</returns>
    public async Task<ApiKeyInfo?> RevokeAsync(string name, string revokedBy, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE api_keys SET revoked_at = now(), revoked_by = $2 WHERE name = $1 AND revoked_at IS NULL
            RETURNING name, role, created_at, created_by, revoked_at, revoked_by
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        command.Parameters.Add(new NpgsqlParameter { Value = revokedBy });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Info(reader) : null;
    }

    /// <summary>Every key, those in use first, newest first.</summary>
    public async Task<IReadOnlyList<ApiKeyInfo>> ListAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT name, role, created_at, created_by, revoked_at, revoked_by FROM api_keys
            ORDER BY revoked_at IS NOT NULL, created_at DESC, id DESC
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var keys = new List<ApiKeyInfo>();
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(Info(reader));
        }

        return keys;
    }

    /// <summary>Whose key has this digest: its identity, revoked, or unknown.</summary>
    public async Task<KeyLookup> FindAsync(byte[] digest, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT name, role, revoked_at IS NOT NULL FROM api_keys WHERE key_sha256 = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = digest });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return new KeyLookup(null);
        }

        return reader.GetBoolean(2) ? new KeyLookup(null, Revoked: true) : new KeyLookup(new ApiKeyIdentity(reader.GetString(0), reader.GetString(1)));
    }

    private static ApiKeyInfo Info(NpgsqlDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetString(3),
        reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4), reader.IsDBNull(5) ? null : reader.GetString(5));
}
