using Fraud.Core;
using Fraud.Core.Features;
using static Fraud.Testing.SampleTransactions;

namespace Fraud.UnitTests.Core.Features;

public sealed class HourlyReservoirTests
{
    private static readonly DateTimeOffset Hour0 = new(2025, 9, 10, 12, 0, 0, TimeSpan.Zero);

    private static Transaction Tx(int i, TimeSpan after) => Purchase with { TxId = $"tx_{i}", Ts = Hour0 + after };

    private static float[] Vector(int i)
    {
        var features = new float[FeatureSchema.Count];
        Array.Fill(features, i);
        return features;
    }

    [Fact]
    public void Each_hour_keeps_at_most_k_vectors_and_every_one_it_reports_was_offered_to_that_hour()
    {
        var reservoir = new HourlyReservoir(capacity: 10, maxOpenHours: 4, seed: 1);
        for (int i = 0; i < 3_000; i++)
        {
            reservoir.Offer(Tx(i, TimeSpan.FromSeconds(i * 3.6)), Vector(i)); // 1,000 a hour over 3 hours
        }

        var samples = reservoir.DrainChanged();

        Assert.Equal(3, samples.Select(sample => sample.Hour).Distinct().Count());
        Assert.All(samples.GroupBy(sample => sample.Hour), hour => Assert.Equal(10, hour.Select(sample => sample.Slot).Distinct().Count()));
        Assert.Equal(30, samples.Count);
        Assert.All(samples, sample =>
        {
            int i = int.Parse(sample.TxId["tx_".Length..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(HourlyReservoir.HourOf(sample.Ts), sample.Hour);
            Assert.Equal(Hour0 + TimeSpan.FromSeconds(i * 3.6), sample.Ts);
            Assert.Equal(Vector(i), sample.Features);
            Assert.InRange(sample.Slot, 0, 9);
        });
    }

    [Fact]
    public void Every_vector_of_an_hour_is_kept_with_the_same_probability()
    {
        // 2,000 runs of 100 vectors into 10 slots: each vector should be kept 200 times (binomial, sd ≈ 13.4).
        const int runs = 2_000, offered = 100, capacity = 10;
        var kept = new int[offered];
        var reservoir = new HourlyReservoir(capacity, maxOpenHours: 1, seed: 42);
        for (int run = 0; run < runs; run++)
        {
            for (int i = 0; i < offered; i++)
            {
                reservoir.Offer(Tx(i, TimeSpan.FromHours(run) + TimeSpan.FromSeconds(i)), Vector(i));
            }

            foreach (var sample in reservoir.DrainChanged())
            {
                kept[(int)sample.Features[0]]++;
            }
        }

        double expected = runs * capacity / (double)offered;
        Assert.All(kept, count => Assert.InRange(count, expected - 5 * 13.4, expected + 5 * 13.4));
        double chiSquare = kept.Sum(count => (count - expected) * (count - expected) / expected);
        Assert.True(chiSquare < 150, $"chi-square {chiSquare:F1} with 99 degrees of freedom"); // p ≈ 0.001
        Assert.True(kept.Take(capacity).Average() < expected * 1.15, "the first K are favoured");
    }

    [Fact]
    public void A_changed_slot_is_reported_once_and_again_only_after_it_changes()
    {
        var reservoir = new HourlyReservoir(capacity: 5, maxOpenHours: 2, seed: 3);
        for (int i = 0; i < 5; i++)
        {
            reservoir.Offer(Tx(i, TimeSpan.FromSeconds(i)), Vector(i));
        }

        reservoir.Offer(Tx(5, TimeSpan.FromSeconds(5)), Vector(5)); // may replace one of them

        var first = reservoir.DrainChanged();
        Assert.Equal([0, 1, 2, 3, 4], first.Select(sample => sample.Slot).Order());
        Assert.Empty(reservoir.DrainChanged());

        int accepted = 0;
        for (int i = 6; i < 200; i++)
        {
            accepted += reservoir.Offer(Tx(i, TimeSpan.FromSeconds(i)), Vector(i)) ? 1 : 0;
        }

        var second = reservoir.DrainChanged();
        Assert.InRange(second.Count, 1, Math.Min(5, accepted));
        Assert.Equal(second.Count, second.Select(sample => sample.Slot).Distinct().Count());
        Assert.Equal(0, reservoir.ChangedCount);
    }

    [Fact]
    public void Requeued_samples_are_reported_again_with_the_slots_current_content()
    {
        var reservoir = new HourlyReservoir(capacity: 3, maxOpenHours: 1, seed: 5);
        for (int i = 0; i < 3; i++)
        {
            reservoir.Offer(Tx(i, TimeSpan.FromSeconds(i)), Vector(i));
        }

        var failed = reservoir.DrainChanged();
        reservoir.Requeue(failed);

        var again = reservoir.DrainChanged();
        Assert.Equal(failed.Select(sample => (sample.Slot, sample.TxId)), again.Select(sample => (sample.Slot, sample.TxId)));
        Assert.Equal(failed.SelectMany(sample => sample.Features), again.SelectMany(sample => sample.Features));
        Assert.Empty(reservoir.DrainChanged());
    }

    [Fact]
    public void A_new_hour_closes_the_oldest_keeping_its_pending_changes_and_a_vector_older_than_every_open_hour_is_not_sampled()
    {
        var reservoir = new HourlyReservoir(capacity: 2, maxOpenHours: 2, seed: 7);
        reservoir.Offer(Tx(0, TimeSpan.FromMinutes(1)), Vector(0));
        reservoir.Offer(Tx(1, TimeSpan.FromMinutes(61)), Vector(1));
        reservoir.Offer(Tx(2, TimeSpan.FromMinutes(121)), Vector(2)); // closes hour 0

        Assert.False(reservoir.Offer(Tx(3, TimeSpan.FromMinutes(2)), Vector(3)));
        Assert.Equal(Hour0 + TimeSpan.FromHours(2), reservoir.NewestHour);
        Assert.Equal(["tx_0", "tx_1", "tx_2"], reservoir.DrainChanged().Select(sample => sample.TxId));
    }

    [Fact]
    public void An_hour_opened_after_one_closed_starts_empty_and_reports_its_own_vectors()
    {
        var reservoir = new HourlyReservoir(capacity: 2, maxOpenHours: 1, seed: 7);
        reservoir.Offer(Tx(0, TimeSpan.FromMinutes(1)), Vector(0));
        reservoir.Offer(Tx(1, TimeSpan.FromMinutes(2)), Vector(1));
        reservoir.Offer(Tx(2, TimeSpan.FromMinutes(3)), Vector(2));      // hour 0 full: seen 3
        Assert.True(reservoir.Offer(Tx(3, TimeSpan.FromMinutes(61)), Vector(3)));   // closes hour 0, pending
        Assert.True(reservoir.Offer(Tx(4, TimeSpan.FromMinutes(62)), Vector(4)));

        var samples = reservoir.DrainChanged();
        var hour1 = samples.Where(sample => sample.Hour == Hour0 + TimeSpan.FromHours(1)).ToList();
        Assert.Equal(2, samples.Count - hour1.Count);
        Assert.Equal(["tx_3", "tx_4"], hour1.Select(sample => sample.TxId));
        Assert.Equal([Vector(3), Vector(4)], hour1.Select(sample => sample.Features));

        // The next hour again: nothing of hour 1 is left in it.
        reservoir.Offer(Tx(5, TimeSpan.FromMinutes(121)), Vector(5));
        Assert.Equal(["tx_5"], reservoir.DrainChanged().Select(sample => sample.TxId));
    }

    [Fact]
    public void Draining_into_a_buffer_replaces_what_it_held_and_a_closed_hours_requeued_samples_keep_their_vectors()
    {
        var reservoir = new HourlyReservoir(capacity: 2, maxOpenHours: 1, seed: 11);
        var buffer = new ReservoirSamples();
        reservoir.Offer(Tx(0, TimeSpan.FromMinutes(1)), Vector(0));
        reservoir.DrainChanged(buffer);
        Assert.Equal(["tx_0"], buffer.Select(sample => sample.TxId));

        reservoir.Offer(Tx(1, TimeSpan.FromMinutes(2)), Vector(1));
        reservoir.DrainChanged(buffer);   // the buffer again: only what changed since
        Assert.Equal(["tx_1"], buffer.Select(sample => sample.TxId));
        Assert.Equal(FeatureSchema.Count, buffer.Features.Count);

        // The write failed, and meanwhile a new hour closed the slot's hour: the sample comes back as it was drained.
        reservoir.Offer(Tx(2, TimeSpan.FromMinutes(61)), Vector(2));
        reservoir.Requeue(buffer);
        var again = reservoir.DrainChanged();
        Assert.Equal(["tx_1", "tx_2"], again.Select(sample => sample.TxId));
        Assert.Equal([Vector(1), Vector(2)], again.Select(sample => sample.Features));
        Assert.Equal(Hour0, again[0].Hour);
    }
}
