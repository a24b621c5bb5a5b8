namespace Fraud.Simulation;

/// <summary>
/// A simulated world: an endless stream of labelled transactions in event-time order, the same for the same options
/// and seed. <see cref="TransactionSimulator"/> is this project's world, <see cref="Handbook.HandbookSimulator"/> the
/// Fraud Detection Handbook's.
/// </summary>
public interface ISimulator
{
    /// <summary>The next transaction in event-time order (never earlier than the previous one), with its label.</summary>
    /// <returns>The transaction and its label, same <c>tx_id</c>.</returns>
    SimulatedTransaction Next();
}
