using Fraud.Core.Alerting;

namespace Fraud.UnitTests.Core.Alerting;

public sealed class ArrivalCounterTests
{
    [Fact]
    public void The_first_reading_of_a_partition_is_its_baseline()
    {
        var counter = new ArrivalCounter();

        Assert.Equal(0, counter.Advance(0, 1_000));
        Assert.Equal(20, counter.Advance(0, 1_020));
    }

    [Fact]
    public void Arrivals_are_the_growth_of_the_high_watermark_since_the_last_reading()
    {
        var counter = new ArrivalCounter();
        counter.Advance(0, 1_000);

        Assert.Equal(250, counter.Advance(0, 1_250));
        Assert.Equal(0, counter.Advance(0, 1_250));
        Assert.Equal(1, counter.Advance(0, 1_251));
    }

    [Fact]
    public void Partitions_are_counted_apart()
    {
        var counter = new ArrivalCounter();
        counter.Advance(0, 100);
        counter.Advance(1, 5_000);

        Assert.Equal(10, counter.Advance(0, 110));
        Assert.Equal(7, counter.Advance(1, 5_007));
        Assert.Equal(0, counter.Advance(2, 42));
    }

    [Fact]
    public void A_watermark_that_went_back_counts_nothing_and_becomes_the_new_baseline()
    {
        var counter = new ArrivalCounter();
        counter.Advance(0, 1_000);

        Assert.Equal(0, counter.Advance(0, 3));
        Assert.Equal(5, counter.Advance(0, 8));
    }
}
