using System.Text;
using Fraud.Core;
using Fraud.Simulation;

namespace Fraud.UnitTests.Simulation;

public sealed class SimulatorOutputTests
{
    public static TheoryData<string> Samples => ["defaults", "long run"];

    private static IReadOnlyList<SimulatedTransaction> Sample(string name) =>
        name == "defaults" ? SimulationSamples.Defaults : SimulationSamples.LongRun;

    [Fact]
    public void The_same_seed_gives_the_same_bytes()
    {
        var options = new SimulationOptions { Seed = 5 };

        Assert.Equal(Jsonl(options, 20_000), Jsonl(options, 20_000));
    }

    [Fact]
    public void Another_seed_gives_other_transactions()
    {
        Assert.NotEqual(Jsonl(new SimulationOptions { Seed = 5 }, 1_000), Jsonl(new SimulationOptions { Seed = 6 }, 1_000));
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Every_transaction_passes_the_contract_and_reads_back_unchanged(string sample)
    {
        foreach (var (transaction, _) in Sample(sample))
        {
            Assert.True(TransactionJson.TryParse(TransactionJson.SerializeToUtf8Bytes(transaction), out var parsed, out string? error), $"{transaction.TxId}: {error}");
            Assert.Equal(transaction, parsed);
        }
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Every_transaction_has_exactly_one_label_with_its_tx_id(string sample)
    {
        var transactions = Sample(sample);

        Assert.All(transactions, t => Assert.Equal(t.Transaction.TxId, t.Label.TxId));
        Assert.Equal(transactions.Count, transactions.Select(t => t.Transaction.TxId).Distinct().Count());
        Assert.All(transactions, t => Assert.Equal(t.Label.IsFraud, t.Label.Scenario is not null));
        Assert.All(transactions.Where(t => t.Label.IsFraud), t => Assert.Contains(t.Label.Scenario, ScenarioMix.Names));
    }

    [Fact]
    public void Tx_ids_number_the_run_in_order_after_its_seed()
    {
        var first = SimulationSamples.Defaults.Take(3).Select(t => t.Transaction.TxId);

        Assert.Equal(["tx_1_0000000001", "tx_1_0000000002", "tx_1_0000000003"], first);
    }

    [Fact]
    public void Transactions_come_in_event_time_order_from_the_start()
    {
        var times = SimulationSamples.Defaults.Select(t => t.Transaction.Ts).ToList();

        Assert.True(times[0] >= SimulationOptions.DefaultStart);
        Assert.All(times.Zip(times.Skip(1)), pair => Assert.True(pair.First <= pair.Second, $"{pair.First:O} then {pair.Second:O}"));
    }

    [Fact]
    public void The_message_carries_no_label()
    {
        var fraud = SimulationSamples.LongRun.First(t => t.Label.IsFraud).Transaction;

        string json = TransactionJson.Serialize(fraud);

        Assert.DoesNotContain("fraud", json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("scenario", json, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Card_present_transactions_have_coordinates_and_online_ones_none()
    {
        var transactions = SimulationSamples.Defaults.Select(t => t.Transaction).ToList();

        Assert.All(transactions.Where(t => t.Channel is Channel.Pos or Channel.Atm), t => Assert.True(t.Lat is not null && t.Lon is not null));
        Assert.All(transactions.Where(t => t.Channel is Channel.Ecom), t => Assert.True(t.Lat is null && t.Lon is null));
        Assert.Contains(transactions, t => t.Channel == Channel.Atm);
    }

    /// <summary>The run as the generate verb writes it: transactions and labels, one JSON document per line.</summary>
    private static byte[] Jsonl(SimulationOptions options, int count)
    {
        var simulator = new TransactionSimulator(options);
        var output = new MemoryStream();
        for (int i = 0; i < count; i++)
        {
            var next = simulator.Next();
            output.Write(TransactionJson.SerializeToUtf8Bytes(next.Transaction));
            output.Write(LabelJson.SerializeToUtf8Bytes(next.Label));
            output.Write("\n"u8);
        }

        return output.ToArray();
    }
}
