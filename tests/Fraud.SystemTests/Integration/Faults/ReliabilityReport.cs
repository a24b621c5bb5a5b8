using System.Globalization;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace Fraud.SystemTests.Integration.Faults;

/// <summary>What one fault scenario did, as <c>docs/reliability.md</c> tabulates it (null: not part of the scenario,
/// e.g. the stream figures of an API-only one).</summary>
/// <param name="Produced">Messages sent to <c>transactions.v1</c> (valid and poison).</param>
/// <param name="Processed">Messages the detector consumed and committed (its group's committed offsets moved by this much).</param>
/// <param name="AlertsExpected">Alerts the offline <c>score</c> raises on the valid transactions.</param>
/// <param name="AlertsStored">Distinct alerts stored in Postgres for the scenario's users.</param>
/// <param name="Duplicates">Copies of an alert on <c>alerts.v1</c> beyond one per transaction (a replay publishes again;
/// consumers dedupe on tx_id). Measured; each copy is asserted to be the stored alert.</param>
/// <param name="DeadLettered">Messages of the scenario on <c>transactions.v1.dlq</c>.</param>
/// <param name="RecoverySeconds">From the fault's end until the detector had committed everything produced before it
/// (null when the scenario has no outage). Measured, never asserted.</param>
/// <param name="Notes">Anything else the scenario checks (API answers, counts).</param>
public sealed record FaultFigures(
    string Scenario, long? Produced, long? Processed, int? AlertsExpected, int? AlertsStored, long? Duplicates,
    long? DeadLettered, double? RecoverySeconds, string Notes = "");

/// <summary>
/// Collects every fault scenario's figures of one test run into <c>TestResults/reliability.json</c> and
/// <c>TestResults/reliability.md</c> beside the test binaries, and prints each row in the test's output.
/// </summary>
public static class ReliabilityReport
{
    private static readonly Lock Gate = new();
    private static readonly List<FaultFigures> Rows = [];

    public static string Folder => Path.Combine(AppContext.BaseDirectory, "TestResults");

    public static void Record(FaultFigures figures, ITestOutputHelper output)
    {
        string table;
        lock (Gate)
        {
            Rows.RemoveAll(row => row.Scenario == figures.Scenario);
            Rows.Add(figures);
            Directory.CreateDirectory(Folder);
            File.WriteAllText(Path.Combine(Folder, "reliability.json"), JsonSerializer.Serialize(Rows, new JsonSerializerOptions
            {
                WriteIndented = true,
                PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            }));
            table = Table(Rows);
            File.WriteAllText(Path.Combine(Folder, "reliability.md"), table);
        }

        output.WriteLine(Table([figures]));
        output.WriteLine($"(all rows so far: {Path.Combine(Folder, "reliability.md")})");
    }

    public static string Table(IEnumerable<FaultFigures> rows)
    {
        var text = new StringBuilder()
            .AppendLine("| scenario | produced | processed | alerts expected | alerts stored | duplicates | DLQ | recovery | notes |")
            .AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.Scenario} | {Number(row.Produced)} | {Number(row.Processed)} | {Number(row.AlertsExpected)} | {Number(row.AlertsStored)} | {Number(row.Duplicates)} | {Number(row.DeadLettered)} | {(row.RecoverySeconds is { } seconds ? $"{seconds:0.0} s" : "–")} | {row.Notes} |");
        }

        return text.ToString();
    }

    private static string Number(long? value) => value is { } number ? number.ToString("N0", CultureInfo.InvariantCulture) : "–";
}
