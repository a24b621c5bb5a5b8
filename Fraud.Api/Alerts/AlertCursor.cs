using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Fraud.Api.Alerts;

/// <summary>
/// Where a page of <c>GET /alerts</c> ended: the last row's (created_at, tx_id), the list's sort key, so the next
/// page starts strictly after it however many alerts arrive in between. Clients treat it as opaque text
/// (base64url of "ticks:tx_id"); only its round trip is a contract.
/// </summary>
internal readonly record struct AlertCursor(DateTimeOffset CreatedAt, string TxId)
{
    public string Encode() =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{CreatedAt.UtcTicks}:{TxId}")));

    public static bool TryDecode(string text, out AlertCursor cursor)
    {
        cursor = default;
        if (text.Length > 1024 || !Base64Url.IsValid(text))
        {
            return false;
        }
        var decoded = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text));
        var separator = decoded.IndexOf(':', StringComparison.Ordinal);
        if (separator <= 0 || separator == decoded.Length - 1
            || !long.TryParse(decoded.AsSpan(0, separator), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            return false;
        }
        cursor = new AlertCursor(new DateTimeOffset(ticks, TimeSpan.Zero), decoded[(separator + 1)..]);
        return true;
    }
}
