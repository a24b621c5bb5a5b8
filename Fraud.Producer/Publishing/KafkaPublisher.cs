using System.Diagnostics;
using Confluent.Kafka;
using Fraud.Messaging;

namespace Fraud.Producer.Publishing;

/// <summary>
/// Publishes messages through one producer (idempotent, batched, compressed: see <c>KafkaClientFactory</c>) and
/// counts what the broker acknowledged, so a run can tell whether everything arrived.
/// </summary>
internal sealed class KafkaPublisher : IDisposable
{
    private static readonly ActivitySource Tracing = new("Fraud.Producer");

    private readonly IProducer<string, byte[]> _producer;
    private readonly Action<Error>? _onFailure;

    // One delegate for every message: a closure per message would allocate at 100k messages a second.
    private readonly Action<DeliveryReport<string, byte[]>> _onDelivery;
    private long _delivered;
    private long _failed;
    private string? _lastError;

    public KafkaPublisher(IProducer<string, byte[]> producer, Action<Error>? onFailure = null)
    {
        _producer = producer;
        _onFailure = onFailure;
        _onDelivery = OnDelivery;
    }

    public long Delivered => Interlocked.Read(ref _delivered);

    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>The broker's reason for the latest failed delivery, if any.</summary>
    public string? LastError => Volatile.Read(ref _lastError);

    /// <summary>
    /// Hands a message to the client, which batches and sends it in the background. When tracing is on, the
    /// message starts a trace (a producer span) whose W3C context travels in its headers to the detector.
    /// </summary>
    public void Publish(string topic, string key, byte[] value)
    {
        using var activity = Tracing.HasListeners() ? Tracing.StartActivity($"{topic} publish", ActivityKind.Producer) : null;
        activity?.SetTag("messaging.system", "kafka");
        activity?.SetTag("messaging.destination.name", topic);
        var message = new Message<string, byte[]> { Key = key, Value = value, Headers = KafkaTraceContext.HeadersFor(activity) };
        while (true)
        {
            try
            {
                _producer.Produce(topic, message, _onDelivery);
                return;
            }
            catch (ProduceException<string, byte[]> exception) when (exception.Error.Code == ErrorCode.Local_QueueFull)
            {
                // Faster than the broker takes them: let deliveries free room in the client's queue.
                Thread.Sleep(1);
            }
        }
    }

    /// <summary>Waits until every message is acknowledged or has failed, or the timeout passes.</summary>
    /// <returns>How many messages are still in flight (0 when all are settled).</returns>
    public int Flush(TimeSpan timeout) => _producer.Flush(timeout);

    public void Dispose() => _producer.Dispose();

    private void OnDelivery(DeliveryReport<string, byte[]> report)
    {
        if (!report.Error.IsError)
        {
            Interlocked.Increment(ref _delivered);
            return;
        }

        Interlocked.Increment(ref _failed);
        Volatile.Write(ref _lastError, report.Error.Reason);
        _onFailure?.Invoke(report.Error);
    }
}
