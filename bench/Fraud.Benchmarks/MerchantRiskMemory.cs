using System.Globalization;
using Fraud.Core;
using Fraud.Core.Features;
using Fraud.Simulation;

namespace Fraud.Benchmarks;

/// <summary>
/// The bytes a <see cref="MerchantRisk"/> keeps per merchant (merchant id strings not counted: the stream holds them),
/// on simulated traffic (seed 5, 10,000 users unless told), filled the two ways the system fills it: offline, each
/// transaction and known fraud recorded as it passes; online, the counts a store gives for the newest day, per hour for
/// the days whose hours the windows read and per day before them, in no particular order. A heap size, not a timing, so
/// not a BenchmarkDotNet case:
/// <c>dotnet run -c Release --project bench/Fraud.Benchmarks -- merchant-memory [days [users]]</c>.
/// </summary>
internal static class MerchantRiskMemory
{
    public static void Run(int days, int users)
    {
        var simulator = new TransactionSimulator(new SimulationOptions { Seed = 5, Users = users });
        var end = SimulationOptions.DefaultStart.AddDays(days);
        var stream = new List<(Transaction Transaction, string Merchant, DateTimeOffset Ts, bool IsFraud)>();
        for (var next = simulator.Next(); next.Transaction.Ts < end; next = simulator.Next())
        {
            if (next.Transaction.MerchantId is { } merchant)
            {
                stream.Add((next.Transaction, merchant, next.Transaction.Ts, next.Label.IsFraud));
            }
        }

        var options = new MerchantRiskOptions();
        long lastHour = end.UtcTicks / TimeSpan.TicksPerHour;
        int hoursSpan = (options.LabelDelayDays + 1 + MerchantRisk.LateDays) * 24;
        double merchants = stream.Select(item => item.Merchant).Distinct().Count();
        double hoursWithCounts = stream.Where(item => item.Ts.UtcTicks / TimeSpan.TicksPerHour >= lastHour - hoursSpan)
            .Select(item => (item.Merchant, item.Ts.UtcTicks / TimeSpan.TicksPerHour)).Distinct().Count();
        double daysWithCounts = stream.Where(item => item.Ts >= end.AddDays(-MerchantRiskOptions.MaxDaysRemembered))
            .Select(item => (item.Merchant, item.Ts.UtcTicks / TimeSpan.TicksPerDay)).Distinct().Count();
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"per merchant: {hoursWithCounts / merchants:F1} of the last {hoursSpan} hours and {daysWithCounts / merchants:F1} of the last {MerchantRiskOptions.MaxDaysRemembered} days have a count"));
        Report("offline", stream.Count, () =>
        {
            var risk = new MerchantRisk(options);
            foreach (var (transaction, merchant, ts, isFraud) in stream)
            {
                risk.RecordTransaction(transaction);
                if (isFraud)
                {
                    risk.RecordFraud(merchant, ts);
                }
            }

            return risk;
        });

        // As the detector's store loads the table for the newest day (Fraud.Detector's MerchantCountStore.LoadAsync).
        var newestDay = DateOnly.FromDateTime(end.AddDays(-1).UtcDateTime);
        var hourlyFrom = newestDay.AddDays(-options.LabelDelayDays - MerchantRisk.LateDays);
        var perHour = stream
            .GroupBy(item => (item.Merchant, Hour: new DateTimeOffset(item.Ts.UtcTicks / TimeSpan.TicksPerHour * TimeSpan.TicksPerHour, TimeSpan.Zero)))
            .Select(group => (group.Key.Merchant, group.Key.Hour, Transactions: group.Count(), Frauds: group.Count(item => item.IsFraud)))
            .OrderBy(item => item.Merchant.GetHashCode(StringComparison.Ordinal)) // no order, as a query without ORDER BY
            .ToArray();
        Report("online", stream.Count, () =>
        {
            var risk = new MerchantRisk(options);
            foreach (var (merchant, hour, transactions, frauds) in perHour)
            {
                var day = DateOnly.FromDateTime(hour.UtcDateTime);
                if (day >= hourlyFrom)
                {
                    risk.Add(merchant, hour, transactions, frauds);
                }
                else
                {
                    risk.Add(merchant, day, transactions, frauds); // a day's hours one by one: the same day counts
                }
            }

            return risk;
        });
    }

    private static void Report(string how, int transactions, Func<MerchantRisk> build)
    {
        long before = GC.GetTotalMemory(forceFullCollection: true);
        var risk = build();
        long after = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{how}: {transactions:N0} transactions, {risk.TrackedMerchants:N0} merchants, {after - before:N0} B, {(after - before) / (double)risk.TrackedMerchants:N0} B per merchant"));
        GC.KeepAlive(risk);
    }
}
