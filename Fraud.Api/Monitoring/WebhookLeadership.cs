using Microsoft.Extensions.Options;
using Npgsql;

namespace Fraud.Api.Monitoring;

/// <summary>
/// Makes one API replica the webhook notifier: the one whose Postgres session holds a session-level advisory lock.
/// <para>
/// Each replica with webhooks keeps a connection of its own (not pooled: a pooled one could return to the pool still
/// holding the lock) and every <see cref="AlertingOptions.LeaderCheckInterval"/> either tries
/// <c>pg_try_advisory_lock</c> on it or, once it holds the lock, checks on it that it still does. Postgres releases
/// the lock when the session ends, so a leader that stops, crashes or loses its connection hands over at the next
/// check of another replica. A leader cut off from Postgres stops sending when its own check fails (within the
/// command timeout), before Postgres lets another replica take the lock (the session's TCP keepalives must fail first);
/// <see cref="ConfirmAsync"/> repeats the check before each delivery attempt, so the two do not overlap.
/// </para>
/// </summary>
internal sealed class WebhookLeadership(
    IConfiguration configuration, string connectionName, IOptions<AlertingOptions> options, AlertingMetrics metrics, TimeProvider time,
    ILogger<WebhookLeadership> logger) : BackgroundService
{
    private const long LockKey = 0x46524155445F5748; // "FRAUD_WH"
    private const int CommandTimeoutSeconds = 5;

    // The lock's session serves one command at a time: the periodic check and ConfirmAsync take turns.
    private readonly SemaphoreSlim _turn = new(1, 1);
    private NpgsqlConnection? _session;
    private volatile bool _leader;

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
        if (!options.Value.Enabled || options.Value.Webhooks.Length == 0)
        {
            return; // nothing to send: this replica never needs the lock
        }
        using var timer = new PeriodicTimer(options.Value.LeaderCheckInterval, time);
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
                    logger.LogInformation("This replica is now the webhook notifier");
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

    private static async Task<bool> TakeLockAsync(NpgsqlConnection session, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", session) { Parameters = { new() { Value = LockKey } } };
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    // pg_locks shows a bigint advisory key as its high half (classid) and low half (objid), with objsubid 1.
    private static async Task<bool> HoldsLockAsync(NpgsqlConnection session, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT EXISTS (SELECT FROM pg_locks
                           WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted AND objsubid = 1
                             AND ((classid::bigint << 32) | objid::bigint) = $1)
            """, session) { Parameters = { new() { Value = LockKey } } };
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private async Task CloseSessionAsync(string whyLeadershipEnds)
    {
        if (_leader)
        {
            SetLeader(false);
            logger.LogInformation("This replica is no longer the webhook notifier: {Reason}", whyLeadershipEnds);
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
        metrics.Leader(leader);
    }

    public override void Dispose()
    {
        _turn.Dispose();
        base.Dispose();
    }
}
