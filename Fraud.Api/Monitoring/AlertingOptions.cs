using Fraud.Core.Alerting;
using Microsoft.Extensions.Options;

namespace Fraud.Api.Monitoring;

/// <summary>
/// Settings under <c>Alerting:</c> (the AppHost forwards its own <c>Alerting:*</c> keys): the anomaly-rate alarm and
/// the webhooks it notifies. Defaults suit production traffic; tests shorten the window and the cool-down.
/// </summary>
public sealed class AlertingOptions
{
    public const string Section = "Alerting";

    /// <summary>Watch the anomaly rate at all (its gauges too). Notifications need <see cref="Webhooks"/> as well.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>URLs that receive a POST per notification (Slack incoming webhooks work as they are).</summary>
    public string[] Webhooks { get; set; } = [];

    /// <summary>More URLs in one value, separated by spaces, commas or new lines: how the AppHost passes its secret
    /// parameter <c>alerting-webhooks</c> (a URL carries its own token, so it is a secret too). Added to <see cref="Webhooks"/>.</summary>
    public string? WebhookUrls { get; set; }

    /// <summary>The HMAC-SHA256 key of <c>X-Fraud-Signature</c>; without one, requests are not signed.</summary>
    public string? Secret { get; set; }

    /// <summary>Fire when alerts / transactions over the window rise above this.</summary>
    public double Limit { get; set; } = 0.05;

    /// <summary>Resolve when the rate falls below this (hysteresis: lower than <see cref="Limit"/>).</summary>
    public double ClearBelow { get; set; } = 0.03;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A window with fewer transactions holds the alarm's state (a quiet night says little).</summary>
    public long MinTransactions { get; set; } = 100;

    /// <summary>The least time between "firing" and "resolved" (and between an incident and the next).</summary>
    public TimeSpan Cooldown { get; set; } = TimeSpan.FromMinutes(10);

    public TimeSpan EvaluationInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The window ends this far in the past: alerts are published after their transactions.</summary>
    public TimeSpan SettleDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Attempts per notification and URL, the first included.</summary>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>The median wait before the first retry; each further one doubles, with jitter, up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Notifications waiting per URL; beyond it new ones are dropped and counted as failed.</summary>
    public int QueueCapacity { get; set; } = 16;

    /// <summary>How often each API replica tries to become the one webhook notifier, or checks that it still is
    /// (<see cref="WebhookLeadership"/>): a failover takes up to this long.</summary>
    public TimeSpan LeaderCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    internal static void MergeWebhookUrls(AlertingOptions options) =>
        options.Webhooks = [.. options.Webhooks, .. (options.WebhookUrls ?? "").Split([' ', ',', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries)];

    public AlarmThresholds Thresholds => new(Limit, ClearBelow, MinTransactions, Cooldown);
}

/// <summary>Refuses to start with settings that cannot work, naming each problem.</summary>
internal sealed class AlertingOptionsValidation : IValidateOptions<AlertingOptions>
{
    public ValidateOptionsResult Validate(string? name, AlertingOptions options)
    {
        var problems = new List<string>();
        if (options.Thresholds.Validate() is { } thresholds)
        {
            problems.Add($"Alerting: {thresholds}.");
        }
        foreach (var url in options.Webhooks)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                problems.Add($"Alerting:Webhooks: '{url}' is not an absolute http(s) URL.");
            }
        }
        if (options.Window < TimeSpan.FromSeconds(1) || options.EvaluationInterval <= TimeSpan.Zero || options.SettleDelay < TimeSpan.Zero)
        {
            problems.Add("Alerting: Window must be at least 1 s, EvaluationInterval positive, SettleDelay not negative.");
        }
        if (options.MaxAttempts < 1 || options.QueueCapacity < 1 || options.RequestTimeout <= TimeSpan.Zero || options.LeaderCheckInterval <= TimeSpan.Zero
            || options.InitialBackoff < TimeSpan.Zero || options.MaxBackoff < options.InitialBackoff)
        {
            problems.Add("Alerting: MaxAttempts and QueueCapacity must be at least 1, RequestTimeout and LeaderCheckInterval positive, 0 ≤ InitialBackoff ≤ MaxBackoff.");
        }
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
