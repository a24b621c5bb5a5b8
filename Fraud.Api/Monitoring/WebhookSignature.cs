using System.Security.Cryptography;
using System.Text;

namespace Fraud.Api.Monitoring;

/// <summary>
/// The signature a webhook receiver checks: HMAC-SHA256 with the shared secret over <c>{timestamp}.{body}</c>, sent
/// as <c>X-Fraud-Signature: sha256=&lt;lowercase hex&gt;</c> with <c>X-Fraud-Timestamp: &lt;unix seconds&gt;</c>.
/// Signing the timestamp with the body lets a receiver refuse a captured request replayed later.
/// </summary>
public static class WebhookSignature
{
    /// <summary>Carries <c>sha256=&lt;hex&gt;</c>.</summary>
    public const string SignatureHeader = "X-Fraud-Signature";
    /// <summary>Carries the signing time in Unix seconds.</summary>
    public const string TimestampHeader = "X-Fraud-Timestamp";
    private const string Scheme = "sha256=";

    /// <summary>The header value: <c>sha256=</c> and the lowercase hex HMAC.</summary>
    public static string Compute(string secret, long unixSeconds, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(unixSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return Scheme + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message));
    }

    /// <summary>Constant-time comparison, as a receiver should do it.</summary>
    public static bool Verify(string secret, long unixSeconds, ReadOnlySpan<byte> body, string? signature) =>
        signature is not null && CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(Compute(secret, unixSeconds, body)), Encoding.ASCII.GetBytes(signature));
}
