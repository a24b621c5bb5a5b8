using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Fraud.Api.Security;

/// <summary>Who a key belongs to: its name (recorded with every change it makes) and its role.</summary>
public sealed record ApiKeyIdentity(string Name, string Role);

/// <summary>A key's lookup: its identity, or none (<see cref="Revoked"/> when it once was valid).</summary>
internal sealed record KeyLookup(ApiKeyIdentity? Identity, bool Revoked = false);

/// <summary>
/// Finds whose a presented key is. The configured key (<c>Api:Key</c>, the AppHost's secret parameter <c>api-key</c>)
/// is the administrator <c>Api:KeyName</c>; it is compared in constant time over SHA-256 digests, so neither its
/// content nor its length leaks through timing.
/// </summary>
internal sealed class ApiKeyResolver(IOptions<ApiOptions> options)
{
    private readonly byte[] _configured = Digest(options.Value.Key);

    public ValueTask<KeyLookup> ResolveAsync(string presented, CancellationToken cancellationToken)
    {
        _ = cancellationToken;
        return ValueTask.FromResult(CryptographicOperations.FixedTimeEquals(Digest(presented), _configured)
            ? new KeyLookup(new ApiKeyIdentity(options.Value.KeyName, ApiRoles.Admin))
            : new KeyLookup(null));
    }

    internal static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
