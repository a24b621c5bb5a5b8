namespace Fraud.Messaging;

/// <summary>A topic of the system: its name, its partition count when the AppHost declares it, and the message key.</summary>
/// <param name="Name">The topic's name; the <c>.v1</c> suffix is the version of its message contract.</param>
/// <param name="Partitions">How many partitions the AppHost creates (a deployment may choose more).</param>
/// <param name="Key">What the message key holds: the unit whose order the topic keeps.</param>
public sealed record TopicDefinition(string Name, int Partitions, string Key);

/// <summary>The topics every host reads or writes, named once (docs/online-detector.md, "Topics").</summary>
public static class Topics
{
    /// <summary>One transaction per message. Keyed by user, so each user's transactions stay in order on one partition.</summary>
    public static readonly TopicDefinition Transactions = new("transactions.v1", Partitions: 6, Key: "user_id");

    /// <summary>The transactions the detector could not read, unchanged, with the reason in a header; same key.</summary>
    public static readonly TopicDefinition DeadLetters = new("transactions.v1.dlq", Partitions: 1, Key: "user_id");

    /// <summary>The simulator's ground truth, one label per transaction: evaluation, and the API stores it to train the classifier.</summary>
    public static readonly TopicDefinition Labels = new("transactions.labels.v1", Partitions: 6, Key: "tx_id");

    /// <summary>Every alert once it is durable in Postgres (again on replay: readers dedupe on tx_id).</summary>
    public static readonly TopicDefinition Alerts = new("alerts.v1", Partitions: 1, Key: "user_id");
}
