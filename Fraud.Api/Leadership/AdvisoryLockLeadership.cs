using Npgsql;

namespace Fraud.Api.Leadership;

/// <summary>
/// Makes one API replica the one that does a job all replicas must not do at once (send the webhooks, train): the one
/// whose Postgres session holds a session-level advisory lock of that job's key.
/// <para>
/// Each replica that wants the job keeps a connection of its own (not pooled: a pooled one could return to the pool still
/// holding the lock) and every <see cref="CheckInterval"/> either tries
/// <c>pg_try_advisory_lock</c> on it or, once it holds the lock, checks on it that it still does. Postgres releases
/// the lock when the session ends, so a leader that stops, crashes or loses its connection hands over at the next
/// check of another replica. A leader cut off from Postgres gives up the job when its own check fails (within the
/// command timeout), before Postgres lets another replica take the lock (the session's TCP keepalives must fail first);
/// a job whose steps must never overlap (a webhook delivery) calls <see cref="ConfirmAsync"/> before each one.
/// </para>
/// </summary>
internal abstract class AdvisoryLockLeadership(IConfiguration configuration, string connectionName, TimeProvider time, ILogger logger)
    : BackgroundService
{
    private const int CommandTimeoutSeconds = 5;

    // The lock's session serves one command at a time: the periodic check and ConfirmAsync take turns.
    private readonly SemaphoreSlim _turn = new(1, 1);
    private NpgsqlConnection? _session;
    private volatile bool _leader;

    /// <summary>The job's advisory lock key: one per job, so different jobs may land on different replicas.</summary>
    protected abstract long LockKey { get; }

    /// <summary>What the leader is, for the logs ("the webhook notifier").</summary>
    protected abstract string Role { get; }

    protected abstract TimeSpan CheckInterval { get; }

    /// <summary>False when this replica has nothing to do as leader: it then never takes the lock.</summary>
    protected virtual bool Wanted => true;

    /// <summary>Called on every change, e.g. to export a gauge.</summary>
    protected abstract void OnLeaderChanged(bool leader);

    /// <summary>This replica held the lock at its last check.</summary>
    public bool IsLeader => _leader;

    /// <summary>Asks Postgres, on the lock's own session, whether this replica still holds the lock.</summary>
    public async Task<bool> ConfirmAsync(CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken);
        try
        {
            return _leader && await TryAsync(HoldsLockAsync, cancellationToken);
        }
        finally
        {
            _turn.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Wanted)
        {
            return;
        }
        using var timer = new PeriodicTimer(CheckInterval, time);
        try
        {
            do
            {
                await _turn.WaitAsync(stoppingToken);
                try
                {
                    await TryAsync(_leader ? HoldsLockAsync : TakeLockAsync, stoppingToken);
                }
                finally
                {
                    _turn.Release();
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // Closing the session releases the lock at once: another replica takes over at its next check.
            await _turn.WaitAsync(CancellationToken.None);
            await CloseSessionAsync("this replica is stopping");
            _turn.Release();
        }
    }

    /// <summary>Runs one step on the session (opened if needed); any failure ends the session, and with it the lock.</summary>
    private async Task<bool> TryAsync(Func<NpgsqlConnection, CancellationToken, Task<bool>> step, CancellationToken cancellationToken)
    {
        try
        {
            _session ??= await OpenSessionAsync(cancellationToken);
            bool leader = await step(_session, cancellationToken);
            if (leader != _leader)
            {
                if (leader)
                {
                    SetLeader(true);
                    logger.LogInformation("This replica is now {Role}", Role);
                }
                else
                {
                    await CloseSessionAsync("the lock is no longer held");
                }
            }
            return leader;
        }
        catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException
            || ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            await CloseSessionAsync($"its database session failed: {ex.Message}");
            return false;
        }
    }

    private async Task<NpgsqlConnection> OpenSessionAsync(CancellationToken cancellationToken)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(configuration.GetConnectionString(connectionName))
        {
            Pooling = false,
            Timeout = CommandTimeoutSeconds,
            CommandTimeout = CommandTimeoutSeconds,
            // Postgres keeps a session, and its lock, until it notices the client is gone: after ~25 s of silence
            // rather than the operating system's default of hours.
            Options = "-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3",
        };
        var session = new NpgsqlConnection(connectionString.ConnectionString);
        try
        {
            await session.OpenAsync(cancellationToken);
            return session;
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    private async Task<bool> TakeLockAsync(NpgsqlConnection session, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", session) { Parameters = { new() { Value = LockKey } } };
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    // pg_locks shows a bigint advisory key as its high half (classid) and low half (objid), with objsubid 1.
    private async Task<bool> HoldsLockAsync(NpgsqlConnection session, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT EXISTS (SELECT FROM pg_locks
                           WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted AND objsubid = 1
                             AND ((classid::bigint << 32) | objid::bigint) = $1)
            """, session);
        command.Parameters.Add(new NpgsqlParameter { Value = LockKey });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private async Task CloseSessionAsync(string whyLeadershipEnds)
    {
        if (_leader)
        {
            SetLeader(false);
            logger.LogInformation("This replica is no longer {Role}: {Reason}", Role, whyLeadershipEnds);
        }
        if (_session is { } session)
        {
            _session = null;
            await session.DisposeAsync();
        }
    }

    private void SetLeader(bool leader)
    {
        _leader = leader;
        OnLeaderChanged(leader);
    }

    public override void Dispose()
    {
        _turn.Dispose();
        base.Dispose();
    }
}
