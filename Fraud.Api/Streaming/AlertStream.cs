using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Confluent.Kafka;
using Fraud.Core.Alerting;
using Fraud.Messaging;
using AlertJson = Fraud.Core.AlertJson;

namespace Fraud.Api.Streaming;

/// <summary>
/// New alerts for every <c>GET /alerts/stream</c> client, from one reader of the <c>alerts.v1</c> topic.
/// <para>
/// Why the topic rather than Redis pub/sub: the detector already publishes every alert there once it is durable
/// in Postgres, so the stream needs no change to the detector and never shows an alert the API cannot serve;
/// pub/sub would need a second publish. The reader assigns itself every partition at the current end (no
/// consumer group: each API replica sees every alert, and nothing is committed), then fans out to clients.
/// </para>
/// <para>
/// Each client has a bounded buffer. A client that falls that far behind is disconnected rather than silently
/// skipped: it reconnects and reloads the list from <c>GET /alerts</c>. The detector republishes on replay, so
/// recently seen tx_ids are dropped.
/// </para>
/// </summary>
internal sealed class AlertStream(KafkaClientFactory kafka, ILogger<AlertStream> logger) : KafkaConsumerService<Ignore, byte[]>(kafka, logger)
{
    private static readonly string Topic = Topics.Alerts.Name;
    public const int ClientBuffer = 256;
    private const int RememberedTxIds = 10_000;
    private static readonly TimeSpan ReconnectionInterval = TimeSpan.FromSeconds(2);

    private readonly TaskCompletionSource _positioned = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private readonly List<Channel<SseItem<string>>> _clients = [];
    private readonly RecentTxIds _recent = new(RememberedTxIds);

    /// <summary>
    /// A first <c>ready</c> event once the reader is positioned on the topic (every alert from then on will
    /// follow), then one <c>alert</c> event per new alert: data = the alert's JSON, id = its tx_id.
    /// </summary>
    public async IAsyncEnumerable<SseItem<string>> SubscribeAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await _positioned.Task.WaitAsync(cancellationToken);
        var client = Channel.CreateBounded<SseItem<string>>(new BoundedChannelOptions(ClientBuffer)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait, // with TryWrite: a full buffer is reported, never overwritten
        });
        lock (_gate)
        {
            _clients.Add(client);
        }
        try
        {
            yield return new SseItem<string>("{}", "ready") { ReconnectionInterval = ReconnectionInterval };
            await foreach (var item in client.Reader.ReadAllAsync(cancellationToken))
            {
                yield return item;
            }
        }
        finally
        {
            lock (_gate)
            {
                _clients.Remove(client);
            }
        }
    }

    protected override ConsumerPlacement Placement { get; } = ConsumerPlacement.EveryPartitionAtEnd("fraud-api-stream", Topic);

    protected override void OnPlaced(IConsumer<Ignore, byte[]> consumer, ILookup<string, TopicPartition> partitions) => _positioned.TrySetResult();

    protected override void Handle(ConsumeResult<Ignore, byte[]> message)
    {
        if (message.Message.Value is { } value)
        {
            Publish(value);
        }
    }

    protected override void OnStopped()
    {
        lock (_gate)
        {
            foreach (var client in _clients)
            {
                client.Writer.TryComplete();
            }
        }
    }

    private void Publish(byte[] value)
    {
        if (AlertJson.Deserialize(value) is not { } alert)
        {
            Logger.LogWarning("Skipped a message on {Topic} that is not an alert", Topic);
            return;
        }
        var item = new SseItem<string>(AlertJson.Serialize(alert), "alert") { EventId = alert.TxId };
        lock (_gate)
        {
            if (!_recent.FirstTime(alert.TxId))
            {
                return;
            }
            for (var i = _clients.Count - 1; i >= 0; i--)
            {
                if (!_clients[i].Writer.TryWrite(item))
                {
                    _clients[i].Writer.TryComplete();
                    _clients.RemoveAt(i);
                    Logger.LogWarning("Disconnected a stream client that fell {Buffer} alerts behind", ClientBuffer);
                }
            }
        }
    }
}
