using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Fraud.LocalKafka;

/// <summary>
/// Accepts TCP connections on a fixed local end point and pipes each one, both ways, to a target end point
/// (the mock broker's random port). A connection ends as a whole when either side closes.
/// <para>
/// For fault tests the forwarder can simulate the broker's network going away (<see cref="Cut"/>): every forwarded
/// connection is dropped and new ones are closed as soon as they arrive, until <see cref="Restore"/>. The mock
/// cluster behind it keeps running, so no message or committed offset is lost, as with a network partition.
/// </para>
/// </summary>
internal sealed class TcpForwarder : IAsyncDisposable
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(2);

    // The mock broker listens with a backlog of 5 and accepts on the single thread that also serves all its
    // connections, so a burst of connects overflows its queue: dropped SYNs cost 1-3 s retries and some
    // connections stall for a minute and are reset. So only a few connections at a time may be "connected
    // but not yet answered" by the mock; the rest wait here (our backlog is large).
    private const int MaxUnansweredConnections = 4;
    private static readonly TimeSpan MaxAdmissionHold = TimeSpan.FromSeconds(1);

    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly SemaphoreSlim _admission = new(MaxUnansweredConnections);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Task, byte> _connections = new();
    private readonly Lock _outageLock = new();
    private CancellationTokenSource? _outage;
    private Task _acceptLoop = Task.CompletedTask;

    private TcpForwarder(TcpListener listener, IPEndPoint target)
    {
        _listener = listener;
        _target = target;
    }

    public IPEndPoint ListenEndPoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <exception cref="InvalidOperationException">The listen end point cannot be bound.</exception>
    public static TcpForwarder Start(IPEndPoint listenEndPoint, IPEndPoint target)
    {
        var listener = new TcpListener(listenEndPoint);
        try
        {
            listener.Start(backlog: 512);
        }
        catch (SocketException ex)
        {
            listener.Dispose();
            throw new InvalidOperationException($"Cannot listen on {listenEndPoint}: {ex.Message}", ex);
        }

        var forwarder = new TcpForwarder(listener, target);
        forwarder.Restore();
        forwarder._acceptLoop = forwarder.AcceptLoopAsync();
        return forwarder;
    }

    private async Task AcceptLoopAsync()
    {
        CancellationToken stopping = _stopping.Token;
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(stopping);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (SocketException ex)
            {
                // A client that gave up while queued; the listener itself is still fine.
                await Console.Error.WriteLineAsync($"LocalKafka: accept failed: {ex.Message}");
                continue;
            }

            CancellationToken outage;
            lock (_outageLock)
            {
                if (_outage is null)
                {
                    // Cut: accept and close at once, which a client sees as the broker dropping it (a refusal
                    // would never reach it anyway: the AppHost's proxy accepts on our behalf).
                    client.Dispose();
                    continue;
                }

                outage = _outage.Token;
            }

            Task connection = ForwardAsync(client, stopping, outage);
            _connections.TryAdd(connection, 0);
            _ = connection.ContinueWith(done => _connections.TryRemove(done, out _), TaskScheduler.Default);
        }
    }

    /// <summary>Drops every forwarded connection and refuses new ones until <see cref="Restore"/>; returns how many were dropped.</summary>
    public int Cut()
    {
        CancellationTokenSource? outage;
        lock (_outageLock)
        {
            outage = _outage;
            _outage = null;
        }

        // Not disposed: a connection accepted just before may still link to its (cancelled) token.
        int dropped = _connections.Count;
        outage?.Cancel();
        return outage is null ? 0 : dropped;
    }

    /// <summary>Forwards new connections again after <see cref="Cut"/>; clients reconnect by themselves.</summary>
    public void Restore()
    {
        lock (_outageLock)
        {
            _outage ??= new CancellationTokenSource();
        }
    }

    private async Task ForwardAsync(Socket client, CancellationToken stopping, CancellationToken outage)
    {
        await using var clientStream = new NetworkStream(client, ownsSocket: true);
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(stopping, outage);
        try
        {
            // Kafka clients send many small requests and wait for each answer: never delay small segments.
            client.NoDelay = true;
            using var upstream = new Socket(_target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            using Admission admission = await Admission.WaitAsync(_admission, MaxAdmissionHold, connection.Token);
            await upstream.ConnectAsync(_target, connection.Token);
            await using var upstreamStream = new NetworkStream(upstream, ownsSocket: true);

            Task requests = clientStream.CopyToAsync(upstreamStream, connection.Token);
            Task responses = CopyResponsesAsync(upstreamStream, clientStream, admission, connection.Token);
            await Task.WhenAny(requests, responses);

            // One side closed or failed: stop the other direction too, then let the streams close both sockets.
            await connection.CancelAsync();
            await Task.WhenAll(requests, responses);
        }
        catch (Exception ex) when (IsDisconnect(ex))
        {
            // Resets, aborts and shutdown are how connections normally end here.
        }
        catch (SocketException ex)
        {
            await Console.Error.WriteLineAsync($"LocalKafka: cannot reach the mock broker at {_target}: {ex.Message}");
        }
    }

    /// <summary>Copies the mock's answers to the client, ending the admission once the first one arrives.</summary>
    private static async Task CopyResponsesAsync(NetworkStream upstream, NetworkStream client, Admission admission, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read = await upstream.ReadAsync(buffer, cancellationToken);
            admission.Dispose();
            if (read == 0)
            {
                return;
            }

            await client.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        await upstream.CopyToAsync(client, cancellationToken);
    }

    private static bool IsDisconnect(Exception ex) =>
        ex is OperationCanceledException or IOException or ObjectDisposedException
        || ex is SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.OperationAborted or SocketError.Shutdown };

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        await _acceptLoop;
        try
        {
            await Task.WhenAll(_connections.Keys).WaitAsync(DrainTimeout);
        }
        catch (TimeoutException)
        {
            await Console.Error.WriteLineAsync($"LocalKafka: {_connections.Count} connection(s) still closing after {DrainTimeout.TotalSeconds} s.");
        }

        _listener.Dispose();
        _stopping.Dispose();
        _outage?.Dispose();

        // _admission is not disposed: a late Admission timer may still release it, and a SemaphoreSlim only
        // needs disposing when its AvailableWaitHandle was used.
    }

    /// <summary>
    /// One slot of <see cref="MaxUnansweredConnections"/>, held from connecting upstream until the mock's
    /// first answer, or at most <c>maxHold</c> (for a client that connects and says nothing, e.g. a probe).
    /// </summary>
    private sealed class Admission : IDisposable
    {
        private readonly SemaphoreSlim _slots;
        private readonly Timer _timeout;
        private int _released;

        private Admission(SemaphoreSlim slots, TimeSpan maxHold)
        {
            _slots = slots;
            _timeout = new Timer(static state => ((Admission)state!).Dispose(), this, maxHold, Timeout.InfiniteTimeSpan);
        }

        public static async Task<Admission> WaitAsync(SemaphoreSlim slots, TimeSpan maxHold, CancellationToken cancellationToken)
        {
            await slots.WaitAsync(cancellationToken);
            return new Admission(slots, maxHold);
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                _timeout.Dispose();
                _slots.Release();
            }
        }
    }
}
