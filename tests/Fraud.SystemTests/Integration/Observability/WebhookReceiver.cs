using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Fraud.SystemTests.Integration.Observability;

/// <summary>One request a <see cref="WebhookReceiver"/> accepted.</summary>
internal sealed record ReceivedWebhook(string? Signature, string? Timestamp, string? ContentType, byte[] Body);

/// <summary>
/// A webhook endpoint on 127.0.0.1 for tests: records every POST it accepts (200). It can refuse the first
/// <paramref name="failFirst"/> requests with a 503, as a receiver that is briefly down would.
/// </summary>
internal sealed class WebhookReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<ReceivedWebhook> _accepted = new();
    private readonly Task _loop;
    private int _toFail;
    private int _refused;

    public WebhookReceiver(int failFirst = 0)
    {
        _toFail = failFirst;
        Url = $"http://127.0.0.1:{FreePort()}/hooks/fraud/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public string Url { get; }

    public IReadOnlyList<ReceivedWebhook> Accepted => [.. _accepted];

    public int Refused => Volatile.Read(ref _refused);

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return; // stopped
            }
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            if (Interlocked.Decrement(ref _toFail) >= 0)
            {
                Interlocked.Increment(ref _refused);
                context.Response.StatusCode = 503;
            }
            else
            {
                _accepted.Enqueue(new ReceivedWebhook(context.Request.Headers["X-Fraud-Signature"], context.Request.Headers["X-Fraud-Timestamp"],
                    context.Request.ContentType, body.ToArray()));
                context.Response.StatusCode = 200;
            }
            context.Response.Close();
        }
    }

    /// <summary>A loopback port nothing listens on (at the time of asking).</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
