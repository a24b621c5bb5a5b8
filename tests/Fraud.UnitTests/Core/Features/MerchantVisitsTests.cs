using Fraud.Core.Features;

namespace Fraud.UnitTests.Core.Features;

/// <summary>
/// What one commit adds to the merchants' shared counts: the visits not counted yet, summed per merchant and hour, per
/// merchant and day and per day and partition, with each partition's position moved past its last visit counted.
/// </summary>
public sealed class MerchantVisitsTests
{
    private static readonly DateTimeOffset Day1 = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private static MerchantVisit Visit(int partition, long offset, string merchant, TimeSpan after) =>
        MerchantVisit.Of(partition, offset, merchant, Day1 + after);

    private static DateTime Hour(double hours) => (Day1 + TimeSpan.FromHours(hours)).UtcDateTime;

    [Fact]
    public void A_tally_sums_per_merchant_and_hour_day_and_partition_sorted_and_moves_each_partition_past_its_last_visit()
    {
        var visits = new MerchantVisits();
        visits.AddRange([
            Visit(1, 10, "m_b", TimeSpan.FromMinutes(5)),
            Visit(0, 7, "m_a", TimeSpan.FromMinutes(50)),
            Visit(1, 12, "m_a", TimeSpan.FromMinutes(10)),
            Visit(0, 8, "m_b", TimeSpan.FromMinutes(59)),
            Visit(0, 9, "m_b", TimeSpan.FromHours(25)),   // the next day
            Visit(1, 11, "m_B", TimeSpan.FromMinutes(1)),
        ]);

        var delta = visits.Tally(new Dictionary<int, long>());

        Assert.Equal(6, delta.Counted);
        Assert.Equal([Hour(0), Hour(0), Hour(0), Hour(25)], delta.HourStarts);
        Assert.Equal(["m_B", "m_a", "m_b", "m_b"], delta.HourMerchants);   // ordinal: upper case first
        Assert.Equal([1L, 2, 2, 1], delta.HourTransactions);
        Assert.Equal([new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 2)], delta.Days);
        Assert.Equal(["m_B", "m_a", "m_b", "m_b"], delta.DayMerchants);
        Assert.Equal([1L, 2, 2, 1], delta.DayTransactions);
        Assert.Equal([new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 2)], delta.TotalDays);
        Assert.Equal([0, 1, 0], delta.TotalPartitions);
        Assert.Equal([2L, 3, 1], delta.TotalTransactions);
        Assert.Equal([0, 1], delta.MovedPartitions);
        Assert.Equal([10L, 13], delta.MovedNextOffsets);
    }

    [Fact]
    public void Visits_before_their_partitions_position_were_counted_already_and_add_nothing()
    {
        var visits = new MerchantVisits();
        visits.AddRange([Visit(0, 4, "m_a", TimeSpan.Zero), Visit(0, 5, "m_a", TimeSpan.Zero), Visit(0, 6, "m_a", TimeSpan.Zero), Visit(2, 1, "m_a", TimeSpan.Zero)]);

        var replayed = visits.Tally(new Dictionary<int, long> { [0] = 6, [2] = 2 });
        Assert.Equal(1, replayed.Counted);
        Assert.Equal([1L], replayed.HourTransactions);
        Assert.Equal([0], replayed.MovedPartitions);
        Assert.Equal([7L], replayed.MovedNextOffsets);
        Assert.Equal([0, 2], visits.Partitions());

        var all = visits.Tally(new Dictionary<int, long> { [0] = 7, [2] = 2 });
        Assert.Equal(0, all.Counted);
        Assert.Empty(all.HourStarts);
        Assert.Empty(all.MovedPartitions);
    }

    [Fact]
    public void A_cleared_buffer_tallies_only_what_was_added_since()
    {
        var visits = new MerchantVisits();
        visits.AddRange([Visit(0, 1, "m_a", TimeSpan.Zero), Visit(0, 2, "m_b", TimeSpan.Zero)]);
        visits.Tally(new Dictionary<int, long>());
        visits.Clear();
        visits.AddRange([Visit(3, 40, "m_c", TimeSpan.FromHours(2))]);

        var delta = visits.Tally(new Dictionary<int, long>());

        Assert.Equal(1, delta.Counted);
        Assert.Equal(["m_c"], delta.HourMerchants);
        Assert.Equal([Hour(2)], delta.HourStarts);
        Assert.Equal([3], delta.TotalPartitions);
        Assert.Equal([41L], delta.MovedNextOffsets);
    }
}
