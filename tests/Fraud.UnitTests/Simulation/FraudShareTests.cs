using Fraud.Simulation;

namespace Fraud.UnitTests.Simulation;

/// <summary>
/// Fraud arrives at the configured rate and mix. Measured on <see cref="SimulationSamples.LongRunOptions"/>
/// (200,000 transactions, 3% fraud). Tolerances: ±3% of the fraud rate and ±5% of each scenario's share (relative):
/// room for the episodes in flight when the run ends.
/// </summary>
public sealed class FraudShareTests
{
    public static TheoryData<string> Scenarios => [.. ScenarioMix.Names];

    [Fact]
    public void The_fraud_rate_is_the_configured_one()
    {
        var sample = SimulationSamples.LongRun;

        double rate = (double)sample.Count(t => t.Label.IsFraud) / sample.Count;

        Assert.InRange(rate, SimulationSamples.LongRunOptions.FraudRate * 0.97, SimulationSamples.LongRunOptions.FraudRate * 1.03);
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Each_scenario_has_its_configured_share_of_fraud(string scenario)
    {
        var fraud = SimulationSamples.LongRun.Where(t => t.Label.IsFraud).ToList();
        double expected = ScenarioMix.Default.ShareOf(scenario);

        double share = (double)fraud.Count(t => t.Label.Scenario == scenario) / fraud.Count;

        Assert.InRange(share, expected * 0.95, expected * 1.05);
    }

    /// <summary>
    /// Two simulated days (10,000 users, 5% fraud): without the warm-up, episodes lasting days would still be
    /// mostly ahead and these shares about half of what they are. ±20%: only a dozen terminals in so short a run.
    /// </summary>
    [Theory]
    [InlineData(CompromisedTerminal.ScenarioName)]
    [InlineData(AccountTakeover.ScenarioName)]
    public void Fraud_lasting_days_is_already_under_way_on_the_first_days(string scenario)
    {
        var fraud = SimulationSamples.Generate(new SimulationOptions { FraudRate = 0.05 }, 64_000).Where(t => t.Label.IsFraud).ToList();
        double expected = ScenarioMix.Default.ShareOf(scenario);

        double share = (double)fraud.Count(t => t.Label.Scenario == scenario) / fraud.Count;

        Assert.InRange(share, expected * 0.8, expected * 1.2);
    }

    [Fact]
    public void A_mix_of_one_scenario_gives_only_that_scenario()
    {
        Assert.True(ScenarioMix.TryParse("card_testing=1", out var mix, out _));

        var sample = SimulationSamples.Generate(new SimulationOptions { Users = 1_000, FraudRate = 0.05, ScenarioMix = mix }, 20_000);

        Assert.Equal([CardTesting.ScenarioName], sample.Where(t => t.Label.IsFraud).Select(t => t.Label.Scenario).Distinct());
    }

    [Fact]
    public void A_fraud_rate_of_zero_gives_no_fraud()
    {
        var sample = SimulationSamples.Generate(new SimulationOptions { FraudRate = 0 }, 20_000);

        Assert.DoesNotContain(sample, t => t.Label.IsFraud);
    }

    [Fact]
    public void The_default_fraud_rate_is_between_half_and_one_percent()
    {
        Assert.InRange(SimulationOptions.DefaultFraudRate, 0.005, 0.01);
    }
}
