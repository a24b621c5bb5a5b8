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

    public void Run(Machine machine, RunSettings settings)
    {
        _console.MarkupLineInterpolated($"[bold]Machine[/]: {machine}");
        _console.MarkupLineInterpolated(
            $"[bold]Traffic[/]: simulator seed {settings.Seed}, {settings.Users:N0} users, fraud rate {settings.FraudRate:P2} ({settings.ScenarioMix})");
        _console.MarkupLineInterpolated(
            $"[bold]Phases[/]: {string.Join(", ", settings.Phases.Select(phase => phase.Name))}; 'max' = {settings.MaxRuns} × {settings.MaxCount:N0} transactions at {Rate(settings.MaxRate)} tx/s");
        if (settings.DetectorSettings.Count > 0)
        {
            _console.MarkupLineInterpolated($"[bold]Detector settings[/]: {string.Join(", ", settings.DetectorSettings)}");
        }

        if (settings.SystemSettings.Count > 0)
        {
            _console.MarkupLineInterpolated($"[bold]AppHost settings[/]: {string.Join(", ", settings.SystemSettings)}");
        }
    }

    public void System(double startupSeconds, int partitions, RunSettings settings)
    {
        string fetchWait = settings.DetectorFetchWaitMs is { } ms ? $"{ms} ms" : "its own setting";
        _console.MarkupLineInterpolated(
            $"[bold]System[/]: AppHost in local mode, healthy after {startupSeconds:N1} s; transactions.v1 with {partitions} partitions; Postgres {(settings.PostgresDurable ? "durable (fsync on)" : "ephemeral (fsync off)")}; live simulator off; detector fetch.wait.max.ms {fetchWait}, training sample {settings.TrainingSamplePerHour:N0} per event-time hour");
    }

    public void Phase(PhaseReport phase)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"[bold]{Markup.Escape(Title(phase))}[/]")
            .AddColumn("measure").AddColumn(new TableColumn("value").RightAligned()).AddColumn("note");
        if (phase.Throughput is { } throughput)
        {
            foreach (var (run, number) in throughput.Runs.Select((run, index) => (run, index + 1)))
            {
                table.AddRow($"run {number}", $"{Tx(run.DetectorRate, run.DetectorKeptUp)} / {Tx(run.BareRate)} tx/s", Markup.Escape(
                    $"detector / bare consumer, ratio {Percent(run.Ratio)}; sent {run.Transactions:N0} in {run.ProduceSeconds:N1} s ({run.ProducerRate:N0} tx/s), "
                    + $"the detector's commits covered them after {Seconds(run.DetectorSeconds)} (counter +{run.DetectorCounted:N0}); "
                    + (run.DetectorKeptUp
                        ? "it kept up with the sender, so its rate is the sender's pace, a lower bound; "
                        : $"on its backlog {Tx(run.BacklogRate)} tx/s ({run.BacklogAtSendEnd:N0} left when sending ended); ")
                    + $"bare consumer {Seconds(run.BareSeconds)}"));
            }

            table.AddRow("[bold]detector[/]", Median(throughput.DetectorRate, rate => $"{rate:N0} tx/s"),
                Markup.Escape($"median of {throughput.Runs.Count}; " + Range(throughput.DetectorRate, rate => $"{rate:N0}") + " tx/s"));
            table.AddRow("[bold]bare consumer[/]", Median(throughput.BareRate, rate => $"{rate:N0} tx/s"),
                Markup.Escape("the same messages, system idle; " + Range(throughput.BareRate, rate => $"{rate:N0}") + " tx/s"));
            table.AddRow("[bold]ratio[/]", Median(throughput.Ratio, ratio => $"{ratio:P0}"),
                Markup.Escape("detector / bare consumer, goal ≥ 50%; " + Range(throughput.Ratio, ratio => $"{ratio:P0}")));
        }

        if (phase.Latency is { } latency)
        {
            table.AddRow("sent", $"{latency.Sent:N0}", $"in {latency.SendSeconds:N1} s ({latency.AchievedRate:N0} tx/s)");
            table.AddRow("drain", Seconds(latency.DrainSeconds), Markup.Escape($"after the last send, until the detector had committed everything; counter +{latency.DetectorCounted:N0}"));
            AddLatency(table, "e2e, detector histogram", latency.Detector, "observations", "not exported by this detector build");
            AddLatency(table, "e2e, alerts.v1 (external)", latency.External, "alerts", "no alerts in this phase");
            if (latency.Lag is { } lag)
            {
                table.AddRow("detector lag", $"{lag.Start:N0} / {lag.Middle:N0} / {lag.End:N0}", Markup.Escape(
                    $"messages not yet committed at the start / middle / end of sending ({lag.Samples.Count} samples, 1 s apart); "
                    + $"slope {lag.SlopePerSecond:N1} msgs/s: " + (lag.Grows ? "growing" : $"not growing (under {LagFigures.GrowthShare:P0} of the rate)")));
            }

            if (latency.BatchStages.Count > 0)
            {
                // Stages of one run share a count: a micro-batch's (fill … decide), a flush's, a commit's, a background build's.
                string groups = string.Join("; ", latency.BatchStages.GroupBy(stage => stage.Count).Select(group =>
                    $"×{group.Key:N0}: " + string.Join(", ", group.Select(stage => $"{stage.Stage} {stage.MeanMs:N2}/{stage.P99Ms:N1}"))));
                table.AddRow("detector stages", $"{latency.Batches:N0} batches", Markup.Escape(
                    $"{(double)latency.DetectorCounted / Math.Max(1, latency.Batches):N0} msgs each; mean/p99 ms per run of each stage, "
                    + $"grouped by how often it ran: {groups}"));
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
        return phase switch
        {
            { Throughput: { } throughput } =>
                $"max: detector vs bare consumer, {throughput.Runs.Count} × {throughput.SendRate * throughput.SendSeconds:N0} transactions at {Rate(throughput.SendRate)} tx/s, {throughput.Partitions} partitions{load}",
            { Latency: { } latency } => $"{Rate(latency.TargetRate)} tx/s for {latency.SendSeconds:N0} s{load}",
            _ => $"{phase.Name}{load}",
        };
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

    private static string Tx(double? rate, bool lowerBound = false) => rate is { } value ? $"{(lowerBound ? "≥ " : "")}{value:N0}" : "n/a";

    private static string Percent(double? share) => share is { } value ? $"{value:P0}" : "n/a";

    private static string Median(Spread? spread, Func<double, string> format) => spread is null ? "n/a" : $"[bold]{Markup.Escape(format(spread.Median))}[/]";

    private static string Range(Spread? spread, Func<double, string> format) => spread is null ? "no complete run" : $"range {format(spread.Min)}–{format(spread.Max)}";

    private static string Seconds(double? seconds) => seconds is { } value ? $"{value:N2} s" : "n/a";
}
