using Confluent.Kafka;
using Fraud.Core;
using Fraud.Messaging;

namespace Fraud.LoadTest;

/// <summary>An alert seen on <c>alerts.v1</c>: its transaction and its message timestamp (Unix milliseconds).</summary>
internal readonly record struct ObservedAlert(string TxId, long TimestampMs);

/// <summary>
/// Reads <c>alerts.v1</c> from its end at start-up for the whole run, on its own thread. The detector publishes
/// each alert after it is durable in Postgres, so an alert message's timestamp (CreateTime, set by the detector's
/// producer) is when the alert became durable, to the millisecond.
/// </summary>
internal sealed class AlertWatcher : IDisposable
{
    public static readonly string Topic = Topics.Alerts.Name;

    private readonly IConsumer<byte[], byte[]> _consumer;
    private readonly Lock _lock = new();
    private readonly Dictionary<TopicPartition, long> _next = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private List<ObservedAlert> _alerts = [];
    private long _unparsable;

    public AlertWatcher(string bootstrap, BrokerProbe probe)
    {
        _consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = $"fraud-loadtest-alerts-{Guid.NewGuid():N}",   // never commits: partitions are assigned by hand
            EnableAutoCommit = false,
            // The latency comes from message timestamps, so the watcher may lag; an idle fetch still returns within 100 ms
            // (the local broker holds an empty fetch for the whole wait), so a phase does not wait long for it to catch up.
            FetchWaitMaxMs = 100,
        }).SetLogHandler((_, _) => { }).Build();
        var partitions = probe.Partitions(Topic);
        var end = probe.High(partitions);
        foreach (var (partition, offset) in end.ByPartition)
        {
            _next[partition] = offset;
        }

        _consumer.Assign(end.ByPartition.Select(entry => new TopicPartitionOffset(entry.Key, entry.Value)));
        _thread = new Thread(Run) { IsBackground = true, Name = "alerts.v1 watcher" };
        _thread.Start();
    }

    /// <summary>Alerts whose payload did not parse as an alert.</summary>
    public long Unparsable
    {
        get
        {
            lock (_lock)
            {
                return _unparsable;
            }
        }
    }

    /// <summary>The alerts seen since the previous call.</summary>
    public List<ObservedAlert> Take()
    {
        lock (_lock)
        {
            var taken = _alerts;
            _alerts = [];
            return taken;
        }
    }

    /// <summary>Whether the watcher has read every partition up to <paramref name="end"/>.</summary>
    public bool HasRead(Offsets end)
    {
        lock (_lock)
        {
            return end.ByPartition.All(entry => _next.GetValueOrDefault(entry.Key) >= entry.Value);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _consumer.Close();
        _consumer.Dispose();
        _stop.Dispose();
    }

    private void Run()
    {
        while (!_stop.IsCancellationRequested)
        {
            ConsumeResult<byte[], byte[]>? result;
            try
            {
                result = _consumer.Consume(TimeSpan.FromMilliseconds(100));
            }
            catch (ConsumeException)
            {
                continue;   // librdkafka retries by itself
            }

            if (result is null || result.IsPartitionEOF)
            {
                continue;
            }

            var alert = AlertJson.Deserialize(result.Message.Value);
            lock (_lock)
            {
                _next[result.TopicPartition] = result.Offset.Value + 1;
                if (alert is null)
                {
                    _unparsable++;
                }
                else
                {
                    _alerts.Add(new ObservedAlert(alert.TxId, result.Message.Timestamp.UnixTimestampMs));
                }
            }
        }
    }
}
