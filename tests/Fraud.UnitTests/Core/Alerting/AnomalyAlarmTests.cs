using Fraud.Core.Alerting;

namespace Fraud.UnitTests.Core.Alerting;

public sealed class AnomalyAlarmTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly AlarmThresholds Thresholds = new(FireAbove: 0.10, ClearBelow: 0.05, MinTransactions: 100, Cooldown: TimeSpan.FromMinutes(1));

    private static WindowCounts Rate(double rate, long transactions = 1000) => new(transactions, (long)Math.Round(rate * transactions));

    [Fact]
    public void Starts_ok_and_stays_ok_below_the_limit()
    {
        var alarm = new AnomalyAlarm(Thresholds);

        for (var s = 0; s < 600; s += 5)
        {
            Assert.Null(alarm.Evaluate(Rate(0.02), T0.AddSeconds(s)));
        }
        Assert.Equal(AlarmState.Ok, alarm.State);
    }

    [Fact]
    public void Fires_once_when_the_rate_goes_above_the_limit()
    {
        var alarm = new AnomalyAlarm(Thresholds);

        var transition = alarm.Evaluate(Rate(0.2), T0);

        Assert.NotNull(transition);
        Assert.Equal(AlarmState.Firing, transition.To);
        Assert.Equal(Rate(0.2), transition.Counts);
        Assert.Equal(T0, transition.FiringSince);
        Assert.Equal(AlarmState.Firing, alarm.State);
    }

    [Fact]
    public void The_limit_itself_does_not_fire()
    {
        var alarm = new AnomalyAlarm(Thresholds);

        Assert.Null(alarm.Evaluate(Rate(0.10), T0));
    }

    [Fact]
    public void A_sustained_incident_gives_exactly_one_firing_and_one_resolved()
    {
        var alarm = new AnomalyAlarm(Thresholds);
        var transitions = new List<AlarmTransition>();
        // Normal, then ten minutes of fraud with the rate wobbling around the limit, then normal again.
        double RateAt(int s) => s < 60 ? 0.02 : s < 660 ? (s / 5 % 2 == 0 ? 0.25 : 0.08) : 0.01;

        for (var s = 0; s < 1200; s += 5)
        {
            if (alarm.Evaluate(Rate(RateAt(s)), T0.AddSeconds(s)) is { } transition)
            {
                transitions.Add(transition);
            }
        }

        Assert.Equal([AlarmState.Firing, AlarmState.Ok], transitions.Select(t => t.To));
        Assert.Equal(transitions[0].At, transitions[1].FiringSince);
    }

    [Fact]
    public void Between_the_clear_level_and_the_limit_a_firing_alarm_keeps_firing()
    {
        var alarm = new AnomalyAlarm(Thresholds);
        alarm.Evaluate(Rate(0.2), T0);

        Assert.Null(alarm.Evaluate(Rate(0.07), T0.AddMinutes(5)));
        Assert.Equal(AlarmState.Firing, alarm.State);
    }

    [Fact]
    public void Resolves_below_the_clear_level_once_the_cooldown_has_passed()
    {
        var alarm = new AnomalyAlarm(Thresholds);
        alarm.Evaluate(Rate(0.2), T0);

        Assert.Null(alarm.Evaluate(Rate(0.01), T0.AddSeconds(30))); // within the cool-down
        var resolved = alarm.Evaluate(Rate(0.01), T0.AddSeconds(60));

        Assert.NotNull(resolved);
        Assert.Equal(AlarmState.Ok, resolved.To);
        Assert.Equal(T0, resolved.FiringSince);
        Assert.Null(alarm.FiringSince);
    }

    [Fact]
    public void Does_not_fire_again_within_the_cooldown_after_resolving()
    {
        var alarm = new AnomalyAlarm(Thresholds);
        alarm.Evaluate(Rate(0.2), T0);
        alarm.Evaluate(Rate(0.01), T0.AddMinutes(1));

        Assert.Null(alarm.Evaluate(Rate(0.3), T0.AddMinutes(1).AddSeconds(59)));
        var again = alarm.Evaluate(Rate(0.3), T0.AddMinutes(2));

        Assert.Equal(AlarmState.Firing, again?.To);
    }

    [Fact]
    public void A_cooldown_of_zero_allows_immediate_changes()
    {
        var alarm = new AnomalyAlarm(Thresholds with { Cooldown = TimeSpan.Zero });

        Assert.Equal(AlarmState.Firing, alarm.Evaluate(Rate(0.2), T0)?.To);
        Assert.Equal(AlarmState.Ok, alarm.Evaluate(Rate(0.0), T0)?.To);
    }

    [Fact]
    public void Too_few_transactions_change_nothing_either_way()
    {
        var alarm = new AnomalyAlarm(Thresholds);

        Assert.Null(alarm.Evaluate(new WindowCounts(99, 99), T0));
        Assert.Equal(AlarmState.Ok, alarm.State);

        alarm.Evaluate(Rate(0.2), T0.AddMinutes(1));
        Assert.Null(alarm.Evaluate(new WindowCounts(0, 0), T0.AddMinutes(5)));
        Assert.Equal(AlarmState.Firing, alarm.State);
    }

    [Theory]
    [InlineData(0.0, 0.0, 1, 0, "limit")]
    [InlineData(1.5, 0.1, 1, 0, "limit")]
    [InlineData(0.1, 0.2, 1, 0, "clear level")]
    [InlineData(0.1, -0.1, 1, 0, "clear level")]
    [InlineData(0.1, 0.05, 0, 0, "minimum")]
    [InlineData(0.1, 0.05, 1, -1, "cool-down")]
    public void Invalid_thresholds_are_named(double fireAbove, double clearBelow, long minTransactions, int cooldownSeconds, string named)
    {
        var problem = new AlarmThresholds(fireAbove, clearBelow, minTransactions, TimeSpan.FromSeconds(cooldownSeconds)).Validate();

        Assert.NotNull(problem);
        Assert.Contains(named, problem);
    }

    [Fact]
    public void Valid_thresholds_have_no_problem()
    {
        Assert.Null(Thresholds.Validate());
        Assert.Null((Thresholds with { ClearBelow = Thresholds.FireAbove }).Validate()); // no hysteresis is allowed
    }
}
