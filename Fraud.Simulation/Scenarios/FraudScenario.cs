namespace Fraud.Simulation;

/// <summary>
/// A kind of fraud the simulator injects, with its parameters. An episode (one stolen card, one compromised
/// terminal, …) starts at the current event time and schedules its transactions from then on; the labels of its
/// fraudulent transactions carry <see cref="Name"/>. How often episodes start is the simulator's business: it keeps
/// each scenario's share of all transactions at the configured rate (see <see cref="ScenarioMix"/>).
/// </summary>
public abstract class FraudScenario
{
    // Only the simulator's own scenarios: planning works on internal state.
    private protected FraudScenario()
    {
    }

    /// <summary>The label's <c>scenario</c> value, e.g. <c>"card_testing"</c>.</summary>
    public abstract string Name { get; }

    /// <summary>The longest an episode can last, from its start to its last transaction.</summary>
    internal abstract TimeSpan LongestEpisode { get; }

    /// <summary>Schedules one episode starting at <see cref="SimulationContext.Now"/>.</summary>
    /// <returns>How many fraudulent transactions were scheduled (an episode may add legitimate ones too).</returns>
    internal abstract int Plan(SimulationContext context);
}
