using System.Diagnostics;
using Fraud.Simulation;
using Spectre.Console;

namespace Fraud.Producer.CommandLine;

/// <summary>What a simulation run produced, for its summary: counts by label and the event-time span.</summary>
internal sealed class SimulationTally
{
    private readonly SortedDictionary<string, long> _byScenario = new(StringComparer.Ordinal);
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();

    public long Count { get; private set; }

    public long Fraud { get; private set; }

    public DateTimeOffset? First { get; private set; }

    public DateTimeOffset? Last { get; private set; }

    public TimeSpan Elapsed => _elapsed.Elapsed;

    public void Add(in SimulatedTransaction transaction)
    {
        Count++;
        First ??= transaction.Transaction.Ts;
        Last = transaction.Transaction.Ts;
        if (transaction.Label.Scenario is { } scenario)
        {
            Fraud++;
            _byScenario[scenario] = _byScenario.GetValueOrDefault(scenario) + 1;
        }
    }

    public void Stop() => _elapsed.Stop();

    /// <summary>Prints the summary table: volume, speed, event-time span, fraud by scenario, then <paramref name="outputs"/>.</summary>
    public void Print(string verb, IEnumerable<(string What, string Where)> outputs)
    {
        var table = SummaryTable.Create($"{verb}: summary");
        double perSecond = Count / Math.Max(Elapsed.TotalSeconds, 1e-9);
        table.AddRow("transactions", $"{Count:N0}", $"in {Elapsed.TotalSeconds:N1} s ({perSecond:N0} tx/s)");
        if (First is { } first && Last is { } last)
        {
            table.AddRow("event time", Span(last - first), $"{first:yyyy-MM-ddTHH:mm:ssZ} → {last:yyyy-MM-ddTHH:mm:ssZ}");
        }

        table.AddRow("fraud", $"{Fraud:N0}", $"{(Count == 0 ? 0 : (double)Fraud / Count):P2} of transactions");
        foreach (var (scenario, count) in _byScenario)
        {
            table.AddRow($"  {scenario}", $"{count:N0}", $"{(double)count / Fraud:P1} of fraud");
        }

        foreach (var (what, where) in outputs)
        {
            table.AddRow(Markup.Escape(what), "", Markup.Escape(where));
        }

        AnsiConsole.Write(table);
    }

    private static string Span(TimeSpan span) => span switch
    {
        { TotalDays: >= 2 } => $"{span.TotalDays:N1} days",
        { TotalHours: >= 2 } => $"{span.TotalHours:N1} hours",
        _ => $"{span.TotalMinutes:N1} minutes",
    };
}
