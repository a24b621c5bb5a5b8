using System.Net.ServerSentEvents;
using Fraud.Core;

namespace Fraud.SystemTests.Integration.Api;

/// <summary>GET /alerts/stream: Server-Sent Events of the alerts the pipeline raises.</summary>
[Collection(FraudSystemCollection.Name)]
public sealed class AlertStreamTests(FraudSystemFixture system)
{
    [Fact]
    public async Task A_subscriber_gets_ready_then_each_new_alert_as_it_is_raised()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var response = await system.Api.GetAsync("/alerts/stream", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
        await using var events = SseParser.Create(body).EnumerateAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);

        Assert.True(await events.MoveNextAsync());
        Assert.Equal("ready", events.Current.EventType);

        var transaction = ApiTestData.NewTransaction();
        await system.ProduceAsync(transaction);

        SseItem<string> received;
        do
        {
            Assert.True(await events.MoveNextAsync(), "the stream stays open");
            received = events.Current;
        }
        while (received.EventId != transaction.TxId);
        Assert.Equal("alert", received.EventType);
        var alert = AlertJson.Deserialize(System.Text.Encoding.UTF8.GetBytes(received.Data))!;
        Assert.Equal(transaction.TxId, alert.TxId);
        Assert.Equal(transaction.UserId, alert.UserId);
        Assert.Equal(transaction.Amount, alert.Amount);
        Assert.Equal("open", alert.Status);
    }
}
