using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Fraud.Messaging;

/// <summary>
/// The one consume loop of the system; a service says what it reads (<see cref="Placement"/>), what it does with each
/// message (<see cref="Handle"/>), what it does when a batch closes (<see cref="Close"/>) and how it makes that durable
/// (<see cref="FlushAsync"/>).
/// <para>
/// The loop runs on a thread of its own, not the pool's: <c>Consume</c> blocks, and the client runs the rebalance
/// callbacks on the thread that polls, which cannot await. So the loop is synchronous and waits for a flush; while it
/// waits it keeps polling (putting back what it reads), so that a flush that takes long (a sink retrying through an
/// outage) neither stalls a rebalance nor gets the member evicted for not polling.
/// </para>
/// <para>
/// With <see cref="Overlap"/>, the loop goes on reading and closing batches while a flush runs (one flush at a time,
/// taking every batch closed meanwhile, so batches become durable in order) until too many are in flight. Commits run
/// beside the flushes, one at a time, once per commit interval: a commit captures every batch closed so far (and the
/// handler, on the loop's thread, the state it keeps beside their offsets: <see cref="CaptureForCommit"/>); once they
/// are durable, the handler saves that state off the loop's thread, then the loop's thread commits.
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
    // A poll cannot be woken by a flush that completes, so while one runs the loop polls in short steps.
    private static readonly TimeSpan PollBesideFlush = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(5);

    private HeldMessages _open = new();
    private readonly PendingBatches _pending = new();
    private Running? _flush;
    private Running? _commit;
    private TimeSpan _revokeBound;
    private readonly List<TopicPartitionOffset> _rewind = [];
    // Durable offsets whose commit failed (a rebalance in progress): retried while idle, for the partitions still owned.
    private readonly Dictionary<TopicPartition, TopicPartitionOffset> _uncommitted = [];
    // Durable offsets of revoked partitions whose commit the broker refused during the revoke (the group already
    // rebalancing again): committed as soon as the group is stable, before their new owner has read much; given up
    // after three session timeouts (a few rebalances), when the new owner may have committed further.
    private readonly Dictionary<TopicPartition, TopicPartitionOffset> _owedByRevoke = [];
    private DateTimeOffset _owedSince;
    // The client follows each revoke with an assignment in the same generation, before it rejoins: not yet stable.
    private bool _revokeNotFollowed;
    private DateTimeOffset _commitTriedAt;
    private DateTimeOffset _committedAt;

    protected TimeProvider Time { get; } = time ?? TimeProvider.System;

    protected ILogger Logger => logger;

    /// <summary>What the loop reads, and whether in a group.</summary>
    protected abstract ConsumerPlacement Placement { get; }

    /// <summary>When a batch closes; by default each message on its own.</summary>
    protected virtual Batching Batching => Batching.PerMessage;

    /// <summary>How far reading may run ahead of the sinks; by default not at all.</summary>
    protected virtual Overlap Overlap => Overlap.None;

    /// <summary>How long a poll waits when nothing is held: the longest <see cref="OnPoll"/> may wait for its turn.</summary>
    protected virtual TimeSpan IdlePollTimeout => TimeSpan.FromMilliseconds(500);

    protected virtual bool Enabled => true;

    /// <summary>When the oldest message of the open batch was handled; null when none is held.</summary>
    protected DateTimeOffset? HeldSince => _open.Since;

    /// <summary>Takes one message into the open batch. Runs on the loop's thread.</summary>
    protected abstract void Handle(ConsumeResult<TKey, TValue> message);

    /// <summary>The open batch closes: it waits for the next flush. Runs on the loop's thread.</summary>
    protected virtual void Close()
    {
    }

    /// <summary>
    /// Makes every batch closed since the last flush durable; their offsets are committed after this completes. Called
    /// on the loop's thread, which may go on handling messages as soon as this returns its task: take the batches before
    /// the first await. Must stop when <paramref name="cancellationToken"/> is cancelled: that is how a revoke or a
    /// shutdown gives the batches up.
    /// </summary>
    protected virtual Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Every batch closed so far is to be committed together (once all are durable): a handler that keeps state beside
    /// the offsets (e.g. checkpoints of what it decided) captures it now, as those batches left it. Runs on the loop's
    /// thread, never while a commit runs; <see cref="BeforeCommitAsync"/> then saves what it captured.
    /// </summary>
    protected virtual void CaptureForCommit()
    {
    }

    /// <summary>
    /// Before the commit of the captured batches, which are durable now: a handler that keeps state beside the offsets
    /// makes what it captured durable. Called on the loop's thread and may run beside the next flush: take what it writes
    /// before the first await. Must honour its token, as a flush does.
    /// </summary>
    protected virtual Task BeforeCommitAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>After a flush completes. Runs on the loop's thread.</summary>
    protected virtual void OnFlushed()
    {
    }

    /// <summary>After offsets were committed; <paramref name="committing"/> is how long the commit took.</summary>
    protected virtual void OnCommitted(TimeSpan committing)
    {
    }

    /// <summary>Drops every batch not committed yet (open, closed, durable) without making more durable: the next owner replays it.</summary>
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
                // The host stops with it (BackgroundServiceExceptionBehavior.StopHost): say why first, in the service's own log.
                logger.LogError(ex, "The consume loop of {Topic} stopped on an error; the service stops", Placement.Topic);
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
            builder.SetPartitionsAssignedHandler((consumer, _) => OnAssigned(consumer))
                .SetPartitionsRevokedHandler((consumer, revoked) => OnRevoked(consumer, revoked))
                .SetPartitionsLostHandler((_, lost) => OnLost(lost.Count));
        }

        using var consumer = builder.Build();
        _committedAt = Time.GetUtcNow();
        try
        {
            Place(consumer, placement, stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                Turn(consumer);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            try
            {
                DrainWithin(consumer, ShutdownFlushBound, "shutting down");
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

    /// <summary>One turn: observe a finished flush, start the next, read a message (unless too much is in flight), close the batch when due.</summary>
    private void Turn(IConsumer<TKey, TValue> consumer)
    {
        if (_flush is { Task.IsCompleted: true })
        {
            CompleteFlush();
        }

        if (_commit is { Task.IsCompleted: true })
        {
            CompleteCommit(consumer);
        }

        var now = Time.GetUtcNow();
        if (_commit is null && !_pending.AnyCaptured && _pending.AnyUncaptured && now - _committedAt >= Overlap.CommitInterval)
        {
            Capture();
        }

        // Not cancelled by the stopping token: a shutdown waits for them a while (DrainWithin), then gives them up.
        if (_commit is null && _pending.CapturedDurable)
        {
            StartCommit(consumer);
        }

        if (_flush is null && _pending.AnyWaiting)
        {
            StartFlush();
        }

        if (_flush is not null && _pending.NotDurable >= Overlap.MaxBatchesInFlight)
        {
            PollUntilFlushed(consumer);
            return;
        }

        var result = Consume(consumer, PollTimeout(now));
        now = Time.GetUtcNow();
        if (result is { IsPartitionEOF: false, Message: not null })
        {
            _open.Add(result.TopicPartitionOffset, now);
            Handle(result);
        }

        if (_open.FlushDue(Batching, idle: result is null, now))
        {
            CloseOpenBatch();
        }
        else if (result is null && _flush is null && _commit is null && _uncommitted.Count > 0 && now - _commitTriedAt >= CommitRetryInterval)
        {
            Commit(consumer);
        }

        OnPoll(consumer);
    }

    private TimeSpan PollTimeout(DateTimeOffset now)
    {
        var timeout = _open.PollTimeout(Batching, IdlePollTimeout, now);
        if (_flush is not null || _commit is not null)
        {
            return timeout < PollBesideFlush ? timeout : PollBesideFlush;
        }

        if (!_pending.AnyCaptured && _pending.AnyUncaptured)
        {
            var commitIn = Overlap.CommitInterval - (now - _committedAt);
            return TimeSpan.FromTicks(Math.Clamp(commitIn.Ticks, 0, timeout.Ticks));
        }

        return timeout;
    }

    private void CloseOpenBatch()
    {
        Close();
        _pending.Close(_open);
        _open = new HeldMessages();
    }

    private ConsumeResult<TKey, TValue>? Consume(IConsumer<TKey, TValue> consumer, TimeSpan timeout)
    {
        ConsumeResult<TKey, TValue>? result;
        try
        {
            result = consumer.Consume(timeout);
        }
        catch (KafkaException ex) when (!ex.Error.IsFatal)
        {
            // E.g. the broker went away (librdkafka reconnects by itself), or the client refused to change its assignment
            // at the end of a rebalance callback because the group moved on meanwhile (it rejoins by itself): keep polling.
            logger.LogWarning("Reading {Topic} failed: {Reason}", Placement.Topic, ex.Error.Reason);
            result = null;
        }

        return _rewind.Count > 0 ? Rewind(consumer, result) : result;
    }

    /// <summary>
    /// After a revoke gave batches up, the partitions this member keeps are read again from the oldest message given up
    /// (a later commit must not skip it). Done once the callback has returned; a message polled past it is dropped.
    /// </summary>
    private ConsumeResult<TKey, TValue>? Rewind(IConsumer<TKey, TValue> consumer, ConsumeResult<TKey, TValue>? result)
    {
        var kept = _rewind.Where(offset => consumer.Assignment.Contains(offset.TopicPartition)).ToList();
        _rewind.Clear();
        foreach (var offset in kept)
        {
            TrySeek(consumer, offset);
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

    /// <summary>Starts a flush of every closed batch.</summary>
    private void StartFlush()
    {
        _pending.StartFlush();
        var cancel = new CancellationTokenSource();
        _flush = new Running(FlushAsync(cancel.Token), cancel, []);
    }

    /// <summary>Observes the completed flush; an exception, cancellation included, ends here.</summary>
    private void CompleteFlush()
    {
        var flush = _flush!;
        _flush = null;
        using var cancel = flush.Cancel;
        if (flush.Task.IsFaulted)
        {
            // Not a cancellation: a bug or a sink that gave up. Nothing of it may be committed, not even at shutdown.
            GiveUp("the flush failed");
        }

        flush.Task.GetAwaiter().GetResult();
        _pending.FlushCompleted();
        OnFlushed();
    }

    /// <summary>The next commit takes every batch closed so far; the handler captures what it keeps beside their offsets.</summary>
    private void Capture()
    {
        _pending.Capture();
        CaptureForCommit();
    }

    /// <summary>
    /// Starts the commit of the captured batches, all durable: the handler's <see cref="BeforeCommitAsync"/> runs beside the next flush;
    /// once it completes, the loop's thread commits the offsets (<see cref="CompleteCommit"/>), so the client is used
    /// from that thread only.
    /// </summary>
    private void StartCommit(IConsumer<TKey, TValue> consumer)
    {
        var durable = _pending.StartCommit();
        IReadOnlyList<TopicPartitionOffset> offsets = [];
        if (Placement.InGroup)
        {
            var merged = new Dictionary<TopicPartition, TopicPartitionOffset>(_uncommitted);
            foreach (var offset in durable)
            {
                merged[offset.TopicPartition] = offset;   // a later offset replaces an earlier one
            }

            offsets = [.. merged.Values];
        }

        var cancel = new CancellationTokenSource();
        _commit = new Running(BeforeCommitAsync(cancel.Token), cancel, offsets);
    }

    /// <summary>
    /// Once the handler's state is saved, commits the offsets on the loop's thread; its batches leave. Offsets it could
    /// not commit (a rebalance in progress) are retried while idle.
    /// </summary>
    private void CompleteCommit(IConsumer<TKey, TValue> consumer)
    {
        var commit = _commit!;
        _commit = null;
        using var cancel = commit.Cancel;
        if (commit.Task.IsFaulted)
        {
            // The state the handler keeps beside the offsets could not be saved: nothing after the last commit may be committed.
            GiveUp("the state saved before the commit failed");
        }

        commit.Task.GetAwaiter().GetResult();   // rethrows what the handler threw, a cancellation included
        _pending.CommitCompleted();
        _committedAt = Time.GetUtcNow();
        foreach (var offset in commit.Offsets)
        {
            _uncommitted[offset.TopicPartition] = offset;
        }

        if (_uncommitted.Count > 0)
        {
            long started = Stopwatch.GetTimestamp();
            Commit(consumer);
            if (_uncommitted.Count == 0)
            {
                OnCommitted(Stopwatch.GetElapsedTime(started));
            }
        }
    }

    /// <summary>
    /// Flushes and commits everything held, the open batch included, within <paramref name="bound"/>; past it (or when
    /// cancelled) gives it all up uncommitted. Used where the loop cannot poll: a revoke, a shutdown.
    /// </summary>
    private void DrainWithin(IConsumer<TKey, TValue> consumer, TimeSpan bound, string why)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(bound.TotalSeconds * Stopwatch.Frequency);
        if (_open.Count > 0)
        {
            CloseOpenBatch();
        }

        while (_flush is not null || _commit is not null || !_pending.IsEmpty)
        {
            if (_flush is null && _pending.AnyWaiting)
            {
                StartFlush();
            }

            if (_commit is null && !_pending.AnyCaptured && _pending.AnyUncaptured)
            {
                Capture();
            }

            if (_commit is null && _pending.CapturedDurable)
            {
                StartCommit(consumer);
            }

            var running = (_flush ?? _commit)!.Task;   // the flush first: the commit that follows needs it
            var left = TimeSpan.FromSeconds(Math.Max(0, deadline - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency);
            if (!Completes(running, left))
            {
                GiveUp($"{why}; not durable within {bound.TotalSeconds:0.#} s");
                return;
            }

            try
            {
                if (_flush is { Task.IsCompleted: true })
                {
                    CompleteFlush();
                }

                if (_commit is { Task.IsCompleted: true })
                {
                    CompleteCommit(consumer);
                }
            }
            catch (OperationCanceledException)
            {
                GiveUp($"{why}; cancelled");
                return;
            }
        }
    }

    /// <summary>Cancels the running flush and commit and waits for them to stop (they honour their tokens).</summary>
    private void StopRunning()
    {
        foreach (var running in new[] { _flush, _commit })
        {
            if (running is not null)
            {
                running.Cancel.Cancel();
                Completes(running.Task, Timeout.InfiniteTimeSpan);
                running.Cancel.Dispose();
            }
        }

        _flush = null;
        _commit = null;
    }

    private void GiveUp(string why)
    {
        StopRunning();
        logger.LogWarning("Gave up {Count} messages uncommitted ({Why}): they will be read again", _pending.Count + _open.Count, why);
        _rewind.AddRange(_pending.FirstOffsets(_open));
        Abandon();
        _pending.Clear();
        _open.Clear();
    }

    /// <summary>
    /// Polls until the flush completes, so that rebalance callbacks run and the member stays in its group. A message
    /// polled meanwhile is put back (seek), to be read again after the flush.
    /// </summary>
    private void PollUntilFlushed(IConsumer<TKey, TValue> consumer)
    {
        while (_flush is { } flush && !Completes(flush.Task, PollWhileFlushing))
        {
            if (Consume(consumer, TimeSpan.Zero) is { Message: not null } early)
            {
                TrySeek(consumer, early.TopicPartitionOffset);
            }
        }
    }

    /// <summary>
    /// Puts a partition's position back. The client refuses when the partition is no longer being fetched (a rebalance
    /// just took it): then whoever reads it next starts from its last commit, which is no later than this offset.
    /// </summary>
    private void TrySeek(IConsumer<TKey, TValue> consumer, TopicPartitionOffset offset)
    {
        try
        {
            consumer.Seek(offset);
        }
        catch (KafkaException ex) when (!ex.Error.IsFatal)
        {
            logger.LogWarning("Could not read {Partition} again from {Offset}: {Reason}", offset.TopicPartition, offset.Offset, ex.Error.Reason);
        }
    }

    /// <summary>Commits the durable offsets not committed yet, of the partitions this consumer still owns, on the loop's thread.</summary>
    private void Commit(IConsumer<TKey, TValue> consumer)
    {
        _commitTriedAt = Time.GetUtcNow();
        if (TryCommit(consumer, [.. _uncommitted.Values]))
        {
            _uncommitted.Clear();
        }
    }

    private bool TryCommit(IConsumer<TKey, TValue> consumer, IReadOnlyList<TopicPartitionOffset> offsets)
    {
        var owned = offsets.Where(offset => consumer.Assignment.Contains(offset.TopicPartition)).ToList();
        try
        {
            if (owned.Count > 0)
            {
                consumer.Commit(owned);
            }

            return true;
        }
        catch (KafkaException ex)
        {
            // Typically a rebalance in progress. If it takes the partitions, their new owner replays from the last
            // commit; if it leaves them here, the commit is retried once the loop is idle.
            logger.LogWarning("Offset commit failed, retrying while idle unless the partitions move: {Reason}", ex.Error.Reason);
            return false;
        }
    }

    /// <summary>
    /// Before partitions move to another member: flush and commit everything held, within the session timeout. The
    /// commit is tried once: a broker that refuses it is already rebalancing again and waits for this member to rejoin,
    /// which it does only once this callback returns, so retrying here would stall the whole group. What it refused
    /// is committed when the group is stable again (<see cref="OnAssigned"/>).
    /// </summary>
    private void OnRevoked(IConsumer<TKey, TValue> consumer, List<TopicPartitionOffset> revoked)
    {
        DrainWithin(consumer, _revokeBound, "partitions revoked");
        if (_uncommitted.Count > 0)
        {
            Commit(consumer);
        }

        foreach (var partition in revoked.Select(offset => offset.TopicPartition))
        {
            if (_uncommitted.Remove(partition, out var owed))
            {
                _owedByRevoke[partition] = owed;
                _owedSince = Time.GetUtcNow();
            }
        }

        _revokeNotFollowed = true;
        OnPartitionsGone(PartitionsGone.Revoked, revoked.Count);
    }

    /// <summary>
    /// A rebalance completed: the group is stable and this member in it. Commits what the broker refused while it
    /// rebalanced: the revoked partitions' durable offsets (their new owner replays only what it read before this
    /// commit landed) and those of the partitions kept. Refused again (the group rebalancing once more), they wait for
    /// the next stable group, the kept ones also for the loop's retry while idle.
    /// </summary>
    private void OnAssigned(IConsumer<TKey, TValue> consumer)
    {
        if (_revokeNotFollowed)
        {
            _revokeNotFollowed = false;
            return;
        }

        // A rebalance round can take up to a session timeout (the local broker waits that long for members to rejoin).
        if (_owedByRevoke.Count > 0 && Time.GetUtcNow() - _owedSince > 3 * _revokeBound)
        {
            logger.LogWarning("Gave up committing {Count} revoked partitions: their new owner replays from the last commit", _owedByRevoke.Count);
            _owedByRevoke.Clear();
        }

        if (_owedByRevoke.Count == 0 && _uncommitted.Count == 0)
        {
            return;
        }

        _commitTriedAt = Time.GetUtcNow();
        try
        {
            consumer.Commit([.. _owedByRevoke.Values, .. _uncommitted.Values]);
            _owedByRevoke.Clear();
            _uncommitted.Clear();
        }
        catch (KafkaException ex)
        {
            logger.LogWarning("Offset commit after a rebalance failed, retrying when the group is stable again: {Reason}", ex.Error.Reason);
        }
    }

    /// <summary>Lost (e.g. the session timed out): someone else may already own them; nothing held can be committed.</summary>
    private void OnLost(int partitions)
    {
        logger.LogWarning("Lost {Count} partitions", partitions);
        if (_flush is not null || _commit is not null || !_pending.IsEmpty || _open.Count > 0)
        {
            GiveUp("partitions lost");
        }

        _uncommitted.Clear();
        _owedByRevoke.Clear();   // others may have read and committed past them meanwhile
        _revokeNotFollowed = false;
        OnPartitionsGone(PartitionsGone.Lost, partitions);
    }

    /// <summary>Whether <paramref name="task"/> completes (in any way) within <paramref name="timeout"/>; never throws its exception.</summary>
    private static bool Completes(Task task, TimeSpan timeout) => Task.WaitAny([task], timeout) == 0;

    /// <param name="Offsets">What a commit commits (empty for a flush).</param>
    private sealed record Running(Task Task, CancellationTokenSource Cancel, IReadOnlyList<TopicPartitionOffset> Offsets);

}
