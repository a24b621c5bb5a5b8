using System.Diagnostics;
using Fraud.Core;
using Fraud.Tests.Core;
using Xunit.Abstractions;

namespace Fraud.Tests.Integration.Faults;

/// <summary>The fault-test helpers work against the running system: a killed detector comes back, a stopped
/// Postgres comes back with its data, and the pipeline carries on after either. (Smoke tests of the tooling;
/// the fault tests proper assert more: nothing lost, nothing duplicated, on every sink.)</summary>
[Collection(PrivateSystemsCollection.Name)]
public sealed class ProcessControlTests(QuietSystemFixture fixture, ITestOutputHelper output) : IClassFixture<QuietSystemFixture>
{
    private readonly FraudSystem _system = fixture.System;

    private static Transaction AboveThreshold(decimal amount) =>
        TransactionMessages.ContractExampleTransaction with { TxId = $"tx_fault_{Guid.NewGuid():N}", Amount = amount };

    [Fact]
    public async Task A_detector_killed_with_sigkill_and_started_again_still_raises_alerts()
    {
        var detector = Assert.Single(await _system.Processes.ReplicasAsync("detector"));
        var before = AboveThreshold(2100m);
        await _system.ProduceAsync(before);
        await AlertRowsAsync([before]);
        var oldProcess = _system.Processes.ProcessId(detector);

        var clock = Stopwatch.StartNew();
        var killed = await _system.Processes.KillAsync(detector);
        output.WriteLine($"killed {killed} and saw the exit in {clock.Elapsed.TotalSeconds:F1} s");
        await _system.Processes.StartAsync(detector);
        output.WriteLine($"healthy again after {clock.Elapsed.TotalSeconds:F1} s");

        Assert.NotEqual(oldProcess, _system.Processes.ProcessId(detector));
        var after = AboveThreshold(2200m);
        await _system.ProduceAsync(after);
        Assert.Equal(1, (await AlertRowsAsync([after]))[after.TxId]);
        output.WriteLine($"alert for a transaction produced after the restart stored at {clock.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public async Task Alerts_raised_while_postgres_is_stopped_for_ten_seconds_are_stored_once_it_is_back()
    {
        var stored = AboveThreshold(1999m);
        await _system.ProduceAsync(stored);
        await AlertRowsAsync([stored]);
        var produced = new List<Transaction>();
        var clock = Stopwatch.StartNew();
        var outage = _system.Processes.StopForAsync("postgres", TimeSpan.FromSeconds(10));
        while (!outage.IsCompleted)
        {
            var transaction = AboveThreshold(1000m + produced.Count + 1);
            await _system.ProduceAsync(transaction);
            produced.Add(transaction);
            await Task.WhenAny(outage, Task.Delay(500));
        }
        await outage;
        output.WriteLine($"postgres stopped, down 10 s, healthy again after {clock.Elapsed.TotalSeconds:F1} s; {produced.Count} transactions produced");

        var rows = await AlertRowsAsync(produced, within: TimeSpan.FromSeconds(90));
        output.WriteLine($"all their alerts stored at {clock.Elapsed.TotalSeconds:F1} s");
        Assert.All(produced, transaction => Assert.Equal(1, rows[transaction.TxId]));
        Assert.Equal(1, (await _system.AlertRowCountsAsync([stored.TxId]))[stored.TxId]); // the data survived the restart
        Assert.True(await _system.Detector.ReadCounterAsync("fraud_sink_failures_total") > 0, "the detector met the outage");
    }

    /// <summary>Waits until every transaction has its row in <c>fraud_alerts</c>; returns the row count of each.</summary>
    private async Task<IReadOnlyDictionary<string, long>> AlertRowsAsync(IReadOnlyCollection<Transaction> transactions, TimeSpan? within = null) =>
        await FraudSystem.EventuallyAsync(
            async () => await _system.AlertRowCountsAsync(transactions.Select(t => t.TxId)) is var rows && rows.Count == transactions.Count ? rows : null,
            $"alert rows for {transactions.Count} transaction(s)", within);
}
