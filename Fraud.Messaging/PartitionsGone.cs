namespace Fraud.Messaging;

/// <summary>How partitions left a group member.</summary>
public enum PartitionsGone
{
    /// <summary>Handed over in a rebalance: what was held was flushed and committed first (within the session timeout).</summary>
    Revoked,

    /// <summary>Taken without a handover (the session ended, e.g. the coordinator forgot the group): nothing held was committed.</summary>
    Lost,
}
