using System.Globalization;
using System.Text.Json.Nodes;
using Fraud.Core;

namespace Fraud.SystemTests.Offline;

/// <summary>
/// The detector's offline verbs on a CSV in the Fraud Detection Handbook's columns, through the built detector: the
/// same transactions as a JSONL file must give the same figures, and a bad header or row is reported as for JSONL.
/// </summary>
public sealed class CsvInputTests : IDisposable
{
    private const string Header = "TRANSACTION_ID,TX_DATETIME,CUSTOMER_ID,TERMINAL_ID,TX_AMOUNT,TX_TIME_SECONDS,TX_TIME_DAYS,TX_FRAUD,TX_FRAUD_SCENARIO";
    private const string Map = "tx_id=TRANSACTION_ID,user_id=CUSTOMER_ID,amount=TX_AMOUNT,ts=TX_DATETIME,merchant_id=TERMINAL_ID";
    private const string LabelMap = "is_fraud=TX_FRAUD,scenario=TX_FRAUD_SCENARIO";

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("fraud-csv-");

    public void Dispose() => _folder.Delete(recursive: true);

    private string PathOf(string name) => Path.Combine(_folder.FullName, name);

    /// <summary>
    /// Fifteen customers paying 20–40 every few hours at a handful of terminals (one name quoted, with a comma); one
    /// in three then pays 3000 three minutes after its last purchase. Writes the CSV, and the same transactions as
    /// JSONL with a labels file.
    /// </summary>
    private void WriteHandbookFiles()
    {
        var random = new Random(5);
        var start = new DateTime(2018, 4, 1, 0, 0, 0, DateTimeKind.Utc);
        var rows = new List<(string Id, DateTime Ts, int Customer, string Terminal, decimal Amount, bool Fraud)>();
        for (int customer = 0; customer < 15; customer++)
        {
            for (int i = 0; i < 25; i++)
            {
                rows.Add(($"{customer}_{i}", start.AddHours((i * 6) + (customer * 0.1)), customer, i % 4 == 0 ? "Rippin, Kub and Mann" : $"T{i % 3}",
                    Math.Round(20m + (decimal)(random.NextDouble() * 20), 2), false));
            }

            if (customer % 3 == 0)
            {
                rows.Add(($"{customer}_fraud", start.AddHours((24 * 6) + (customer * 0.1)).AddMinutes(3), customer, "T9", 3000.00m, true));
            }
        }

        rows = [.. rows.OrderBy(row => row.Ts)];
        File.WriteAllLines(PathOf("tx.csv"), [Header, .. rows.Select(row => string.Join(',',
            row.Id, row.Ts.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), row.Customer, row.Terminal.Contains(',') ? $"\"{row.Terminal}\"" : row.Terminal,
            row.Amount.ToString(CultureInfo.InvariantCulture), 0, 0, row.Fraud ? 1 : 0, row.Fraud ? 1 : 0))]);
        File.WriteAllLines(PathOf("tx.jsonl"), rows.Select(row => TransactionJson.Serialize(
            new Transaction(row.Id, row.Customer, row.Amount, "EUR", "FR", new DateTimeOffset(row.Ts), row.Terminal))));
        File.WriteAllLines(PathOf("labels.jsonl"), rows.Select(row => LabelJson.Serialize(new Label(row.Id, row.Fraud, row.Fraud ? "1" : "0"))));
    }

    [Fact]
    public async Task Score_gives_a_csv_the_same_scores_as_the_same_transactions_in_jsonl()
    {
        WriteHandbookFiles();
        var train = await DetectorProcess.RunAsync("train", "--input", PathOf("tx.jsonl"), "--output", PathOf("model.bin"), "--seed", "7", "--estimators", "50");

        var fromJsonl = await DetectorProcess.RunAsync(
            "score", "--input", PathOf("tx.jsonl"), "--output", PathOf("jsonl-scores.jsonl"), "--model", PathOf("model.bin"), "--rules", DetectorProcess.DefaultRules);
        var fromCsv = await DetectorProcess.RunAsync(
            "score", "--input", PathOf("tx.csv"), "--output", PathOf("csv-scores.jsonl"), "--model", PathOf("model.bin"), "--rules", DetectorProcess.DefaultRules,
            "--map", Map, "--default", "location=FR");

        Assert.True(train.ExitCode == 0, train.Error);
        Assert.True(fromJsonl.ExitCode == 0, fromJsonl.Error);
        Assert.True(fromCsv.ExitCode == 0, fromCsv.Error);
        string[] expected = File.ReadAllLines(PathOf("jsonl-scores.jsonl"));
        Assert.Equal(15 * 25 + 5, expected.Length);
        Assert.Contains(expected, line => line.Contains("\"alert\":true", StringComparison.Ordinal));
        Assert.Equal(expected, File.ReadAllLines(PathOf("csv-scores.jsonl")));
    }

    [Fact]
    public async Task Backtest_takes_the_labels_from_the_csv_as_from_a_labels_file()
    {
        WriteHandbookFiles();
        var train = await DetectorProcess.RunAsync(
            "train-classifier", "--input", PathOf("tx.csv"), "--map", Map, "--map", LabelMap, "--default", "location=FR", "--output", PathOf("gb.json"),
            "--min-rows-per-leaf", "2");

        var fromJsonl = await DetectorProcess.RunAsync(
            "backtest", "--input", PathOf("tx.jsonl"), "--labels", PathOf("labels.jsonl"), "--rules", DetectorProcess.DefaultRules,
            "--candidate-classifier", PathOf("gb.json"), "--json");
        var fromCsv = await DetectorProcess.RunAsync(
            "backtest", "--input", PathOf("tx.csv"), "--map", Map, "--map", LabelMap, "--default", "location=FR", "--rules", DetectorProcess.DefaultRules,
            "--candidate-classifier", PathOf("gb.json"), "--json");

        Assert.True(train.ExitCode == 0, train.Error);
        Assert.Matches(@"training rows\s*│\s*380, 5 fraud", train.Out);
        Assert.True(fromCsv.ExitCode == 0, fromCsv.Error);
        var expected = JsonNode.Parse(fromJsonl.Out)!;
        var actual = JsonNode.Parse(fromCsv.Out)!;
        Assert.Equal(5, actual["candidate"]!["overall"]!["frauds"]!.GetValue<int>());
        Assert.True(JsonNode.DeepEquals(expected, actual), $"{actual} against {expected}");
    }

    [Fact]
    public async Task A_bad_row_is_reported_by_line_and_skipped_with_exit_code_one()
    {
        File.WriteAllLines(PathOf("bad.csv"),
        [
            Header,
            "a,2018-04-01 00:00:31,1,T1,12.50,31,0,0,0",
            "b,2018-04-01 00:00:32,1,\"T1",
            "second line of a quoted terminal\",-4,32,0,0,0",
            "c,2018-04-01,1,T1,12.50,33,0,0,0",
            "d,2018-04-01 00:00:34,1,T1,12.50,34,0,0,0",
        ]);

        var score = await DetectorProcess.RunAsync(
            "score", "--input", PathOf("bad.csv"), "--output", PathOf("scores.jsonl"), "--rules", DetectorProcess.DefaultRules, "--map", Map, "--default", "location=FR");

        Assert.Equal(1, score.ExitCode);
        Assert.Contains("bad.csv:3: amount: must be greater than 0", score.Error);
        Assert.Contains("bad.csv:5: ts: must be an ISO-8601 time", score.Error);
        Assert.Equal(["a", "d"], File.ReadAllLines(PathOf("scores.jsonl")).Select(line => JsonNode.Parse(line)!["tx_id"]!.GetValue<string>()));
        Assert.Matches(@"invalid lines skipped\s*│\s*2", score.Out);
    }

    [Fact]
    public async Task A_missing_column_or_an_unknown_field_is_bad_usage()
    {
        File.WriteAllLines(PathOf("tx.csv"), [Header]);
        File.WriteAllText(PathOf("strict.json"), """{"alert_threshold":0.9}""");

        var missing = await DetectorProcess.RunAsync(
            "train", "--input", PathOf("tx.csv"), "--output", PathOf("model.bin"), "--map", Map.Replace("TX_AMOUNT", "AMOUNT", StringComparison.Ordinal), "--default", "location=FR");
        var unknown = await DetectorProcess.RunAsync(
            "score", "--input", PathOf("tx.csv"), "--output", PathOf("scores.jsonl"), "--rules", DetectorProcess.DefaultRules, "--map", "customer=CUSTOMER_ID");
        var noLabels = await DetectorProcess.RunAsync(
            "backtest", "--input", PathOf("tx.csv"), "--map", Map, "--default", "location=FR", "--rules", DetectorProcess.DefaultRules,
            "--candidate-decision", PathOf("strict.json"), "--format", "csv");
        var mapOnJsonl = await DetectorProcess.RunAsync(
            "score", "--input", PathOf("tx.csv"), "--format", "jsonl", "--output", PathOf("scores.jsonl"), "--rules", DetectorProcess.DefaultRules, "--map", Map);

        Assert.Equal(2, missing.ExitCode);
        Assert.Contains($"no column 'AMOUNT' (mapped to amount); the header has: {Header.Replace(",", ", ", StringComparison.Ordinal)}", Unwrapped(missing.Error));
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("--map: 'customer' is not a field", unknown.Error + unknown.Out);
        Assert.Equal(2, noLabels.ExitCode);
        Assert.Contains("no is_fraud column", Unwrapped(noLabels.Error));
        Assert.Equal(2, mapOnJsonl.ExitCode);
        Assert.Contains("--map and --default apply to CSV input only", mapOnJsonl.Error + mapOnJsonl.Out);
    }

    /// <summary>The terminal wraps long messages: joined again for matching.</summary>
    private static string Unwrapped(string text) => string.Join(' ', text.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries));
}
