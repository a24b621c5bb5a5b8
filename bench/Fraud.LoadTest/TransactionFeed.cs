using System.Globalization;
using Confluent.Kafka;
using Fraud.Core;
using Fraud.Messaging;
using Fraud.Simulation;

namespace Fraud.LoadTest;

/// <summary>
/// Simulated transactions into <c>transactions.v1</c> (key = user_id, value = the contract JSON), from one seeded
/// simulator for the whole run so that every tx_id is new. Two producers, both idempotent with acks=all and lz4 like
/// the system's own: one tuned as the producer's <c>simulate</c> verb (large batches) for the throughput phase, and one
/// with the services' default 5 ms linger for the fixed-rate phases, where batching delay is part of the measured latency.
/// </summary>
internal sealed class TransactionFeed : IDisposable
{
    public static readonly string Topic = Topics.Transactions.Name;
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(60);

    // Sleeping for less than this costs more than it paces (as Fraud.Producer's Pacer): a small lead is caught up next time.
    private static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(2);
    private const int ProgressStep = 1024;

    private readonly TransactionSimulator _simulator;
    private readonly IProducer<string, byte[]> _bulk;
    private readonly IProducer<string, byte[]> _paced;
    private readonly Action<DeliveryReport<string, byte[]>> _onDelivery;
    private long _failed;
    private string? _lastError;

    public TransactionFeed(string bootstrap, SimulationOptions simulation)
    {
        _simulator = new TransactionSimulator(simulation);
        _onDelivery = OnDelivery;
        _bulk = Build(bootstrap, config =>
        {
            config.LingerMs = 50;
            config.BatchSize = 1_000_000;
            config.BatchNumMessages = 100_000;
            config.QueueBufferingMaxMessages = 1_000_000;
        });
        _paced = Build(bootstrap, config => config.LingerMs = 5);
    }

    public long Failed => Interlocked.Read(ref _failed);

    public string? LastError => Volatile.Read(ref _lastError);

    /// <summary>The next <paramref name="count"/> transactions as ready-to-send messages (so that sending them costs no simulation).</summary>
    public List<Message<string, byte[]>> Prepare(long count, Action<long> progress)
    {
        var messages = new List<Message<string, byte[]>>((int)count);
        for (long i = 0; i < count; i++)
        {
            messages.Add(ToMessage(_simulator.Next().Transaction));
            if ((i + 1) % ProgressStep == 0)
            {
                progress(i + 1);
            }
        }

        return messages;
    }

    /// <summary>
    /// Sends prepared <paramref name="messages"/> at <paramref name="perSecond"/> with the bulk producer (message n due
    /// n / rate seconds after the first), then waits for every acknowledgement.
    /// </summary>
    /// <returns>How many were sent and how many were not acknowledged.</returns>
    public async Task<(long Sent, long Unacknowledged)> SendPreparedAsync(
        List<Message<string, byte[]>> messages, double perSecond, CancellationToken cancellationToken)
    {
        long failedBefore = Failed;
        long sent = await PaceAsync(messages.Count, perSecond, index => Produce(_bulk, messages[(int)index]), _ => { }, cancellationToken);
        return (sent, _bulk.Flush(FlushTimeout) + (Failed - failedBefore));
    }

    /// <summary>
    /// Sends fresh transactions at <paramref name="perSecond"/> for <paramref name="duration"/> with the paced producer.
    /// Each message's timestamp (CreateTime) is set when it is handed to the client and recorded in
    /// <paramref name="sentAt"/> under its tx_id, in Unix milliseconds.
    /// </summary>
    /// <returns>How many were sent and how many were not acknowledged.</returns>
    public async Task<(long Sent, long Unacknowledged)> SendPacedAsync(
        double perSecond, TimeSpan duration, Dictionary<string, long> sentAt, Action<long> progress, CancellationToken cancellationToken)
    {
        long failedBefore = Failed;
        long total = (long)Math.Round(perSecond * duration.TotalSeconds);
        long sent = await PaceAsync(total, perSecond, _ =>
        {
            var transaction = _simulator.Next().Transaction;
            var message = ToMessage(transaction);
            var now = DateTimeOffset.UtcNow;
            message.Timestamp = new Timestamp(now);
            sentAt[transaction.TxId] = now.ToUnixTimeMilliseconds();
            Produce(_paced, message);
        }, progress, cancellationToken);
        return (sent, _paced.Flush(FlushTimeout) + (Failed - failedBefore));
    }

    public void Dispose()
    {
        _bulk.Dispose();
        _paced.Dispose();
    }

    /// <summary>Calls <paramref name="send"/> for messages 0 … <paramref name="total"/> − 1, message n due n / rate seconds after the first.</summary>
    /// <returns>How many were sent (fewer when cancelled).</returns>
    private static async Task<long> PaceAsync(long total, double perSecond, Action<long> send, Action<long> progress, CancellationToken cancellationToken)
    {
        long started = TimeProvider.System.GetTimestamp();
        long sent = 0;
        while (sent < total && !cancellationToken.IsCancellationRequested)
        {
            var due = TimeSpan.FromSeconds(sent / perSecond) - TimeProvider.System.GetElapsedTime(started);
            if (due >= MinimumWait)
            {
                await Task.Delay(due, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }

            send(sent);
            sent++;
            if (sent % ProgressStep == 0)
            {
                progress(sent);
            }
        }

        progress(sent);
        return sent;
    }

    private static Message<string, byte[]> ToMessage(Transaction transaction) => new()
    {
        Key = transaction.UserId.ToString(CultureInfo.InvariantCulture),
        Value = TransactionJson.SerializeToUtf8Bytes(transaction),
    };

    private void Produce(IProducer<string, byte[]> producer, Message<string, byte[]> message)
    {
        while (true)
        {
            try
            {
                producer.Produce(Topic, message, _onDelivery);
                return;
            }
            catch (ProduceException<string, byte[]> exception) when (exception.Error.Code == ErrorCode.Local_QueueFull)
            {
                // Faster than the broker takes them: let deliveries free room in the client's queue.
                Thread.Sleep(1);
            }
        }
    }

    private IProducer<string, byte[]> Build(string bootstrap, Action<ProducerConfig> tune)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = bootstrap,
            Acks = Acks.All,
            EnableIdempotence = true,
            CompressionType = CompressionType.Lz4,
            MessageTimeoutMs = 30_000,
            DeliveryReportFields = "none",   // only success or failure is counted
        };
        tune(config);
        return new ProducerBuilder<string, byte[]>(config)
            .SetLogHandler((_, _) => { })
            .SetErrorHandler((_, error) => Volatile.Write(ref _lastError, error.Reason))
            .Build();
    }

    private void OnDelivery(DeliveryReport<string, byte[]> report)
    {
        if (report.Error.IsError)
        {
            Interlocked.Increment(ref _failed);
            Volatile.Write(ref _lastError, report.Error.Reason);
        }
    }
}
