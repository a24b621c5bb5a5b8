using System.ComponentModel.DataAnnotations;
using Fraud.Messaging;
using Fraud.Simulation;

namespace Fraud.Producer.Service;

/// <summary>Settings under <c>Producer:</c> for the traffic simulated while the system runs.</summary>
public sealed class ProducerOptions
{
    public const string Section = "Producer";

    public bool Enabled { get; set; } = true;

    public string Topic { get; set; } = Topics.Transactions.Name;

    /// <summary>Where labels go; empty to publish none.</summary>
    public string LabelsTopic { get; set; } = Topics.Labels.Name;

    /// <summary>
    /// Transactions per second averaged over a week. The event clock is the wall clock, so the population is sized
    /// to make this rate: busier by day, quieter at night. The upper bound is what 100 million users make.
    /// </summary>
    [Range(0.01, 3_000)]
    public double Rate { get; set; } = 50;

    /// <summary>
    /// How many transactions of the simulated time before the start are sent first, as fast as the broker takes them
    /// and with their past event times, so that card holders have history (and the detector something to find) from
    /// the first seconds; 0 starts with no history. Bounded by what the local broker keeps per partition.
    /// </summary>
    [Range(0, 100_000)]
    public int BackfillTransactions { get; set; } = 30_000;

    [Range(0.0, 0.5)]
    public double FraudRate { get; set; } = SimulationOptions.DefaultFraudRate;

    /// <summary>As <c>--scenario-mix</c>, e.g. <c>card_testing=1,stolen_card=1</c>; unset means every scenario.</summary>
    public string? ScenarioMix { get; set; }

    /// <summary>Fixes the simulation; unset means the start time's Unix seconds, so each start has fresh tx_ids.</summary>
    [Range(0, int.MaxValue)]
    public int? Seed { get; set; }
}
