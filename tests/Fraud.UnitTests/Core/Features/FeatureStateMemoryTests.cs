using Fraud.Core;
using Fraud.Core.Features;
using static Fraud.Testing.SampleTransactions;

namespace Fraud.UnitTests.Core.Features;

public sealed class FeatureStateMemoryTests
{
    private static readonly float[] Features = new float[FeatureSchema.Count];

    private static Transaction ByUser(long user, TimeSpan after) => At(after) with { UserId = user };

    [Fact]
    public void When_full_the_least_recently_active_user_is_forgotten()
    {
        var state = new FeatureState(new FeatureStateOptions { MaxUsers = 2 });
        state.Update(ByUser(1, TimeSpan.Zero), Features);
        state.Update(ByUser(2, TimeSpan.FromMinutes(1)), Features);
        state.Update(ByUser(1, TimeSpan.FromMinutes(2)), Features);

        state.Update(ByUser(3, TimeSpan.FromMinutes(3)), Features);

        Assert.Equal(2, state.TrackedUsers);
        Assert.Equal(1, state.ForgottenUsers);
        Assert.Equal(2, state.Track(ByUser(1, TimeSpan.FromMinutes(4))).Count);
    }

    [Fact]
    public void A_forgotten_user_who_comes_back_starts_with_an_empty_history()
    {
        var state = new FeatureState(new FeatureStateOptions { MaxUsers = 1 });
        state.Update(ByUser(1, TimeSpan.Zero), Features);
        state.Update(ByUser(2, TimeSpan.FromMinutes(1)), Features);

        var user = state.Track(ByUser(1, TimeSpan.FromMinutes(2)));

        Assert.Equal(0, user.Count);
        Assert.Equal(1, state.TrackedUsers);
    }

    [Fact]
    public void Users_idle_longer_than_the_timeout_are_forgotten_as_time_moves_on()
    {
        var state = new FeatureState(new FeatureStateOptions { IdleTimeout = TimeSpan.FromDays(1) });
        state.Update(ByUser(1, TimeSpan.Zero), Features);
        state.Update(ByUser(2, TimeSpan.FromHours(12)), Features);

        state.Update(ByUser(3, TimeSpan.FromHours(25)), Features);

        Assert.Equal(2, state.TrackedUsers);
        Assert.Equal(1, state.ForgottenUsers);
    }

    [Fact]
    public void Updating_a_tracked_user_allocates_nothing()
    {
        var state = new FeatureState();
        var transactions = Enumerable.Range(0, 200)
            .Select(i => ByUser(i % 10, TimeSpan.FromSeconds(i)) with { DeviceId = $"d_{i % 12}", MerchantId = $"m_{i % 20}" })
            .ToArray();
        var features = new float[FeatureSchema.Count];
        foreach (var transaction in transactions)
        {
            state.Update(transaction, features); // tracks every user, and warms the code up
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var transaction in transactions)
        {
            state.Update(transaction, features);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void A_full_state_reuses_the_forgotten_users_memory()
    {
        var state = new FeatureState(new FeatureStateOptions { MaxUsers = 4 });
        var features = new float[FeatureSchema.Count];
        for (int user = 0; user < 8; user++)
        {
            state.Update(ByUser(user, TimeSpan.FromSeconds(user)), features);
        }

        var newcomers = Enumerable.Range(8, 92).Select(user => ByUser(user, TimeSpan.FromSeconds(user))).ToArray();
        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var newcomer in newcomers)
        {
            state.Update(newcomer, features);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(96, state.ForgottenUsers);
    }

    [Theory]
    [InlineData(0, 1, 1)]
    [InlineData(1, 0, 1)]
    [InlineData(1, 1, 0)]
    public void Options_must_be_positive(int maxUsers, int idleDays, int halfLifeDays)
    {
        var options = new FeatureStateOptions
        {
            MaxUsers = maxUsers,
            IdleTimeout = TimeSpan.FromDays(idleDays),
            AmountHalfLife = TimeSpan.FromDays(halfLifeDays),
        };

        Assert.Throws<ArgumentOutOfRangeException>(() => new FeatureState(options));
    }
}
