using System.Globalization;
using System.Text.RegularExpressions;
using Fraud.Core;
using Fraud.Simulation;
using Xunit.Abstractions;

namespace Fraud.SystemTests.Integration;

/// <summary>The live producer at its default configuration, as <c>./run.sh</c> starts it (the shared system runs it).</summary>
[Collection(FraudSystemCollection.Name)]
public sealed partial class LiveTrafficTests(FraudSystemFixture system, ITestOutputHelper output)
{
    // Generous: a bound for a busy 2-core machine, not the speed goal (seconds; the measurements are in the output).
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(2);

    // test-rules.json adds it to an earlier default rule set (any amount from 1000).
    private const string TestOnlyRule = "amount_above_threshold";

    [Fact]
    public async Task Alerts_from_backfilled_history_are_stored_soon_after_the_system_is_up()
    {
        var until = system.ReadyAt + Bound;

        var backfilled = await FraudSystem.EventuallyAsync(
            async () => await BackfilledAlertsStoredBeforeAsync(until) is { Count: > 0 } alerts ? alerts : null,
            "an alert on a transaction of the live producer's backfill",
            within: until - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(5));

        var first = backfilled.MinBy(alert => alert.CreatedAt)!;
        var firstOfDefaultRules = backfilled.Where(alert => !alert.Rules.Contains(TestOnlyRule)).MinBy(alert => alert.CreatedAt);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"first backfilled alert stored {(first.CreatedAt - system.ReadyAt).TotalSeconds:0.0} s after the system was up " +
            $"({(first.CreatedAt - system.StartedAt).TotalSeconds:0.0} s after its start; {first.TxId}, event time " +
            $"{(system.StartedAt - first.Ts).TotalMinutes:0.0} min before the start, rules {string.Join(",", first.Rules)})"));
        output.WriteLine(firstOfDefaultRules is null
            ? "no backfilled alert without the test-only rule yet"
            : string.Create(CultureInfo.InvariantCulture,
                $"first backfilled alert without the test-only rule: {(firstOfDefaultRules.CreatedAt - system.ReadyAt).TotalSeconds:0.0} s after the system was up ({string.Join(",", firstOfDefaultRules.Rules)})"));
        output.WriteLine($"{backfilled.Count} backfilled alerts stored within {Bound.TotalSeconds:0} s of the system being up");
        Assert.InRange(first.CreatedAt, system.StartedAt, until);
    }

    /// <summary>
    /// Alerts created before <paramref name="until"/> on the live producer's transactions (ids <c>tx_{seed}_{sequence}</c>)
    /// whose event time lies before the system started: only the backfill sends those. Tests' own transactions have
    /// other ids or much older event times (replayed files).
    /// </summary>
    private async Task<List<Alert>> BackfilledAlertsStoredBeforeAsync(DateTimeOffset until)
    {
        var untilParameter = Uri.EscapeDataString(until.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        var response = await system.Api.GetAsync($"/alerts?limit=1000&until={untilParameter}");
        response.EnsureSuccessStatusCode();
        return [.. FraudSystem.ParseAlerts(await response.Content.ReadAsByteArrayAsync())
            .Where(alert => SimulatorTxId().IsMatch(alert.TxId)
                && alert.Ts < system.StartedAt
                && alert.Ts >= system.StartedAt - Backfill.MaxSpan)];
    }

    [GeneratedRegex(@"^tx_\d+_\d{10}$")]
    private static partial Regex SimulatorTxId();
}
