using Fraud.Simulation;

namespace Fraud.UnitTests.Simulation;

public sealed class ScenarioMixTests
{
    [Fact]
    public void Weights_are_normalised_and_unnamed_scenarios_get_none()
    {
        Assert.True(ScenarioMix.TryParse("card_testing=3, stolen_card=1", out var mix, out string? error), error);

        Assert.Equal(0.75, mix.ShareOf(CardTesting.ScenarioName));
        Assert.Equal(0.25, mix.ShareOf(StolenCardSpree.ScenarioName));
        Assert.Equal(0, mix.ShareOf(LargeOutlier.ScenarioName));
    }

    [Fact]
    public void The_default_mix_has_every_scenario_and_reads_back_from_its_text()
    {
        Assert.True(ScenarioMix.TryParse(ScenarioMix.Default.ToString(), out var mix, out _));

        Assert.Equal(6, ScenarioMix.Names.Count);
        Assert.All(ScenarioMix.Names, name => Assert.Equal(ScenarioMix.Default.ShareOf(name), mix.ShareOf(name), precision: 3));
        Assert.Equal(1.0, ScenarioMix.Default.Shares.Sum(s => s.Share), precision: 9);
    }

    [Theory]
    [InlineData("phishing=1", "'phishing' is not a scenario (one of stolen_card, compromised_terminal, account_takeover, card_testing, impossible_travel, large_outlier)")]
    [InlineData("card_testing", "'card_testing' must be card_testing=<weight>, the weight a number such as 0.25")]
    [InlineData("card_testing=lots", "'card_testing=lots' must be card_testing=<weight>, the weight a number such as 0.25")]
    [InlineData("card_testing=-1", "card_testing: the weight must be a number of at least 0")]
    [InlineData("card_testing=1,card_testing=2", "card_testing is given twice")]
    [InlineData("card_testing=0", "at least one scenario needs a weight above 0")]
    [InlineData("", "at least one scenario needs a weight above 0")]
    public void A_bad_mix_is_rejected_with_the_reason(string text, string expected)
    {
        Assert.False(ScenarioMix.TryParse(text, out var mix, out string? error));
        Assert.Null(mix);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void A_population_for_a_rate_makes_that_rate_on_average()
    {
        var options = new SimulationOptions { Users = SimulationOptions.UsersFor(50) };

        Assert.Equal(50, options.MeanTransactionsPerSecond, precision: 1);
    }
}
