using System.Net;
using Npgsql;

namespace Fraud.Api.FunctionalTests.Security;

/// <summary>
/// What one client may take: a capped number of live streams (503 past the cap, the place given back when a stream
/// closes), reads and writes rate limited per key in separate buckets (429 with Retry-After), probes never, and
/// requests cut at the request timeout (504). On an API of its own, with low limits.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class LimitsTests(ApiFixture fixture)
{
    [Fact]
    public async Task Streams_past_the_cap_requests_past_the_rate_and_requests_past_the_timeout_are_refused_with_problems()
    {
        await using var factory = fixture.StartApi(
            ("Api:Limits:RateLimiting", "true"), ("Api:Limits:MaxStreamClients", "2"),
            ("Api:Limits:ReadsPerSecond", "1"), ("Api:Limits:ReadBurst", "6"), ("Api:Limits:WritesPerSecond", "1"), ("Api:Limits:WriteBurst", "2"),
            ("Api:Limits:RequestTimeout", "00:00:05"));
        using var api = factory.CreateClient();
        using var refusals = new RefusalCounts(factory.Services);

        // Streams, without a key (their own bucket: this address).
        var first = await OpenStreamAsync(api);
        using var second = await OpenStreamAsync(api);
        using var refused = await OpenStreamAsync(api);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(refused.Headers.RetryAfter);
        first.Dispose();   // the client leaves: its place is given back
        await FraudSystem.EventuallyAsync(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(1.5));   // the bucket refills one read a second
            using var again = await OpenStreamAsync(api);
            return again.StatusCode == HttpStatusCode.OK ? "open" : null;
        }, "a place on the stream once a client left", TimeSpan.FromSeconds(20));

        // A read stuck behind a lock (another session holds fraud_alerts exclusively) would wait as long as the lock
        // is held: the request timeout cuts it, and the query with it.
        await using (var blocker = new NpgsqlConnection(fixture.PostgresConnectionString))
        {
            await blocker.OpenAsync();
            await using var transaction = await blocker.BeginTransactionAsync();
            await using (var lockTable = new NpgsqlCommand("LOCK TABLE fraud_alerts IN ACCESS EXCLUSIVE MODE", blocker, transaction))
            {
                await lockTable.ExecuteNonQueryAsync();
            }
            var cut = await SendAsync(api, HttpMethod.Get, "/alerts?limit=1", fixture.ApiKey);
            Assert.Equal(HttpStatusCode.GatewayTimeout, cut.StatusCode);
            Assert.Equal("application/problem+json", cut.Content.Headers.ContentType?.MediaType);
            Assert.Contains("\"title\":\"Request timed out\"", await cut.Content.ReadAsStringAsync());
        }

        // Reads with the admin key (one of the burst spent above): a burst of 6, then 429s.
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (int i = 0; i < 12; i++)
        {
            var response = await SendAsync(api, HttpMethod.Get, "/stats", fixture.ApiKey);
            statuses.Add(response.StatusCode);
            limited ??= response.StatusCode == HttpStatusCode.TooManyRequests ? response : null;
        }

        Assert.Contains(HttpStatusCode.OK, statuses);
        Assert.NotNull(limited);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(limited.Headers.RetryAfter);
        // Writes have their own bucket: exhausted reads leave a write through (to its own 400, not a 429).
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(api, HttpMethod.Put, "/rules", fixture.ApiKey, "{}")).StatusCode);
        // Probes are never limited.
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/alive")).StatusCode);
        }

        Assert.True(refusals.Of("rate_limited") >= 1, "429s are counted");
        Assert.True(refusals.Of("stream_full") >= 1, "a stream refused past the cap is counted");
    }

    private static async Task<HttpResponseMessage> OpenStreamAsync(HttpClient api)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/alerts/stream");
        return await api.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient api, HttpMethod method, string path, string key, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = json is null ? null : new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Api-Key", key);
        var response = await api.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }
}
