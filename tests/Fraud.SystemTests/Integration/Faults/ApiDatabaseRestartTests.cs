using System.Net;
using Fraud.SystemTests.Integration.Detector;
using Xunit.Abstractions;

namespace Fraud.SystemTests.Integration.Faults;

/// <summary>
/// A Postgres restart breaks every connection in the API's pool, and nothing tells the pool until a request uses
/// one: the API must still answer every request after the restart (and 503, never 500, while Postgres is down:
/// <see cref="DetectorFaultTests.Stopping_Postgres_for_ten_seconds_loses_no_alert_and_the_api_never_answers_500"/>).
/// </summary>
[Collection(OnlineDetectorCollection.Name)]
public sealed class ApiDatabaseRestartTests(OnlineDetectorSystem fixture, ITestOutputHelper output)
{
    private FraudSystem System => fixture.System;

    [Fact]
    public async Task After_a_Postgres_restart_the_api_answers_every_request_from_the_first()
    {
        var api = new ApiProbe(System.Api);
        await api.FillConnectionPoolAsync();

        // No request meanwhile: every pooled connection is still there, broken, when the first requests come.
        await System.Processes.StopAsync("postgres");
        await System.Processes.StartAsync("postgres");
        var restarted = DateTime.UtcNow;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => api.ReadAllAsync(during: "after")));

        ReliabilityReport.Record(new FaultFigures("Postgres restarted under the API (pool of broken connections)", null, null, null, null, null, null,
            (DateTime.UtcNow - restarted).TotalSeconds, api.Summary()), output);
        Assert.Empty(api.Problems);
        Assert.Equal(0, api.Count("after", status => status != HttpStatusCode.OK));
        await FraudSystem.EventuallyAsync(async () => await fixture.DetectorHealthAsync() is var health
            && health.Contains("\"status\":\"ok\"", StringComparison.Ordinal) ? health : null, "the detector to report healthy again");
    }
}
