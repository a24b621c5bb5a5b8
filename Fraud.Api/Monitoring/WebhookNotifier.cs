using System.Net.Http.Headers;
using System.Threading.Channels;
using Fraud.Core.Alerting;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace Fraud.Api.Monitoring;

/// <summary>
/// Delivers the alarm's notifications to every configured webhook. Each URL has its own bounded queue and sender,
/// so a slow or dead receiver delays only itself, notifications reach each receiver in order (a "resolved" never
/// overtakes its "firing"), and <see cref="Enqueue"/> never waits: the monitor that calls it keeps counting.
/// A failed attempt (no answer, a timeout, a non-2xx status) is retried (Polly: exponential backoff with jitter, so
/// replicas and receivers do not retry in step) up to <see cref="AlertingOptions.MaxAttempts"/>; then the
/// notification is counted as failed and logged.
/// Only the replica that <see cref="WebhookLeadership"/> elected sends: another drops its transitions, and the leader
/// confirms it still holds the lock before each attempt.
/// </summary>
internal sealed class WebhookNotifier(
    IHttpClientFactory httpClients, IOptions<AlertingOptions> options, WebhookLeadership leadership, AlertingMetrics metrics, TimeProvider time,
    ILogger<WebhookNotifier> logger)
    : BackgroundService
{
    public const string HttpClientName = "alerting-webhooks";

    /// <summary>What an attempt ends with when this replica may no longer send: never retried.</summary>
    private const string NotLeader = "this replica is no longer the webhook notifier";

    private readonly List<(Uri Url, Channel<Notification> Queue)> _receivers = options.Value.Webhooks
        .Select(url => (new Uri(url), Channel.CreateBounded<Notification>(new BoundedChannelOptions(options.Value.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // with TryWrite: a full queue refuses the new one and says so
        })))
        .ToList();

    private readonly ResiliencePipeline<string?> _retries = options.Value.MaxAttempts == 1
        ? ResiliencePipeline<string?>.Empty
        : new ResiliencePipelineBuilder<string?> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<string?>
            {
                // An attempt returns null when delivered, else why not.
                ShouldHandle = arguments => ValueTask.FromResult(arguments.Outcome.Result is { } failure && failure != NotLeader),
                MaxRetryAttempts = options.Value.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.Value.InitialBackoff,
                MaxDelay = options.Value.MaxBackoff,
                OnRetry = arguments =>
                {
                    metrics.Retried();
                    logger.LogWarning("Notification to {Url} failed ({Failure}); retry {Retry} in {Delay}",
                        Redact(arguments.Context.Properties.GetValue(Receiver, null!)), arguments.Outcome.Result, arguments.AttemptNumber + 1, arguments.RetryDelay);
                    return default;
                },
            })
            .Build();

    private static readonly ResiliencePropertyKey<Uri> Receiver = new("webhook-url");

    private sealed record Notification(string Status, byte[] Body);

    public void Enqueue(AlarmTransition transition, int windowSeconds)
    {
        var notification = new Notification(WebhookPayload.Status(transition),
            WebhookPayload.Serialize(transition, options.Value.Thresholds, windowSeconds));
        if (_receivers.Count > 0 && !leadership.IsLeader)
        {
            logger.LogInformation("Not sending the {Status} notification: another replica is the webhook notifier", notification.Status);
            return;
        }
        foreach (var (url, queue) in _receivers)
        {
            if (!queue.Writer.TryWrite(notification))
            {
                metrics.Failed(notification.Status);
                logger.LogError("Dropped a {Status} notification for {Url}: {Capacity} are already waiting", notification.Status, Redact(url), options.Value.QueueCapacity);
            }
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_receivers.Select(receiver => DrainAsync(receiver.Url, receiver.Queue.Reader, stoppingToken)));

    private async Task DrainAsync(Uri url, ChannelReader<Notification> queue, CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var notification in queue.ReadAllAsync(stoppingToken))
            {
                await DeliverAsync(url, notification, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task DeliverAsync(Uri url, Notification notification, CancellationToken stoppingToken)
    {
        var context = ResilienceContextPool.Shared.Get(stoppingToken);
        context.Properties.Set(Receiver, url);
        string? failure;
        try
        {
            failure = await _retries.ExecuteAsync(async attempt => await leadership.ConfirmAsync(attempt.CancellationToken)
                ? await TryPostAsync(url, notification.Body, options.Value, attempt.CancellationToken)
                : NotLeader, context);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        if (failure is null)
        {
            metrics.Sent(notification.Status);
            logger.LogInformation("Sent the {Status} notification to {Url}", notification.Status, Redact(url));
        }
        else if (failure == NotLeader)
        {
            logger.LogWarning("Dropped the {Status} notification to {Url}: {Reason}", notification.Status, Redact(url), NotLeader);
        }
        else
        {
            metrics.Failed(notification.Status);
            logger.LogError("Gave up on the {Status} notification to {Url} after {Attempts} attempts: {Failure}",
                notification.Status, Redact(url), options.Value.MaxAttempts, failure);
        }
    }

    /// <returns>Null when delivered, else why not.</returns>
    private async Task<string?> TryPostAsync(Uri url, byte[] body, AlertingOptions settings, CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(settings.RequestTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        // Signed at each attempt: the timestamp says when this request was made.
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (settings.Secret is { Length: > 0 } secret)
        {
            request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Compute(secret, timestamp, body));
        }
        try
        {
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, timeout.Token);
            return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}";
        }
        catch (HttpRequestException ex)
        {
            return ex.Message;
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return $"no answer within {settings.RequestTimeout}";
        }
    }

    // Slack-style URLs carry their credential in the path: logs show the host only.
    private static string Redact(Uri url) => url.GetLeftPart(UriPartial.Authority);
}
