using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Fraud.Core;
using Fraud.SystemTests.Integration.Faults;
using Xunit.Abstractions;

namespace Fraud.SystemTests.Integration.Detector;

/// <summary>
/// Detection end to end with the rule set and model the detector ships (<see cref="DefaultDetectorSystem"/>), not the
/// test-only hard limit: planted fraud, sent live on <c>transactions.v1</c>, alerts for the rules that describe it,
/// and a card holder behaving ordinarily beside it does not.
/// </summary>
[Collection(DefaultDetectorCollection.Name)]
public sealed class DefaultDetectionTests(DefaultDetectorSystem fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);
    private FraudSystem System => fixture.System;

    [Fact]
    public async Task Card_testing_and_impossible_travel_alert_through_the_default_detector_and_an_ordinary_card_holder_does_not()
    {
        // Yesterday noon (UTC): every planted transaction lies in the past, at the same hours of the day whenever the test runs.
        var planted = PlantedFraud.For(firstUser: 20_000_000, Guid.NewGuid().ToString("N")[..8], new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-1).AddHours(12), TimeSpan.Zero));
        var sent = new Dictionary<string, TopicPartitionOffset>(StringComparer.Ordinal);
        foreach (var transaction in planted.All)
        {
            sent[transaction.TxId] = (await System.ProduceAsync(transaction)).TopicPartitionOffset;
        }

        var cardTesting = await AlertAsync(planted.CardTestingCashOut.TxId);
        var travel = await AlertAsync(planted.ImpossibleTrip.TxId);
        output.WriteLine($"system ready in {(System.ReadyAt - System.StartedAt).TotalSeconds:0.0} s; card testing: risk {cardTesting.Risk}, {cardTesting.Reason}; impossible travel: risk {travel.Risk}, {travel.Reason}");
        Assert.Contains("card_testing", cardTesting.Rules);
        Assert.Contains("impossible_travel", travel.Rules);
        Assert.All([cardTesting, travel], alert => Assert.Equal(ShippedRules.Default.Version, alert.RulesVersion));

        // A user's transactions share a partition and are decided in order: once the detector has committed past the
        // control's last purchase, it has decided (and stored any alert of) every one of them.
        using var progress = new DetectorProgress(System.KafkaBootstrap);
        await progress.CommittedPastAsync(sent[planted.Control[^1].TxId], Within);
        var controlAlerts = await DetectorStreams.StoredAlertsAsync(System.PostgresConnectionString, planted.ControlUser, planted.ControlUser);
        Assert.Empty(controlAlerts);
    }

    private Task<Alert> AlertAsync(string txId) =>
        FraudSystem.EventuallyAsync(async () =>
        {
            using var response = await System.Api.GetAsync($"/alerts/{txId}");
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            // GET /alerts/{tx_id} answers the alert with its feedback and the holder's other alerts.
            using var detail = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return AlertJson.Deserialize(Encoding.UTF8.GetBytes(detail.RootElement.GetProperty("alert").GetRawText()));
        }, $"an alert for {txId}", Within);
}
