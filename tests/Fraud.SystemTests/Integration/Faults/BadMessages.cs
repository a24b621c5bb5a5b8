using System.Globalization;
using System.Text;

namespace Fraud.SystemTests.Integration.Faults;

/// <summary>
/// Messages the detector must dead-letter, placed among a stream's transactions (index in the stream → the message
/// produced just before that transaction, with the same key): one in a hundred throughout, a dense burst of every
/// kind of malformed message, and a few oversized ones (hundreds of KiB against ~250 bytes for a transaction).
/// Every one breaks the contract for certain; the same seed gives the same messages.
/// </summary>
internal static class BadMessages
{
    private const string Valid = "\"user_id\":1,\"amount\":12.5,\"location\":\"ES\",\"ts\":\"2025-09-01T00:00:00Z\"";

    public static IReadOnlyDictionary<int, byte[]> Build(int seed, int streamLength, long firstUser)
    {
        var random = new Random(seed);
        var messages = new Dictionary<int, byte[]>();

        // One percent throughout: cut short (not JSON), or a negative amount (JSON, breaks the contract).
        for (int i = 7; i < streamLength; i += 100)
        {
            messages[i] = i / 100 % 2 == 0
                ? Utf8($"{{\"tx_id\":\"poison_{i}\",\"user_id\":")
                : Utf8($"{{\"tx_id\":\"poison_{i}\",\"user_id\":{firstUser},\"amount\":-5,\"location\":\"ES\",\"ts\":\"2025-09-01T00:00:00Z\"}}");
        }

        // A burst: a bad message before each of 600 consecutive transactions.
        int burstStart = streamLength / 2;
        for (int i = burstStart; i < Math.Min(streamLength, burstStart + 600); i++)
        {
            messages.TryAdd(i, Malformed(random, i));
        }

        // Oversized: an identifier of 256 KiB in otherwise valid JSON, and 384 KiB of random bytes.
        int[] oversized = [streamLength * 8 / 10 + 3, streamLength * 85 / 100 + 3, streamLength * 9 / 10 + 3, streamLength * 95 / 100 + 3];
        for (int k = 0; k < oversized.Length; k++)
        {
            messages[oversized[k]] = k % 2 == 0
                ? Utf8($"{{\"tx_id\":\"{new string('x', 256 * 1024)}\",{Valid}}}")
                : RandomBytes(random, 384 * 1024);
        }

        return messages;
    }

    private static byte[] Malformed(Random random, int i) => (i % 14) switch
    {
        0 => RandomBytes(random, random.Next(1, 300)),
        1 => [],
        2 => Utf8("null"),
        3 => Utf8($"[{{\"tx_id\":\"burst_{i}\",{Valid}}}]"),                  // an array, not an object
        4 => Utf8("\"a string\""),
        5 => Utf8($"{{\"tx_id\":\"burst_{i}\",\"user_id\":\"not a number\",\"amount\":12.5,\"location\":\"ES\",\"ts\":\"2025-09-01T00:00:00Z\"}}"),
        6 => Utf8($"{{\"tx_id\":\"burst_{i}\",\"user_id\":1,\"amount\":\"abc\",\"location\":\"ES\",\"ts\":\"2025-09-01T00:00:00Z\"}}"),
        7 => Utf8($"{{\"tx_id\":\"burst_{i}\",\"user_id\":1,\"amount\":12.5,\"location\":\"ES\",\"ts\":\"yesterday\"}}"),
        8 => Utf8($"{{\"tx_id\":\"burst_{i}\",\"user_id\":1,\"amount\":12.5,\"location\":\"Spain\",\"ts\":\"2025-09-01T00:00:00Z\"}}"),
        9 => Utf8($"{{{Valid}}}"),                                               // no tx_id
        10 => Utf8($"{{\"tx_id\":\"burst_{i}\",\"user_id\":1,\"location\":\"ES\",\"ts\":\"2025-09-01T00:00:00Z\"}}"), // no amount
        11 => Utf8(new string('[', 5_000)),                                      // nesting far beyond any JSON reader's limit
        12 => [.. Utf8($"{{\"tx_id\":\"burst_{i}"), 0xC3, 0x28, .. Utf8($"\",{Valid}}}")], // invalid UTF-8
        _ => Utf8(((long)random.Next()).ToString(CultureInfo.InvariantCulture)),  // a bare number
    };

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        bytes[0] = 0xFF; // never the start of a JSON text
        return bytes;
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
