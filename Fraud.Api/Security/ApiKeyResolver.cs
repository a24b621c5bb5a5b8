using System.Collections.Concurrent;
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
/// is the administrator <c>Api:KeyName</c>, compared in constant time over SHA-256 digests so neither its content nor
/// its length leaks through timing; any other key is looked up by its digest among the named keys. A named key found
/// is remembered for <see cref="CacheFor"/> (the stream and the console ask often); a revocation here forgets it at
/// once, on other replicas within that time.
/// </summary>
internal sealed class ApiKeyResolver(IOptions<ApiOptions> options, ApiKeyStore store, TimeProvider time)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);
    private const int MaxCached = 10_000;

    private readonly byte[] _configured = Digest(options.Value.Key);
    private readonly ConcurrentDictionary<string, (ApiKeyIdentity Identity, DateTimeOffset Until)> _found = new(StringComparer.Ordinal);

    public async ValueTask<KeyLookup> ResolveAsync(string presented, CancellationToken cancellationToken)
    {
        var digest = Digest(presented);
        if (CryptographicOperations.FixedTimeEquals(digest, _configured))
        {
            return new KeyLookup(new ApiKeyIdentity(options.Value.KeyName, ApiRoles.Admin));
        }

        if (!presented.StartsWith(ApiKeyStore.Prefix, StringComparison.Ordinal))
        {
            return new KeyLookup(null);   // not a key made here: no database round trip for a guess
        }

        string cacheKey = Convert.ToHexString(digest);
        var now = time.GetUtcNow();
        if (_found.TryGetValue(cacheKey, out var cached) && cached.Until > now)
        {
            return new KeyLookup(cached.Identity);
        }

        var lookup = await store.FindAsync(digest, cancellationToken);
        if (lookup.Identity is { } identity)
        {
            if (_found.Count >= MaxCached)
            {
                _found.Clear();
            }

            _found[cacheKey] = (identity, now + CacheFor);
        }
        else
        {
            _found.TryRemove(cacheKey, out _);
        }

        return lookup;
    }

    /// <summary>A key revoked through this replica stops working here at once.</summary>
    public void Forget(string name)
    {
        foreach (var (cacheKey, entry) in _found)
        {
            if (entry.Identity.Name == name)
            {
                _found.TryRemove(cacheKey, out _);
            }
        }
    }

    internal static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
