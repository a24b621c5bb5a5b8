using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Fraud.LocalKafka;

/// <summary>
/// Accepts TCP connections on a fixed local end point and pipes each one, both ways, to a target end point
/// (the mock broker's random port). A connection ends as a whole when either side closes.
/// </summary>
internal sealed class TcpForwarder : IAsyncDisposable
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(2);

    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Task, byte> _connections = new();
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

            Task connection = ForwardAsync(client, stopping);
            _connections.TryAdd(connection, 0);
            _ = connection.ContinueWith(done => _connections.TryRemove(done, out _), TaskScheduler.Default);
        }
    }

    private async Task ForwardAsync(Socket client, CancellationToken stopping)
    {
        await using var clientStream = new NetworkStream(client, ownsSocket: true);
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        try
        {
            // Kafka clients send many small requests and wait for each answer: never delay small segments.
            client.NoDelay = true;
            using var upstream = new Socket(_target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await upstream.ConnectAsync(_target, connection.Token);
            await using var upstreamStream = new NetworkStream(upstream, ownsSocket: true);
            Task requests = clientStream.CopyToAsync(upstreamStream, connection.Token);
            Task responses = upstreamStream.CopyToAsync(clientStream, connection.Token);
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
    }
}
