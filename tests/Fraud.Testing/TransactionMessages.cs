using System.Text;
using Fraud.Core;

namespace Fraud.Testing;

/// <summary>Builds transaction messages from the design contract's example, one field changed at a time.</summary>
public static class TransactionMessages
{
    /// <summary>The example of docs/design.md, "Contracts".</summary>
    public const string ContractExample =
        """{"tx_id":"tx_000000001","user_id":4405,"amount":1881.22,"currency":"EUR","location":"ES","ts":"2025-09-13T07:46:41.314350Z","merchant_id":"m_01234","mcc":5411,"channel":"pos","device_id":"d_000099","lat":40.41,"lon":-3.70}""";

    /// <summary><see cref="ContractExample"/> as a record.</summary>
    public static readonly Transaction ContractExampleTransaction = new(
        TxId: "tx_000000001",
        UserId: 4405,
        Amount: 1881.22m,
        Currency: "EUR",
        Location: "ES",
        Ts: new DateTimeOffset(2025, 9, 13, 7, 46, 41, 314, 350, TimeSpan.Zero),
        MerchantId: "m_01234",
        Mcc: 5411,
        Channel: Channel.Pos,
        DeviceId: "d_000099",
        Lat: 40.41,
        Lon: -3.70);

    private static readonly (string Name, string Value)[] ExampleFields =
    [
        ("tx_id", "\"tx_000000001\""),
        ("user_id", "4405"),
        ("amount", "1881.22"),
        ("currency", "\"EUR\""),
        ("location", "\"ES\""),
        ("ts", "\"2025-09-13T07:46:41.314350Z\""),
        ("merchant_id", "\"m_01234\""),
        ("mcc", "5411"),
        ("channel", "\"pos\""),
        ("device_id", "\"d_000099\""),
        ("lat", "40.41"),
        ("lon", "-3.70"),
    ];

    /// <summary>The example with <paramref name="field"/> set to the raw JSON <paramref name="value"/>, or left out when it is null.</summary>
    public static string ExampleWith(string field, string? value) => ExampleWith((field, value));

    /// <summary>The example with several fields replaced (raw JSON values; null leaves the field out; new names are appended).</summary>
    public static string ExampleWith(params (string Field, string? Value)[] changes)
    {
        var fields = ExampleFields.Select(f => (f.Name, Value: (string?)f.Value)).ToList();
        foreach (var (field, value) in changes)
        {
            int index = fields.FindIndex(f => f.Name == field);
            if (index < 0)
            {
                fields.Add((field, value));
            }
            else
            {
                fields[index] = (field, value);
            }
        }

        return "{" + string.Join(",", fields.Where(f => f.Value is not null).Select(f => $"\"{f.Name}\":{f.Value}")) + "}";
    }

    /// <summary>A message with only the required fields.</summary>
    public static string Minimal =>
        """{"tx_id":"tx_1","user_id":7,"amount":12.5,"location":"FR","ts":"2025-01-02T03:04:05.000006Z"}""";

    // Exceptions rather than asserts: this library is shared with the load tool, which carries no test framework.
    public static Transaction Parse(string json) =>
        TransactionJson.TryParse(Encoding.UTF8.GetBytes(json), out var transaction, out var error)
            ? transaction
            : throw new InvalidOperationException($"Expected a valid transaction, got: {error}");

    public static string ParseError(string json) =>
        TransactionJson.TryParse(Encoding.UTF8.GetBytes(json), out var transaction, out var error) || transaction is not null
            ? throw new InvalidOperationException("Expected the message to be refused, but it parsed.")
            : error;
}
