using Fraud.Core;
using static Fraud.SystemTests.Integration.Detector.DetectorStreams;

namespace Fraud.SystemTests.Integration.Detector;

/// <summary>
/// The detector publishes alerts at least once: a transaction delivered twice (or replayed) is published again on
/// <c>alerts.v1</c>. The API's anomaly-rate monitor counts it once. On the online detector's private system, which
/// has no traffic but the tests' and a 10 s alarm window.
/// </summary>
[Collection(OnlineDetectorCollection.Name)]
public sealed class RepublishedAlertTests(OnlineDetectorSystem fixture)
{
    private FraudSystem System => fixture.System;

    [Fact]
    public async Task An_alert_published_twice_counts_once_in_the_anomaly_rate()
    {
        const long user = 16_000_001;
        var transaction = new Transaction($"tx_twice_{Guid.NewGuid():N}", user, 5_000m, "EUR", "ES", DateTimeOffset.UtcNow);
        // The previous tests' alerts have left the window.
        await FraudSystem.EventuallyAsync(async () => await System.Api.ReadCounterAsync("fraud_alerting_window_alerts") == 0 ? "empty" : null,
            "an anomaly-rate window with no alert", TimeSpan.FromSeconds(90));

        await System.ProduceAsync(transaction);
        await System.ProduceAsync(transaction);

        var copies = await FraudSystem.EventuallyAsync(async () =>
        {
            await Task.Yield();
            var published = PublishedAlerts(System.KafkaBootstrap, user, user);
            return published.Count >= 2 ? published : null;
        }, "both copies of the alert on alerts.v1");
        Assert.All(copies, copy => Assert.Equal(transaction.TxId, copy.TxId));
        // Both copies are on the topic; a few evaluations later the window (ending 1 s back) holds them both.
        double evaluations = await System.Api.ReadCounterAsync("fraud_alerting_evaluations_total");
        await FraudSystem.EventuallyAsync(async () => await System.Api.ReadCounterAsync("fraud_alerting_evaluations_total") >= evaluations + 3 ? "evaluated" : null,
            "three more evaluations of the anomaly rate");
        Assert.True(await System.Api.ReadCounterAsync("fraud_alerting_window_transactions") >= 2, "the window holds the two deliveries");
        Assert.Equal(1, await System.Api.ReadCounterAsync("fraud_alerting_window_alerts"));
    }
}
