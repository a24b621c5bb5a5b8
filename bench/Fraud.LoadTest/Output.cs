using System.Globalization;
using Spectre.Console;

namespace Fraud.LoadTest;

/// <summary>
/// What the tool writes: progress while a phase runs (a live bar on a terminal, one line per step otherwise),
/// a table per phase, and the summary against the issue's goals.
/// </summary>
internal sealed class Output
{
    /// <summary>Wide enough for the tables when stdout is a file or a pipe, where Spectre assumes 80 columns.</summary>
    private const int RedirectedWidth = 160;

    private readonly IAnsiConsole _console = AnsiConsole.Console;

    public Output()
    {
        if (Console.IsOutputRedirected)
        {
            _console.Profile.Width = RedirectedWidth;
        }
    }

    private bool Interactive => _console.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;

    public static string Rate(double perSecond) =>
        perSecond >= 1000 && perSecond % 1000 == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{perSecond / 1000:0}k")
            : perSecond.ToString("0.##", CultureInfo.InvariantCulture);

    public void Line(string markup) => _console.MarkupLine(markup);

    /// <summary>Runs a step, showing its progress towards <paramref name="total"/> through the callback it is given.</summary>
    public async Task TrackAsync(string description, long total, Func<Action<long>, Task> work)
    {
        if (!Interactive)
        {
            _console.MarkupLineInterpolated($"[grey]{DateTime.Now:HH:mm:ss}[/] {description} …");
            await work(static _ => { });
            return;
        }

        await _console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(description), maxValue: Math.Max(1, total));
                await work(value => task.Value = value);
                task.Value = task.MaxValue;
            });
    }

    public void Machine(Machine machine, double startupSeconds, RunSettings settings)
    {
        _console.MarkupLineInterpolated($"[bold]Machine[/]: {machine}");
        string fetchWait = settings.DetectorFetchWaitMs is { } ms ? $"{ms} ms" : "its own setting";
        _console.MarkupLineInterpolated(
            $"[bold]System[/]: AppHost in local mode, healthy after {startupSeconds:N1} s; Postgres {(settings.PostgresDurable ? "durable (fsync on)" : "ephemeral (fsync off)")}; live simulator off; detector fetch.wait.max.ms {fetchWait}");
        if (settings.DetectorSettings.Count > 0)
        {
            _console.MarkupLineInterpolated($"[bold]Detector settings[/]: {string.Join(", ", settings.DetectorSettings)}");
        }

        if (settings.SystemSettings.Count > 0)
        {
            _console.MarkupLineInterpolated($"[bold]AppHost settings[/]: {string.Join(", ", settings.SystemSettings)}");
        }

        _console.MarkupLineInterpolated(
            $"[bold]Traffic[/]: simulator seed {settings.Seed}, {settings.Users:N0} users, fraud rate {settings.FraudRate:P2} ({settings.ScenarioMix})");
    }

    public void Phase(PhaseReport phase)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"[bold]{Markup.Escape(Title(phase))}[/]")
            .AddColumn("measure").AddColumn(new TableColumn("value").RightAligned()).AddColumn("note");
        if (phase.Throughput is { } throughput)
        {
            table.AddRow("sent", $"{throughput.Transactions:N0}", $"in {throughput.ProduceSeconds:N2} s ({throughput.ProducerRate:N0} tx/s, pre-generated)");
            table.AddRow("[bold]detector[/]", (throughput.DetectorKeptUp ? "≥ " : "") + Tx(throughput.DetectorRate),
                Markup.Escape($"{Seconds(throughput.DetectorSeconds)} from the first send until its commits cover all; counter +{throughput.DetectorCounted:N0}"
                    + (throughput.DetectorKeptUp ? "; it kept up with the sender, so this is the sender's pace, a lower bound" : "")));
            table.AddRow("detector, on its backlog", Tx(throughput.BacklogRate),
                throughput.BacklogRate is null
                    ? "backlog too small to time when sending ended"
                    : Markup.Escape($"{throughput.BacklogAtSendEnd:N0} still to do when sending ended, done in {Seconds(throughput.BacklogSeconds)}"));
            table.AddRow("[bold]bare consumer[/]", Tx(throughput.BareRate),
                Markup.Escape($"{Seconds(throughput.BareSeconds)} to read the same {throughput.BareRead:N0} messages, system idle"));
            table.AddRow("[bold]ratio[/]", throughput.Ratio is { } ratio ? $"{ratio:P0}" : "n/a", "detector / bare consumer; goal ≥ 50%");
        }

        if (phase.Latency is { } latency)
        {
            table.AddRow("sent", $"{latency.Sent:N0}", $"in {latency.SendSeconds:N1} s ({latency.AchievedRate:N0} tx/s)");
            table.AddRow("drain", Seconds(latency.DrainSeconds), Markup.Escape($"after the last send, until the detector had committed everything; counter +{latency.DetectorCounted:N0}"));
            AddLatency(table, "e2e, detector histogram", latency.Detector, "observations", "not exported by this detector build");
            AddLatency(table, "e2e, alerts.v1 (external)", latency.External, "alerts", "no alerts in this phase");
            if (latency.BatchStages.Count > 0)
            {
                double total = latency.BatchStages.Where(stage => stage.Stage != "fill").Sum(stage => stage.MeanMs);
                table.AddRow("detector batch", $"{total:N2} ms", Markup.Escape(
                    $"mean per batch after filling, {latency.Batches:N0} batches ({(double)latency.DetectorCounted / Math.Max(1, latency.Batches):N0} msgs each); "
                    + "per stage mean/p99 ms: " + string.Join(", ", latency.BatchStages.Select(stage => $"{stage.Stage} {stage.MeanMs:N2}/{stage.P99Ms:N1}"))));
            }
        }

        foreach (var usage in phase.Processes.Where(usage => usage.CpuSeconds > 0 || usage.PeakRssMb > 0))
        {
            table.AddRow($"[grey]cpu {Markup.Escape(usage.Name)}[/]", $"[grey]{usage.CpuSeconds:N2} s[/]",
                $"[grey]peak RSS {usage.PeakRssMb:N0} MB (all its processes {usage.PeakTreeRssMb:N0} MB)[/]");
        }

        foreach (var problem in phase.Problems)
        {
            table.AddRow("[red]problem[/]", "", $"[red]{Markup.Escape(problem)}[/]");
        }

        _console.Write(table);
    }

    public void Summary(RunReport report)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Summary[/]")
            .AddColumn("goal").AddColumn("measured").AddColumn("met");
        foreach (var goal in report.Goals)
        {
            table.AddRow(Markup.Escape(goal.Goal), Markup.Escape(goal.Measured), goal.Met switch { true => "[green]yes[/]", false => "[red]no[/]", null => "n/a" });
        }

        _console.Write(table);
        if (report.ResourceWarnings + report.ResourceErrors > 0)
        {
            _console.MarkupLineInterpolated($"[yellow]The system logged {report.ResourceWarnings:N0} warnings and {report.ResourceErrors:N0} errors during the run (--log FILE keeps them).[/]");
        }
    }

    public void Problems(string heading, IEnumerable<string> lines)
    {
        _console.MarkupLineInterpolated($"[red]{heading}[/]");
        foreach (var line in lines)
        {
            _console.WriteLine(line);
        }
    }

    private static string Title(PhaseReport phase)
    {
        string load = phase.LoadAverageStart is { } start && phase.LoadAverageEnd is { } end ? $", load average {start:0.0} → {end:0.0}" : "";
        return phase.Throughput is not null
            ? $"max: detector vs bare consumer{load}"
            : $"{phase.Name} tx/s{load}";
    }

    private static void AddLatency(Table table, string what, LatencySummary? latency, string counted, string missing)
    {
        if (latency is null)
        {
            table.AddRow(Markup.Escape(what), "n/a", Markup.Escape(missing));
            return;
        }

        table.AddRow(Markup.Escape(what), $"p99 [bold]{latency.P99Ms:N1} ms[/]",
            Markup.Escape($"p50 {latency.P50Ms:N1}, p95 {latency.P95Ms:N1}, max {latency.MaxQualifier}{latency.MaxMs:N1} ms; {latency.Count:N0} {counted}, {latency.Method}"));
    }

    private static string Tx(double? rate) => rate is { } value ? $"[bold]{value:N0} tx/s[/]" : "n/a";

    private static string Seconds(double? seconds) => seconds is { } value ? $"{value:N2} s" : "n/a";
}
