using System.Diagnostics;
using System.Text.RegularExpressions;
using Fraud.Core;
using Fraud.Simulation;
using Fraud.Simulation.Handbook;
using Xunit.Abstractions;

namespace Fraud.UnitTests.Simulation;

/// <summary>
/// The handbook world against its published design (Le Borgne et al., Fraud Detection Handbook, chapter 3,
/// "Transaction data simulator"): profiles, amounts, times, reach, the three fraud scenarios, and the published
/// dataset's figures.
/// </summary>
public sealed partial class HandbookSimulatorTests(ITestOutputHelper output)
{
    private static IReadOnlyList<HandbookRow> Rows => HandbookSamples.Rows;

    private static HandbookWorld World => HandbookSamples.Simulator.World;

    [Fact]
    public void The_same_seed_gives_the_same_bytes()
    {
        var options = HandbookSamples.SmallWorld with { Seed = 5 };

        Assert.Equal(Jsonl(options, 20_000), Jsonl(options, 20_000));
    }

    [Fact]
    public void Another_seed_gives_other_transactions_and_other_ids()
    {
        var first = Generate(HandbookSamples.SmallWorld with { Seed = 5 }, 1_000);
        var second = Generate(HandbookSamples.SmallWorld with { Seed = 6 }, 1_000);

        Assert.StartsWith("tx_5_", first[0].Transaction.TxId);
        Assert.StartsWith("tx_6_", second[0].Transaction.TxId);
        Assert.NotEqual(first.Select(t => (t.Transaction.UserId, t.Transaction.MerchantId, t.Transaction.Amount)), second.Select(t => (t.Transaction.UserId, t.Transaction.MerchantId, t.Transaction.Amount)));
    }

    [Fact]
    public void Transactions_follow_the_contract_with_one_label_each_in_event_time_order()
    {
        var start = HandbookSamples.SmallWorld.Start;

        Assert.All(Rows, row =>
        {
            var (transaction, label) = row.Simulated;
            Assert.True(TransactionJson.TryParse(TransactionJson.SerializeToUtf8Bytes(transaction), out var parsed, out string? error), $"{transaction.TxId}: {error}");
            Assert.Equal(transaction, parsed);
            Assert.Equal(transaction.TxId, label.TxId);
            Assert.Equal(label.IsFraud, label.Scenario is not null);
            Assert.True(label.Scenario is null || HandbookScenarios.Names.Contains(label.Scenario), label.Scenario);
            Assert.InRange(transaction.UserId, 0, HandbookSamples.SmallWorld.Customers - 1);
            Assert.Matches(TerminalId(), transaction.MerchantId);
            Assert.Equal(("EUR", "FR"), (transaction.Currency, transaction.Location));
            Assert.Null(transaction.Lat);
            Assert.Null(transaction.Lon);
        });
        Assert.Equal(["tx_7_0000000001", "tx_7_0000000002"], Rows.Take(2).Select(r => r.Simulated.Transaction.TxId));
        Assert.True(Rows[0].Simulated.Transaction.Ts >= start);
        Assert.All(Rows.Zip(Rows.Skip(1)), pair => Assert.True(pair.First.Simulated.Transaction.Ts <= pair.Second.Simulated.Transaction.Ts));
    }

    [Fact]
    public void Customer_profiles_follow_the_published_distributions()
    {
        var world = new HandbookWorld(seed: 3, customers: 20_000, terminals: 1);
        var customers = Enumerable.Range(0, world.Customers).Select(world.Customer).ToList();

        // Uniform(5, 100): mean 52.5, standard error 27.4 / √20,000 = 0.19.
        Assert.All(customers, c => Assert.InRange(c.MeanAmount, 5, 100));
        Assert.InRange(customers.Average(c => c.MeanAmount), 51.9, 53.1);
        Assert.All(customers, c => Assert.Equal(c.MeanAmount / 2, c.StdAmount));
        // Uniform(0, 4): mean 2, standard error 0.008.
        Assert.All(customers, c => Assert.InRange(c.MeanTransactionsPerDay, 0, 4));
        Assert.InRange(customers.Average(c => c.MeanTransactionsPerDay), 1.975, 2.025);
        Assert.All(customers, c => Assert.True(c.X is >= 0 and < 100 && c.Y is >= 0 and < 100));
        Assert.InRange(customers.Average(c => c.X), 49.4, 50.6);
    }

    [Fact]
    public void A_customers_amounts_are_normal_around_their_mean_with_negatives_redrawn()
    {
        // Standardised, an amount is Z ~ N(0, 1), except that Z < -2 (a negative amount) is redrawn
        // uniform in [-2, 2): mean φ(2) = 0.054, standard deviation 0.947 (standard errors about 0.003 here).
        var z = Rows.Where(r => r.Scenario != HandbookScenarios.CompromisedCard)
            .Select(r => Standardised((double)r.Amount, r.Customer))
            .ToList();

        Assert.InRange(z.Average(), 0.044, 0.064);
        Assert.InRange(StandardDeviation(z), 0.937, 0.957);
        Assert.All(Rows, r => Assert.True(r.Amount > 0));
    }

    [Fact]
    public void Customers_pay_only_at_terminals_within_radius_5_and_use_the_whole_disc()
    {
        var distances = Rows.Select(r =>
        {
            var customer = World.Customer(r.Customer);
            var terminal = World.Terminal(r.Terminal);
            return Math.Sqrt(Math.Pow(customer.X - terminal.X, 2) + Math.Pow(customer.Y - terminal.Y, 2));
        }).ToList();

        Assert.All(distances, d => Assert.True(d < 5, $"distance {d}"));
        Assert.True(distances.Max() > 4.95, $"farthest terminal used at {distances.Max()}");
        // Uniform over the terminals of a disc: as many beyond 5/√2 as within.
        Assert.InRange(distances.Count(d => d < 5 / Math.Sqrt(2)) / (double)distances.Count, 0.48, 0.52);
    }

    [Fact]
    public void Times_are_normal_around_noon_and_draws_outside_the_day_are_dropped()
    {
        // N(43,200 s, 20,000 s) kept within (0, 86,400): 96.9% of draws, standard deviation 18,193 s.
        var seconds = Rows.Select(r => (double)r.Second).ToList();
        double expectedPerDay = Enumerable.Range(0, World.Customers)
            .Where(c => !World.TerminalsInReach(c).IsEmpty)
            .Sum(c => World.Customer(c).MeanTransactionsPerDay) * 0.96923;

        Assert.All(seconds, s => Assert.InRange(s, 1, 86_399));
        Assert.InRange(seconds.Average(), 43_000, 43_400);
        Assert.InRange(StandardDeviation(seconds), 18_000, 18_400);
        Assert.InRange(Rows.Count / (expectedPerDay * HandbookSamples.SmallWorldDays), 0.99, 1.01);
    }

    [Fact]
    public void Every_amount_above_220_is_fraud_and_large_amount_labels_only_those()
    {
        Assert.All(Rows.Where(r => r.Amount > 220), r => Assert.True(r.Simulated.Label.IsFraud, $"{r.Simulated.Transaction.TxId}: {r.Amount}"));
        Assert.All(Rows.Where(r => r.Scenario == HandbookScenarios.LargeAmount), r => Assert.True(r.Amount > 220));
        Assert.Contains(Rows, r => r.Scenario == HandbookScenarios.LargeAmount);
    }

    [Fact]
    public void A_compromised_terminal_makes_fraud_for_28_days_from_its_compromise_and_no_longer()
    {
        var windows = Enumerable.Range(0, HandbookSamples.SmallWorldDays)
            .SelectMany(day => HandbookSamples.Simulator.TerminalsCompromisedOn(day).Select(terminal => (Terminal: terminal, From: day)))
            .ToList();
        bool InWindow(HandbookRow r) => windows.Any(w => w.Terminal == r.Terminal && r.Day >= w.From && r.Day < w.From + 28);

        var atCompromisedTerminals = Rows.Where(InWindow).ToList();

        Assert.InRange(atCompromisedTerminals.Count, 1_000, int.MaxValue);
        // Scenario 3 comes later in the handbook and names a transaction it takes.
        Assert.All(atCompromisedTerminals, r => Assert.Contains(r.Scenario, new[] { HandbookScenarios.CompromisedTerminal, HandbookScenarios.CompromisedCard }));
        Assert.All(Rows.Where(r => r.Scenario == HandbookScenarios.CompromisedTerminal), r => Assert.True(InWindow(r), $"{r.Simulated.Transaction.TxId} on day {r.Day}"));
    }

    [Fact]
    public void A_compromised_card_has_a_third_of_its_next_14_days_made_fraud_at_5_times_the_amount()
    {
        int lastFullWindow = HandbookSamples.SmallWorldDays - 14;
        var compromises = Enumerable.Range(0, HandbookSamples.SmallWorldDays)
            .SelectMany(day => HandbookSamples.Simulator.CardsCompromisedOn(day).Select(customer => (Customer: customer, From: day)))
            .ToList();
        // Alone: no other compromise of the customer overlaps its window, so its frauds are its own.
        var alone = compromises
            .Where(w => w.From <= lastFullWindow && !compromises.Any(o => o != w && o.Customer == w.Customer && Math.Abs(o.From - w.From) < 14))
            .ToList();
        var windows = alone.Select(w => Rows.Where(r => r.Customer == w.Customer && r.Day >= w.From && r.Day < w.From + 14).ToList()).ToList();
        var frauds = windows.SelectMany(rows => rows.Where(r => r.Scenario == HandbookScenarios.CompromisedCard)).ToList();
        // A fraud's genuine amount is a fifth of it: standardised as in the amounts test, mean 0.054 and standard
        // deviation 0.947 (standard error about 0.03 here).
        var z = frauds.Select(r => Standardised((double)r.Amount / 5, r.Customer)).ToList();

        Assert.InRange(alone.Count, 100, int.MaxValue);
        Assert.All(windows, rows => Assert.Equal(rows.Count / 3, rows.Count(r => r.Scenario == HandbookScenarios.CompromisedCard)));
        Assert.InRange(z.Average(), -0.05, 0.15);
        Assert.InRange(StandardDeviation(z), 0.85, 1.05);
        Assert.All(Rows.Where(r => r.Scenario == HandbookScenarios.CompromisedCard),
            r => Assert.Contains(compromises, w => w.Customer == r.Customer && r.Day >= w.From && r.Day < w.From + 14));
    }

    [Fact]
    public void The_default_world_over_183_days_matches_the_handbooks_published_dataset()
    {
        // The handbook's run (its seeds, not ours): 1,754,155 transactions, 14,681 frauds (0.837%): 973
        // large_amount, 9,077 compromised_terminal, 4,631 compromised_card. Margins: about 3 standard deviations of
        // what changes with the seed (the customers' rates for the count; which terminals and cards are compromised,
        // and a few big spenders for large_amount).
        var options = new HandbookOptions();
        var end = options.Start.AddDays(183);
        var simulator = new HandbookSimulator(options);
        var byScenario = HandbookScenarios.Names.ToDictionary(name => name, _ => 0);
        long count = 0;
        var clock = Stopwatch.StartNew();
        for (var next = simulator.Next(); next.Transaction.Ts < end; next = simulator.Next())
        {
            count++;
            if (next.Label.Scenario is { } scenario)
            {
                byScenario[scenario]++;
            }
        }

        clock.Stop();
        double fraudRate = byScenario.Values.Sum() / (double)count;
        output.WriteLine($"{count:N0} transactions in {clock.Elapsed.TotalSeconds:N2} s ({count / clock.Elapsed.TotalSeconds:N0} tx/s); "
            + $"fraud {fraudRate:P3}: {string.Join(", ", byScenario.Select(s => $"{s.Key} {s.Value:N0}"))}");

        Assert.InRange(count, 1_754_155 * 0.97, 1_754_155 * 1.03);
        Assert.InRange(fraudRate, 0.00837 * 0.9, 0.00837 * 1.1);
        Assert.InRange(byScenario[HandbookScenarios.LargeAmount], 973 * 0.75, 973 * 1.25);
        Assert.InRange(byScenario[HandbookScenarios.CompromisedTerminal], 9_077 * 0.85, 9_077 * 1.15);
        Assert.InRange(byScenario[HandbookScenarios.CompromisedCard], 4_631 * 0.85, 4_631 * 1.15);
    }

    private static List<SimulatedTransaction> Generate(HandbookOptions options, int count)
    {
        var simulator = new HandbookSimulator(options);
        return [.. Enumerable.Range(0, count).Select(_ => simulator.Next())];
    }

    /// <summary>The run as the generate verb writes it: transactions and labels, one JSON document per line.</summary>
    private static byte[] Jsonl(HandbookOptions options, int count)
    {
        var output = new MemoryStream();
        foreach (var (transaction, label) in Generate(options, count))
        {
            output.Write(TransactionJson.SerializeToUtf8Bytes(transaction));
            output.Write(LabelJson.SerializeToUtf8Bytes(label));
            output.Write("\n"u8);
        }

        return output.ToArray();
    }

    /// <summary>How far an amount is from the customer's mean, in the published standard deviation (half the mean).</summary>
    private static double Standardised(double amount, int customer)
    {
        double mean = World.Customer(customer).MeanAmount;
        return (amount - mean) / (mean / 2);
    }

    private static double StandardDeviation(IReadOnlyCollection<double> values)
    {
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }

    [GeneratedRegex(@"^t_\d{6}$")]
    private static partial Regex TerminalId();
}
