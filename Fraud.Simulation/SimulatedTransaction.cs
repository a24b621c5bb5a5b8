using Fraud.Core;

namespace Fraud.Simulation;

/// <summary>One simulated transaction and its ground truth, which travel apart (the transaction never carries its label).</summary>
/// <param name="Transaction">What is published on <c>transactions.v1</c>.</param>
/// <param name="Label">Its label, same <c>tx_id</c>: legitimate with no scenario, or fraudulent with the scenario's name.</param>
public readonly record struct SimulatedTransaction(Transaction Transaction, Label Label);
