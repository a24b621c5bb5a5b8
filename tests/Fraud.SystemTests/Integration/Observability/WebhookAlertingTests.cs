using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Fraud.Core;
using Fraud.Simulation;
using Fraud.SystemTests.Integration.Faults;

namespace Fraud.SystemTests.Integration.Observability;

/// <summary>
/// The anomaly-rate alarm end to end: simulated traffic through the real system (broker, detector, two API replicas),
/// a webhook receiver on 127.0.0.1. Short window and cool-down so an incident fits in a test; progress is followed
/// through the API replicas' own metrics (evaluations made, notifications sent), never through sleeps.
/// </summary>
[Collection(PrivateSystemsCollection.Name)]
public sealed class WebhookAlertingTests
{
    private const string Secret = "test-only-webhook-secret";

    [Fact]
    public async Task Two_api_replicas_send_one_signed_firing_and_one_resolved_for_a_burst_of_fraud_and_nothing_for_normal_traffic()
    {
        using var receiver = new WebhookReceiver(failFirst: 1); // the first delivery is refused: it must be retried
        var deadUrl = $"http://127.0.0.1:{WebhookReceiver.FreePort()}/nobody-listens"; // fails every attempt
        await using var system = await FraudSystem.StartAsync([
            "--Producer:Enabled=false", // only this test's traffic
            "--Api:Replicas=2",         // both watch the rate; one, elected through Postgres, notifies
            "--Alerting:LeaderCheckInterval=00:00:01",
            $"--Alerting:Webhooks:0={deadUrl}",
            $"--Alerting:Webhooks:1={receiver.Url}",
            $"--Alerting:Secret={Secret}",
            "--Alerting:Window=00:00:05",
            "--Alerting:EvaluationInterval=00:00:01",
            "--Alerting:SettleDelay=00:00:01",
            "--Alerting:Limit=0.3",
            "--Alerting:ClearBelow=0.1",
            "--Alerting:MinTransactions=20",
            "--Alerting:Cooldown=00:00:05",
            "--Alerting:InitialBackoff=00:00:00.200",
            "--Alerting:MaxAttempts=3",
        ]);
        var replicas = (await system.Processes.HttpEndpointsAsync("api"))
            .Select(replica => (replica.ResourceId, Client: new HttpClient { BaseAddress = replica.Uri })).ToList();
        var api = new ApiReplicas(replicas.Select(replica => replica.Client).ToList());
        await FraudSystem.EventuallyAsync<object>(async () =>
            (await api.ReadEachAsync("fraud_api_webhook_leader")).Order().SequenceEqual([0.0, 1.0]) ? true : null,
            "one replica, and one only, to be the webhook notifier");
        await using var traffic = new Traffic(system);

        // Normal traffic: once the alarm has decided on full windows of it for a while, nothing has been sent.
        var evaluations = await api.ReadCounterAsync("fraud_alerting_evaluations_total");
        await WaitForCounterAsync(api, "fraud_alerting_evaluations_total", evaluations + 15 * replicas.Count, "15 evaluations of normal traffic");
        Assert.Empty(receiver.Accepted);
        Assert.Equal(0, receiver.Refused);
        Assert.Equal(0, await api.ReadCounterAsync("fraud_alerting_delivery_retries_total")); // nor tried to the dead URL

        // A burst of fraud (every transaction above the hard limit alerts), on top of the normal traffic.
        traffic.FraudPerTick = 5;
        await WaitForCounterAsync(api, "fraud_alerting_notifications_sent_total", 1, "the firing notification");

        // Back to normal: the rate falls below the clear level.
        traffic.FraudPerTick = 0;
        await WaitForCounterAsync(api, "fraud_alerting_notifications_sent_total", 2, "the resolved notification");

        // Normal traffic for a while longer (more than a window and a cool-down): nothing more.
        evaluations = await api.ReadCounterAsync("fraud_alerting_evaluations_total");
        await WaitForCounterAsync(api, "fraud_alerting_evaluations_total", evaluations + 15 * replicas.Count, "15 more evaluations of normal traffic");

        var received = receiver.Accepted;
        Assert.Equal(["firing", "resolved"], received.Select(r => Json(r).GetProperty("status").GetString()));
        Assert.Equal(1, receiver.Refused);
        // The dead receiver neither delayed nor blocked the live one; each of its notifications failed after 3 attempts.
        await WaitForCounterAsync(api, "fraud_alerting_notifications_failed_total", 2, "both notifications to the dead URL given up");
        Assert.Equal(2, await api.ReadCounterAsync("fraud_alerting_notifications_failed_total"));
        Assert.Equal(1 + 2 * 2, await api.ReadCounterAsync("fraud_alerting_delivery_retries_total"));
        foreach (var request in received)
        {
            Assert.StartsWith("application/json", request.ContentType);
            var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(
                Encoding.UTF8.GetBytes(Secret), (byte[])[.. Encoding.UTF8.GetBytes(request.Timestamp + "."), .. request.Body]));
            Assert.Equal(expected, request.Signature);
            var payload = Json(request);
            Assert.False(string.IsNullOrEmpty(payload.GetProperty("text").GetString()));
            Assert.Equal(0.3, payload.GetProperty("limit").GetDouble());
            Assert.Equal(5, payload.GetProperty("window_seconds").GetInt32());
        }
        var firing = Json(received[0]);
        Assert.True(firing.GetProperty("anomaly_rate").GetDouble() > 0.3);
        Assert.True(firing.GetProperty("transactions").GetInt64() >= 20);
        Assert.True(Json(received[1]).GetProperty("anomaly_rate").GetDouble() < 0.1);

        // The notifier dies: Postgres ends its session and the lock with it, and the other replica takes over.
        var leaders = await api.ReadEachAsync("fraud_api_webhook_leader");
        var notifier = replicas[Array.IndexOf(leaders, 1.0)];
        var other = replicas.Single(replica => replica != notifier);
        await system.Processes.KillAsync(notifier.ResourceId);
        await FraudSystem.EventuallyAsync<object>(async () =>
            await other.Client.ReadCounterAsync("fraud_api_webhook_leader") == 1 ? true : null, "the other replica to become the webhook notifier");
        replicas.ForEach(replica => replica.Client.Dispose());
    }

    private static JsonElement Json(ReceivedWebhook request) => JsonDocument.Parse(request.Body).RootElement.Clone();

    private static Task WaitForCounterAsync(ApiReplicas api, string counter, double atLeast, string what) =>
        FraudSystem.EventuallyAsync<object>(async () =>
            await api.ReadCounterAsync(counter) >= atLeast ? true : null, what, TimeSpan.FromSeconds(120));

    /// <summary>Each API replica's own /metrics (the AppHost's proxy would alternate between them).</summary>
    private sealed record ApiReplicas(IReadOnlyList<HttpClient> Clients)
    {
        public async Task<double[]> ReadEachAsync(string name) => await Task.WhenAll(Clients.Select(client => client.ReadCounterAsync(name)));

        /// <summary>The sum over the replicas: each counts its evaluations, only the notifier its notifications.</summary>
        public async Task<double> ReadCounterAsync(string name) => (await ReadEachAsync(name)).Sum();
    }

    /// <summary>
    /// Transactions produced in the background until disposed: every 100 ms five simulated legitimate ones, plus
    /// <see cref="FraudPerTick"/> that break the test rules' hard limit (amount above 1000), each by a new card holder.
    /// </summary>
    private sealed class Traffic : IAsyncDisposable
    {
        private readonly FraudSystem _system;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private readonly TransactionSimulator _simulator = new(new SimulationOptions { Seed = 81, FraudRate = 0 });
        private long _fraudUser = 7_100_000_000;

        public Traffic(FraudSystem system)
        {
            _system = system;
            _loop = Task.Run(RunAsync);
        }

        public int FraudPerTick { get; set; }

        private async Task RunAsync()
        {
            using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
            try
            {
                while (await tick.WaitForNextTickAsync(_stop.Token))
                {
                    await TickAsync();
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
            }
        }

        private async Task TickAsync()
        {
            var sends = new List<Task>();
            for (var i = 0; i < 5; i++)
            {
                // Users far from other tests' ids, so no one's history mixes in.
                var transaction = _simulator.Next().Transaction;
                sends.Add(_system.ProduceAsync(transaction with { UserId = 7_000_000_000 + transaction.UserId }));
            }
            for (var i = 0; i < FraudPerTick; i++)
            {
                sends.Add(_system.ProduceAsync(TransactionMessages.ContractExampleTransaction with
                {
                    TxId = $"tx_burst_{Guid.NewGuid():N}",
                    UserId = Interlocked.Increment(ref _fraudUser),
                    Amount = 5000m,
                    Ts = DateTimeOffset.UtcNow,
                }));
            }
            await Task.WhenAll(sends);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _loop;
            _stop.Dispose();
        }
    }
}
