using Fraud.Core.Alerting;

namespace Fraud.UnitTests.Core.Alerting;

public sealed class RecentTxIdsTests
{
    [Fact]
    public void A_tx_id_is_new_once_and_a_repeat_afterwards()
    {
        var recent = new RecentTxIds(capacity: 3);

        Assert.True(recent.FirstTime("tx_a"));
        Assert.True(recent.FirstTime("tx_b"));
        Assert.False(recent.FirstTime("tx_a"));
        Assert.False(recent.FirstTime("tx_b"));
        Assert.False(recent.FirstTime("tx_a"));
    }

    [Fact]
    public void Only_the_last_capacity_first_seen_tx_ids_are_remembered()
    {
        var recent = new RecentTxIds(capacity: 2);
        recent.FirstTime("tx_a");
        recent.FirstTime("tx_b");
        Assert.False(recent.FirstTime("tx_a")); // a repeat does not refresh it

        Assert.True(recent.FirstTime("tx_c")); // tx_a is forgotten
        Assert.True(recent.FirstTime("tx_a"));
        Assert.False(recent.FirstTime("tx_c"));
    }

    [Fact]
    public void Capacity_is_at_least_one() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecentTxIds(0));
}
