using Fraud.Core.Features;

namespace Fraud.UnitTests.Core.Features;

public sealed class MerchantHoursTests
{
    private const int Days = 15;
    private const int Capacity = Days * 24;

    /// <summary>Midnight of some UTC day, in hours since 0001-01-01.</summary>
    private const long Midnight = 739_500 * 24L;

    [Fact]
    public void A_late_count_lands_on_its_own_hour()
    {
        var hours = new MerchantHours(Days);
        hours.Add(Midnight + 20, 5, 0);

        hours.Add(Midnight + 3, 2, 1); // late: before the newest hour
        hours.Add(Midnight + 20, 1, 1);

        Assert.Equal((2, 1), hours.EarlierThatDay(Midnight + 4));
        Assert.Equal((0, 0), hours.EarlierThatDay(Midnight + 3));
        Assert.Equal((8, 2), hours.EarlierThatDay(Midnight + 21));
    }

    [Fact]
    public void An_hour_as_old_as_the_span_is_dropped_and_one_just_younger_kept()
    {
        var hours = new MerchantHours(Days);
        hours.Add(Midnight + Capacity, 1, 0);

        hours.Add(Midnight, 4, 4);         // Capacity hours before the newest: one too many
        hours.Add(Midnight + 1, 3, 3);     // the oldest hour kept

        Assert.Equal((3, 3), hours.EarlierThatDay(Midnight + 2));
    }

    [Fact]
    public void As_the_newest_hour_moves_on_the_hours_it_leaves_behind_are_forgotten()
    {
        var hours = new MerchantHours(Days);
        hours.Add(Midnight + 5, 2, 1);
        hours.Add(Midnight + 6, 3, 0);

        hours.Add(Midnight + 5 + Capacity - 1, 1, 0); // hour 5 is still the oldest kept
        var stillKept = hours.EarlierThatDay(Midnight + 7);
        hours.Add(Midnight + 5 + Capacity, 1, 0);      // now it is gone, hour 6 is not
        var movedOn = hours.EarlierThatDay(Midnight + 7);
        hours.Add(Midnight + (10 * Capacity), 0, 0);   // far ahead, even without a count: everything is gone

        Assert.Equal((5, 1), stillKept);
        Assert.Equal((3, 0), movedOn);
        Assert.Equal((0, 0), hours.EarlierThatDay(Midnight + 7));
    }

    [Fact]
    public void At_midnight_no_hour_is_earlier_that_day()
    {
        var hours = new MerchantHours(Days);
        hours.Add(Midnight - 1, 7, 7); // the last hour of the day before
        hours.Add(Midnight, 2, 2);

        Assert.Equal((0, 0), hours.EarlierThatDay(Midnight));
        Assert.Equal((2, 2), hours.EarlierThatDay(Midnight + 1));
    }

    [Fact]
    public void On_the_day_of_the_oldest_hour_kept_only_the_hours_kept_count()
    {
        var hours = new MerchantHours(Days);
        for (long hour = Midnight; hour < Midnight + 24; hour++)
        {
            hours.Add(hour, 1, 0);
        }

        long oldestKept = Midnight + 10;
        hours.Add(oldestKept + Capacity - 1, 1, 0); // hours 0–9 of the day leave

        Assert.Equal((0, 0), hours.EarlierThatDay(oldestKept));
        Assert.Equal((1, 0), hours.EarlierThatDay(oldestKept + 1));
        Assert.Equal((13, 0), hours.EarlierThatDay(Midnight + 23));
    }

    [Fact]
    public void Every_hour_of_a_day_with_a_count_reads_its_running_total()
    {
        var hours = new MerchantHours(Days);
        for (int hour = 0; hour < 24; hour++)
        {
            hours.Add(Midnight + hour, hour + 1, hour % 2);
        }

        for (int hour = 0; hour < 24; hour++)
        {
            Assert.Equal((hour * (hour + 1) / 2, hour / 2), hours.EarlierThatDay(Midnight + hour));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Counts_added_in_any_order_read_as_every_count_of_an_hour_still_kept(int seed)
    {
        var random = new Random(seed);
        var hours = new MerchantHours(Days);
        var added = new List<(long Hour, int Transactions, int Frauds)>();
        long newest = Midnight;
        for (int i = 0; i < 3_000; i++)
        {
            // Mostly near the newest hour, now and then far back (kept or not) or a day or more ahead; busy then quiet.
            long hour = random.Next(10) switch
            {
                0 => newest - random.Next(2 * Capacity),
                1 => newest + random.Next(24, 24 * 20),
                _ => newest - random.Next(i % 500 < 250 ? Capacity : 3),
            };
            int transactions = random.Next(3), frauds = random.Next(2);
            hours.Add(hour, transactions, frauds);
            added.Add((hour, transactions, frauds));
            newest = Math.Max(newest, hour);

            long read = newest - random.Next(Capacity + 48);
            long from = Math.Max(read - (read % 24), newest - (Capacity - 1));
            var kept = added.Where(count => count.Hour >= from && count.Hour < read).ToArray();
            Assert.Equal(((long)kept.Sum(count => count.Transactions), (long)kept.Sum(count => count.Frauds)), hours.EarlierThatDay(read));
        }
    }

    [Fact]
    public void A_merchant_seen_three_times_takes_a_hundred_bytes_or_so_not_a_slot_per_hour()
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var hours = new MerchantHours(Days);
        hours.Add(Midnight, 1, 0);
        hours.Add(Midnight + (3 * 24) + 9, 1, 0);
        hours.Add(Midnight + (12 * 24) + 17, 1, 1);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal((1, 1), hours.EarlierThatDay(Midnight + (12 * 24) + 18));
        Assert.InRange(allocated, 1, 160); // a dense ring of 360 hours took 2.9 KB
    }
}
