using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Fraud.Detector.Sinks;
using Microsoft.Extensions.Options;

namespace Fraud.Detector.Pipeline;

/// <summary>
/// Sends poison messages to <c>transactions.v1.dlq</c> unchanged (key, value, headers), with the reason and the
/// message's origin in <c>dlq.*</c> headers, so nothing is dropped silently and an operator can replay them.
/// </summary>
internal sealed class DeadLetterPublisher(
    IProducer<string?, byte[]> producer,
    Retry retry,
    IOptions<DetectorOptions> options)
{
    public const string ReasonHeader = "dlq.reason";

    public Task PublishAsync(IReadOnlyList<DeadLetter> deadLetters, CancellationToken cancellationToken) =>
        deadLetters.Count == 0
            ? Task.CompletedTask
            : retry.UntilSuccessAsync("dlq", () => Task.WhenAll(deadLetters.Select(Produce)), cancellationToken);

    private Task Produce(DeadLetter deadLetter)
    {
        var source = deadLetter.Source;
        var headers = new Headers();
        foreach (var header in source.Message.Headers ?? [])
        {
            headers.Add(header.Key, header.GetValueBytes());
        }
        headers.Add(ReasonHeader, Encoding.UTF8.GetBytes(deadLetter.Reason));
        headers.Add("dlq.source.topic", Encoding.UTF8.GetBytes(source.Topic));
        headers.Add("dlq.source.partition", Encoding.UTF8.GetBytes(source.Partition.Value.ToString(CultureInfo.InvariantCulture)));
        headers.Add("dlq.source.offset", Encoding.UTF8.GetBytes(source.Offset.Value.ToString(CultureInfo.InvariantCulture)));
        return producer.ProduceAsync(options.Value.DeadLetterTopic, new Message<string?, byte[]>
        {
            Key = source.Message.Key,
            Value = source.Message.Value ?? [],
            Headers = headers,
        });
    }
}
