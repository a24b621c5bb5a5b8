using System.Text;
using Fraud.CommandLine.Files;
using Fraud.Core;

namespace Fraud.UnitTests.Core;

/// <summary>
/// CSV rows through a column mapping: the Fraud Detection Handbook's columns, constants for the fields a public
/// dataset lacks, timestamps without a zone, and every way a header, a row or a mapping can be wrong.
/// </summary>
public class TransactionCsvTests
{
    private const string HandbookHeader = "TRANSACTION_ID,TX_DATETIME,CUSTOMER_ID,TERMINAL_ID,TX_AMOUNT,TX_TIME_SECONDS,TX_TIME_DAYS,TX_FRAUD,TX_FRAUD_SCENARIO";

    private static readonly string[] HandbookMap = ["tx_id=TRANSACTION_ID,user_id=CUSTOMER_ID,amount=TX_AMOUNT,ts=TX_DATETIME,merchant_id=TERMINAL_ID", "is_fraud=TX_FRAUD"];

    [Fact]
    public void A_handbook_row_becomes_a_transaction_and_its_label()
    {
        var columns = Bind(HandbookHeader, HandbookMap, ["location=FR"]);

        Assert.True(columns.TryRead(Fields("7,2018-04-01 00:00:31,596,3156,57.16,31,0,1,2"), 1, out var transaction, out var label, out string? error), error);

        Assert.Equal(new Transaction("7", 596, 57.16m, "EUR", "FR", new DateTimeOffset(2018, 4, 1, 0, 0, 31, TimeSpan.Zero), MerchantId: "3156"), transaction);
        Assert.Equal(new Label("7", true, null), label);
        Assert.True(columns.HasLabels);
    }

    [Fact]
    public void A_row_gives_the_same_transaction_as_the_equivalent_json()
    {
        var columns = Bind("tx_id,user_id,amount,currency,location,ts,merchant_id,mcc,channel,device_id,lat,lon", [], []);
        const string Json = """{"tx_id":"tx_1","user_id":4405,"amount":1881.20,"currency":"USD","location":"ES","ts":"2025-09-13T07:46:41.314350Z","merchant_id":"m_7","mcc":5411,"channel":"ecom","device_id":"d_1","lat":40.4168,"lon":-3.7038}""";

        Assert.True(columns.TryRead(Fields("tx_1,4405,1881.20,USD,ES,2025-09-13T07:46:41.314350Z,m_7,5411,ecom,d_1,40.4168,-3.7038"), 1, out var fromCsv, out var label, out string? error), error);

        Assert.True(TransactionJson.TryParse(Encoding.UTF8.GetBytes(Json), out var fromJson, out _));
        Assert.Equal(fromJson, fromCsv);
        Assert.Equal(2, fromCsv.Amount.Scale);
        Assert.Null(label);
    }

    [Theory]
    [InlineData("2018-04-01 00:00:31", "2018-04-01T00:00:31Z")]
    [InlineData("2018-04-01T00:00:31", "2018-04-01T00:00:31Z")]
    [InlineData("2018-04-01 00:00:31.1234567", "2018-04-01T00:00:31.123456Z")]
    [InlineData("2018-04-01T02:00:31+02:00", "2018-04-01T00:00:31Z")]
    [InlineData("2018-04-01T00:00:31-0130", "2018-04-01T01:30:31Z")]
    [InlineData("2018-04-01 00:00:31Z", "2018-04-01T00:00:31Z")]
    public void A_time_without_a_zone_is_utc_and_an_offset_is_converted(string cell, string utc)
    {
        var columns = Bind("user_id,amount,ts", [], ["location=FR"]);

        Assert.True(columns.TryRead(Fields($"1,10,{cell}"), 1, out var transaction, out _, out string? error), error);

        Assert.Equal(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture), transaction.Ts);
        Assert.Equal(TimeSpan.Zero, transaction.Ts.Offset);
    }

    [Theory]
    [InlineData("01/04/2018 00:00:31")]
    [InlineData("2018-04-01")]
    [InlineData("2018-02-30 00:00:31")]
    [InlineData("2018-04-01 00:00:31+15:00")]
    [InlineData("2018-04-01 00:00:31 UTC")]
    public void A_time_that_is_not_iso_8601_is_refused_naming_the_column(string cell)
    {
        var columns = Bind(HandbookHeader, HandbookMap, ["location=FR"]);

        Assert.False(columns.TryRead(Fields($"7,{cell},596,3156,57.16,31,0,0,0"), 1, out _, out _, out string? error));

        Assert.StartsWith("ts: must be an ISO-8601 time", error);
        Assert.Contains("column TX_DATETIME has '", error);
    }

    [Fact]
    public void Without_a_tx_id_column_rows_are_named_by_their_number()
    {
        var columns = Bind("user_id,amount,ts", [], ["location=FR"]);

        Assert.True(columns.TryRead(Fields("1,10,2018-04-01 00:00:31"), 42, out var transaction, out _, out _));

        Assert.Equal("row_42", transaction.TxId);
    }

    [Fact]
    public void A_constant_fills_a_missing_field_and_the_empty_cells_of_a_mapped_one()
    {
        var columns = Bind("user_id,amount,ts,country", ["location=country"], ["location=FR", "currency=USD"]);

        Assert.True(columns.TryRead(Fields("1,10,2018-04-01 00:00:31,"), 1, out var empty, out _, out _));
        Assert.True(columns.TryRead(Fields("1,10,2018-04-01 00:00:31,ES"), 2, out var given, out _, out _));

        Assert.Equal(("FR", "USD"), (empty.Location, empty.Currency));
        Assert.Equal(("ES", "USD"), (given.Location, given.Currency));
    }

    [Fact]
    public void A_row_is_checked_by_the_contract_rules_of_json()
    {
        var columns = Bind(HandbookHeader, HandbookMap, ["location=FR"]);

        Assert.False(columns.TryRead(Fields("7,2018-04-01 00:00:31,596,3156,-3,31,0,0,0"), 1, out _, out _, out string? negative));
        Assert.False(columns.TryRead(Fields("7,2018-04-01 00:00:31,,3156,5,31,0,0,0"), 1, out _, out _, out string? noUser));
        Assert.False(columns.TryRead(Fields("7,2018-04-01 00:00:31,596,3156,abc,31,0,0,0"), 1, out _, out _, out string? text));
        Assert.False(columns.TryRead(Fields("7,2018-04-01 00:00:31,596,3156,5,31,0,maybe,0"), 1, out _, out _, out string? flag));
        Assert.False(columns.TryRead(Fields("7,2018-04-01 00:00:31,596,3156,5,31"), 1, out _, out _, out string? short_));

        Assert.Equal("amount: must be greater than 0", negative);
        Assert.Equal("user_id: required", noUser);
        Assert.Equal("amount: must be a number (column TX_AMOUNT has 'abc')", text);
        Assert.Equal("is_fraud: must be 1, 0, true or false (column TX_FRAUD has 'maybe')", flag);
        Assert.Equal("6 fields where the header has 9", short_);
    }

    [Fact]
    public void A_missing_mapped_column_is_named_with_the_header()
    {
        Assert.True(TransactionCsvMapping.TryCreate(["user_id=CUSTOMER,amount=TX_AMOUNT,ts=TX_DATETIME"], ["location=FR"], out var mapping, out _));

        Assert.False(mapping.TryBind(HandbookHeader.Split(','), out _, out string? error));

        Assert.Equal($"no column 'CUSTOMER' (mapped to user_id); the header has: {HandbookHeader.Replace(",", ", ", StringComparison.Ordinal)}", error);
    }

    [Fact]
    public void A_required_field_without_a_column_or_a_constant_is_named()
    {
        Assert.True(TransactionCsvMapping.TryCreate(HandbookMap, [], out var mapping, out _));

        Assert.False(mapping.TryBind(HandbookHeader.Split(','), out _, out string? error));

        Assert.StartsWith("nothing gives location: map a column with --map location=COLUMN or give --default location=VALUE", error);
    }

    [Theory]
    [InlineData("usr=CUSTOMER_ID", "", "--map: 'usr' is not a field; they are tx_id, user_id, amount,")]
    [InlineData("user_id", "", "--map: 'user_id' needs a column: user_id=COLUMN")]
    [InlineData("user_id=A,user_id=B", "", "--map: user_id is given twice")]
    [InlineData("", "location=UK", "--default: location: 'UK' is not an ISO-3166 alpha-2 code")]
    [InlineData("", "amount=ten", "--default: amount: must be a number")]
    [InlineData("", "country=FR", "--default: 'country' is not a field")]
    public void A_wrong_mapping_is_refused_naming_the_field(string map, string constant, string expected)
    {
        Assert.False(TransactionCsvMapping.TryCreate([map], [constant], out _, out string? error));

        Assert.StartsWith(expected, error);
    }

    [Fact]
    public void The_reader_unquotes_fields_and_reports_rows_by_their_first_line()
    {
        string csv = "user_id,amount,ts,merchant_id\r\n"
            + "1,10.50,2018-04-01 00:00:31,\"Rippin, Kub and Mann\"\r\n"
            + "\r\n"
            + "2,11,2018-04-01 00:00:32,\"say \"\"hi\"\"\nand bye\"\r\n"
            + "3,-1,2018-04-01 00:00:33,m\r\n";
        Assert.True(TransactionCsvMapping.TryCreate([], ["location=FR"], out var mapping, out _));
        using var reader = TransactionCsvReader.Open(new MemoryStream(Encoding.UTF8.GetBytes(csv)), mapping);

        var rows = new List<(long Line, string? Merchant, string? TxId, string? Error)>();
        while (reader.TryReadRow(out var transaction, out _, out string? error))
        {
            rows.Add((reader.LineNumber, transaction?.MerchantId, transaction?.TxId, error));
        }

        Assert.Equal(
            [(2, "Rippin, Kub and Mann", "row_1", null), (4, "say \"hi\"\nand bye", "row_2", null), (6, null, null, "amount: must be greater than 0")],
            rows);
    }

    [Fact]
    public void The_reader_refuses_a_file_without_a_header_or_without_a_mapped_column()
    {
        Assert.True(TransactionCsvMapping.TryCreate(["amount=AMT"], ["location=FR"], out var mapping, out _));

        var empty = Assert.Throws<InvalidDataException>(() => TransactionCsvReader.Open(new MemoryStream(), mapping));
        var missing = Assert.Throws<InvalidDataException>(() => TransactionCsvReader.Open(new MemoryStream("user_id,amount,ts\n1,2,3\n"u8.ToArray()), mapping));

        Assert.Contains("needs a header row", empty.Message);
        Assert.Equal("no column 'AMT' (mapped to amount); the header has: user_id, amount, ts", missing.Message);
    }

    private static TransactionCsvColumns Bind(string header, string[] maps, string[] constants)
    {
        Assert.True(TransactionCsvMapping.TryCreate(maps, constants, out var mapping, out string? error), error);
        Assert.True(mapping.TryBind(header.Split(','), out var columns, out error), error);
        return columns;
    }

    /// <summary>A row split on commas: enough for rows without quotes, which the reader's own test covers.</summary>
    private static StringFields Fields(string row) => new(row.Split(','));
}

/// <summary>Fields held as strings, as a test hands them to the mapping.</summary>
internal sealed class StringFields(string[] values) : ICsvRecord
{
    public int FieldCount => values.Length;

    public ReadOnlySpan<char> this[int index] => values[index];
}
