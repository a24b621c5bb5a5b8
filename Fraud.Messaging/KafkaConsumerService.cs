using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Fraud.Messaging;

/// <summary>
/// The one consume loop of the system; a service says what it reads (<see cref="Placement"/>), what it does with each
/// message (<see cref="Handle"/>) and how it makes that durable (<see cref="FlushAsync"/>).
/// <para>
/// The loop runs on a thread of its own, not the pool's: <c>Consume</c> blocks, and the client runs the rebalance
/// callbacks on the thread that polls, which cannot await. So the loop is synchronous and waits for a flush; while it
/// waits it keeps polling (putting back what it reads), so that a flush that takes long (a sink retrying through an
/// outage) neither stalls a rebalance nor gets the member evicted for not polling.
/// </para>
/// <para>
/// In a group, the offsets of what was handled are committed only after the flush completes: a crash or a
/// rebalance replays, never loses. Before partitions leave (revoke), what is held is flushed and committed, for at
/// most the session timeout: past it the batch is given up uncommitted and logged, and the partitions' next owner
/// replays it, so a rebalance never waits on a sink that cannot write. A flush must therefore honour its token.
/// </para>
/// </summary>
public abstract class KafkaConsumerService<TKey, TValue>(KafkaClientFactory kafka, ILogger logger, TimeProvider? time = null) : BackgroundService
{
    private static readonly TimeSpan ShutdownFlushBound = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan CommitRetryInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan PollWhileFlushing = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(5);

    private readonly HeldMessages _held = new();
    private Task? _flush;
    private CancellationTokenSource? _flushCancel;
    private TimeSpan _revokeBound;
    private readonly List<TopicPartitionOffset> _rewind = [];
    // Durable offsets not committed yet (a commit fails during a rebalance): retried while idle, for the partitions still owned.
    private readonly Dictionary<TopicPartition, TopicPartitionOffset> _uncommitted = [];
    private DateTimeOffset _commitTriedAt;

    protected TimeProvider Time { get; } = time ?? TimeProvider.System;

    protected ILogger Logger => logger;

    /// <summary>What the loop reads, and whether in a group.</summary>
    protected abstract ConsumerPlacement Placement { get; }

    /// <summary>When held messages are flushed; by default each on its own.</summary>
    protected virtual Batching Batching => Batching.PerMessage;

    /// <summary>How long a poll waits when nothing is held: the longest <see cref="OnPoll"/> may wait for its turn.</summary>
    protected virtual TimeSpan IdlePollTimeout => TimeSpan.FromMilliseconds(500);

    protected virtual bool Enabled => true;

    /// <summary>When the oldest message held was handled; null when none is held.</summary>
    protected DateTimeOffset? HeldSince => _held.Since;

    /// <summary>Takes one message into the work held until the next flush. Runs on the loop's thread.</summary>
    protected abstract void Handle(ConsumeResult<TKey, TValue> message);

    /// <summary>
    /// Makes everything handled since the last flush durable; its offsets are committed once this completes. Must stop
    /// when <paramref name="cancellationToken"/> is cancelled: that is how a revoke or a shutdown gives the batch up.
    /// </summary>
    protected virtual Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>After a flush and its commit. <paramref name="committing"/> is how long the commit took.</summary>
    protected virtual void OnFlushed(TimeSpan committing)
    {
    }

    /// <summary>Drops the held work without making it durable: its partitions' next owner replays it.</summary>
    protected virtual void Abandon()
    {
    }

    /// <summary>Once the loop is placed; <paramref name="partitions"/> has the partitions of the topics awaited (empty in a group).</summary>
    protected virtual void OnPlaced(IConsumer<TKey, TValue> consumer, ILookup<string, TopicPartition> partitions)
    {
    }

    /// <summary>At every turn of the loop, after the message (if any) is handled.</summary>
    protected virtual void OnPoll(IConsumer<TKey, TValue> consumer)
    {
    }

    /// <summary>After partitions were revoked or lost: state about them may now be built elsewhere.</summary>
    protected virtual void OnPartitionsGone(PartitionsGone how, int partitions)
    {
    }

    /// <summary>Once the consumer is closed.</summary>
    protected virtual void OnStopped()
    {
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled)
        {
            return Task.CompletedTask;
        }

        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Run(stoppingToken);
                stopped.SetResult();
            }
            catch (Exception ex)
            {
                stopped.SetException(ex);
            }
        })
        { Name = GetType().Name, IsBackground = true };
        thread.Start();
        return stopped.Task;
    }

    private void Run(CancellationToken stoppingToken)
    {
        var placement = Placement;
        var config = kafka.CreateConsumerConfig(placement.GroupId);
        _revokeBound = TimeSpan.FromMilliseconds(config.SessionTimeoutMs ?? 45_000);
        var builder = kafka.CreateConsumerBuilder<TKey, TValue>(config);
        if (placement.InGroup)
        {
            builder.SetPartitionsRevokedHandler((consumer, revoked) => OnRevoked(consumer, revoked.Count))
                .SetPartitionsLostHandler((_, lost) => OnLost(lost.Count));
        }

        using var consumer = builder.Build();
        try
        {
            Place(consumer, placement, stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                var result = Consume(consumer, _held.PollTimeout(Batching, IdlePollTimeout, Time.GetUtcNow()));
                var now = Time.GetUtcNow();
                if (result is { IsPartitionEOF: false, Message: not null })
                {
                    _held.Add(result.TopicPartitionOffset, now);
                    Handle(result);
                }

                if (_held.FlushDue(Batching, idle: result is null, now))
                {
                    Flush(consumer, stoppingToken);
                }
                else if (result is null && _uncommitted.Count > 0 && now - _commitTriedAt >= CommitRetryInterval)
                {
                    Commit(consumer);
                }

                OnPoll(consumer);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            try
            {
                if (_held.Count > 0)
                {
                    StartFlush(CancellationToken.None);
                    FinishFlushWithin(consumer, ShutdownFlushBound, "shutting down");
                }

                if (_uncommitted.Count > 0)
                {
                    Commit(consumer);
                }
            }
            finally
            {
                consumer.Close();
                OnStopped();
            }
        }
    }

    private ConsumeResult<TKey, TValue>? Consume(IConsumer<TKey, TValue> consumer, TimeSpan timeout)
    {
        ConsumeResult<TKey, TValue>? result;
        try
        {
            result = consumer.Consume(timeout);
        }
        catch (ConsumeException ex) when (!ex.Error.IsFatal)
        {
            // E.g. the broker went away: librdkafka reconnects by itself; keep polling.
            logger.LogWarning("Reading {Topic} failed: {Reason}", Placement.Topic, ex.Error.Reason);
            result = null;
        }

        return _rewind.Count > 0 ? Rewind(consumer, result) : result;
    }

    /// <summary>
    /// After a revoke gave a batch up, the partitions this member keeps are read again from the batch's first message
    /// (a later commit must not skip it). Done once the callback has returned; a message polled past it is dropped.
    /// </summary>
    private ConsumeResult<TKey, TValue>? Rewind(IConsumer<TKey, TValue> consumer, ConsumeResult<TKey, TValue>? result)
    {
        var kept = _rewind.Where(offset => consumer.Assignment.Contains(offset.TopicPartition)).ToList();
        _rewind.Clear();
        foreach (var offset in kept)
        {
            consumer.Seek(offset);
        }

        return result is not null && kept.Any(offset => offset.TopicPartition == result.TopicPartition) ? null : result;
    }

    private void Place(IConsumer<TKey, TValue> consumer, ConsumerPlacement placement, CancellationToken stoppingToken)
    {
        if (placement.InGroup)
        {
            consumer.Subscribe(placement.Topic);
            logger.LogInformation("Consuming {Topic} in group {Group}", placement.Topic, placement.GroupId);
            OnPlaced(consumer, Array.Empty<TopicPartition>().ToLookup(partition => partition.Topic));
            return;
        }

        using var admin = kafka.CreateAdminClient();
        var partitions = AssignAtEndRetry(placement).Execute(_ => AssignAtEnd(consumer, admin, placement), stoppingToken)!;
        logger.LogInformation("Reading {Topic} from its end", placement.Topic);
        OnPlaced(consumer, partitions);
    }

    /// <summary>
    /// Every partition of the topic at its high watermark: explicit offsets, so the position is known once this returns.
    /// Null while a topic is missing.
    /// </summary>
    private static ILookup<string, TopicPartition>? AssignAtEnd(IConsumer<TKey, TValue> consumer, IAdminClient admin, ConsumerPlacement placement)
    {
        var partitions = admin.GetMetadata(MetadataTimeout).Topics
            .Where(topic => (topic.Topic == placement.Topic || placement.AlsoAwait.Contains(topic.Topic)) && topic.Error.Code == ErrorCode.NoError)
            .SelectMany(topic => topic.Partitions.Select(partition => new TopicPartition(topic.Topic, partition.PartitionId)))
            .ToLookup(partition => partition.Topic);
        if (!partitions[placement.Topic].Any() || placement.AlsoAwait.Any(topic => !partitions[topic].Any()))
        {
            return null;
        }

        consumer.Assign(partitions[placement.Topic].Select(partition =>
            new TopicPartitionOffset(partition, consumer.QueryWatermarkOffsets(partition, MetadataTimeout).High)));
        return partitions;
    }

    /// <summary>Until the broker answers and the topics exist, with backoff and jitter (API replicas start together).</summary>
    private ResiliencePipeline<ILookup<string, TopicPartition>?> AssignAtEndRetry(ConsumerPlacement placement) =>
        new ResiliencePipelineBuilder<ILookup<string, TopicPartition>?>()
            .AddRetry(new RetryStrategyOptions<ILookup<string, TopicPartition>?>
            {
                ShouldHandle = new PredicateBuilder<ILookup<string, TopicPartition>?>().Handle<KafkaException>().HandleResult(partitions => partitions is null),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromSeconds(1),
                MaxDelay = TimeSpan.FromSeconds(10),
                OnRetry = retry =>
                {
                    if (retry.Outcome.Exception is KafkaException ex)
                    {
                        logger.LogWarning("Broker not ready for {Topic} (attempt {Attempt}): {Reason}", placement.Topic, retry.AttemptNumber + 1, ex.Error.Reason);
                    }
                    else
                    {
                        logger.LogWarning("Topics {Topics} not found yet (attempt {Attempt})",
                            string.Join(", ", placement.AlsoAwait.Prepend(placement.Topic)), retry.AttemptNumber + 1);
                    }

                    return default;
                },
            })
            .Build();

    private void StartFlush(CancellationToken cancellationToken)
    {
        _flushCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _flush = FlushAsync(_flushCancel.Token);
    }

    private void Flush(IConsumer<TKey, TValue> consumer, CancellationToken stoppingToken)
    {
        StartFlush(stoppingToken);
        if (!_flush!.IsCompleted)
        {
            PollUntilFlushed(consumer);
        }

        if (_flush is not null)   // null when a revoke or a loss gave it up meanwhile
        {
            CompleteFlush(consumer);
        }
    }

    /// <summary>
    /// Polls until the flush completes, so that rebalance callbacks run and the member stays in its group. A message
    /// polled meanwhile is put back (seek), to be read again after the flush: the batch in flight is not touched.
    /// </summary>
    private void PollUntilFlushed(IConsumer<TKey, TValue> consumer)
    {
        while (_flush is { } flush && !Completes(flush, PollWhileFlushing))
        {
            if (Consume(consumer, TimeSpan.Zero) is { Message: not null } early)
            {
                consumer.Seek(early.TopicPartitionOffset);
            }
        }
    }

    /// <summary>Observes the completed flush (an exception, cancellation included, ends here) and commits its offsets.</summary>
    private void CompleteFlush(IConsumer<TKey, TValue> consumer)
    {
        var flush = _flush!;
        using var cancel = _flushCancel!;
        _flush = null;
        _flushCancel = null;
        flush.GetAwaiter().GetResult();

        long committing = Stopwatch.GetTimestamp();
        if (Placement.InGroup)
        {
            foreach (var offset in _held.NextOffsets)
            {
                _uncommitted[offset.TopicPartition] = offset;   // batches go in order: a later offset replaces an earlier one
            }

            Commit(consumer);
        }

        _held.Clear();
        OnFlushed(Stopwatch.GetElapsedTime(committing));
    }

    /// <summary>Waits at most <paramref name="bound"/> for the running flush, then commits, or gives the batch up uncommitted.</summary>
    private void FinishFlushWithin(IConsumer<TKey, TValue> consumer, TimeSpan bound, string why)
    {
        if (!Completes(_flush!, bound))
        {
            _flushCancel!.Cancel();
            Completes(_flush!, Timeout.InfiniteTimeSpan);   // the flush honours its token
            GiveUp($"{why}; not durable within {bound.TotalSeconds:0.#} s");
            return;
        }

        try
        {
            CompleteFlush(consumer);
        }
        catch (OperationCanceledException)
        {
            GiveUp($"{why}; the flush was cancelled");
        }
    }

    private void GiveUp(string why)
    {
        logger.LogWarning("Gave up {Count} messages uncommitted ({Why}): they will be read again", _held.Count, why);
        _rewind.AddRange(_held.FirstOffsets);
        _flushCancel?.Dispose();
        _flushCancel = null;
        _flush = null;
        Abandon();
        _held.Clear();
    }

    /// <summary>Commits the durable offsets not committed yet, of the partitions this consumer still owns.</summary>
    private void Commit(IConsumer<TKey, TValue> consumer)
    {
        _commitTriedAt = Time.GetUtcNow();
        var offsets = _uncommitted.Values.Where(offset => consumer.Assignment.Contains(offset.TopicPartition)).ToList();
        try
        {
            if (offsets.Count > 0)
            {
                consumer.Commit(offsets);
            }

            _uncommitted.Clear();
        }
        catch (KafkaException ex)
        {
            // Typically a rebalance in progress. If it takes the partitions, their new owner replays from the last
            // commit; if it leaves them here, the commit is retried once the loop is idle.
            logger.LogWarning("Offset commit failed, retrying while idle unless the partitions move: {Reason}", ex.Error.Reason);
        }
    }

    /// <summary>Before partitions move to another member: flush and commit what is held, within the session timeout.</summary>
    private void OnRevoked(IConsumer<TKey, TValue> consumer, int partitions)
    {
        if (_flush is null && _held.Count > 0)
        {
            StartFlush(CancellationToken.None);
        }

        if (_flush is not null)
        {
            FinishFlushWithin(consumer, _revokeBound, "partitions revoked");
        }

        if (_uncommitted.Count > 0)
        {
            Commit(consumer);   // the last chance: the partitions are still ours until this callback returns
        }

        _uncommitted.Clear();   // no longer ours: the new owner reads from the last commit
        OnPartitionsGone(PartitionsGone.Revoked, partitions);
    }

    /// <summary>Lost (e.g. the session timed out): someone else may already own them; nothing held can be committed.</summary>
    private void OnLost(int partitions)
    {
        logger.LogWarning("Lost {Count} partitions", partitions);
        if (_flush is not null)
        {
            _flushCancel!.Cancel();
            Completes(_flush, Timeout.InfiniteTimeSpan);
        }

        if (_flush is not null || _held.Count > 0)
        {
            GiveUp("partitions lost");
        }

        _uncommitted.Clear();
        OnPartitionsGone(PartitionsGone.Lost, partitions);
    }

    /// <summary>Whether <paramref name="task"/> completes (in any way) within <paramref name="timeout"/>; never throws its exception.</summary>
    private static bool Completes(Task task, TimeSpan timeout) => Task.WaitAny([task], timeout) == 0;
}
