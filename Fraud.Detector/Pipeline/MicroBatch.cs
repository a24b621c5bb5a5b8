using Confluent.Kafka;
using Fraud.Core;
using Fraud.Core.Features;

namespace Fraud.Detector.Pipeline;

/// <summary>
/// What one micro-batch has consumed and, once closed, decided: what its flush makes durable (its offsets are the consume
/// loop's). Filled on the loop's thread, then read by its flush only.
/// </summary>
internal sealed class MicroBatch
{
    /// <summary>The messages, in the order consumed.</summary>
    public List<ConsumeResult<string?, byte[]>> Messages { get; } = [];

    /// <summary>The alerts raised, in the order decided.</summary>
    public List<BatchAlert> Alerts { get; } = [];

    public List<DeadLetter> DeadLetters { get; } = [];

    /// <summary>Its parsed transactions at their merchants, replayed ones included: what the merchant counts add.</summary>
    public List<MerchantVisit> Visits { get; } = [];

    public int Processed { get; set; }
}

/// <summary>An alert the batch raised, with what is stored beside it and where it came from.</summary>
/// <param name="Alert">The alert.</param>
/// <param name="MerchantId">Its transaction's merchant: a verdict on the alert counts at that merchant.</param>
/// <param name="Features">Its full feature vector (a copy: the engine reuses its buffer), so a reviewed alert is a training row.</param>
/// <param name="Source">The message it was raised for (for its trace context).</param>
internal sealed record BatchAlert(Alert Alert, string? MerchantId, float[] Features, ConsumeResult<string?, byte[]> Source);

/// <summary>A message that broke the contract, with the reason that goes into its dead-letter header.</summary>
internal sealed record DeadLetter(ConsumeResult<string?, byte[]> Source, string Reason)
{
    /// <summary>The field the reason names ("amount: must be …" → "amount"); a bounded metric label.</summary>
    public string Field => Reason.IndexOf(':') is > 0 and var colon && !Reason.StartsWith("invalid JSON", StringComparison.Ordinal)
        ? Reason[..colon]
        : "json";
}
