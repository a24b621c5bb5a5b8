using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Fraud.Api.FunctionalTests.Security;

/// <summary>
/// Every endpoint follows one read policy: walking every operation of the OpenAPI document (and <c>/metrics</c>, on
/// the same port), none answers without a key when reads need one, every read answers without one when they do not,
/// and writes always need one. Each setting runs on an API of its own, which also answers to one host name only
/// (<c>Api:AllowedHosts</c>, as outside Development).
/// </summary>
[Collection(ApiCollection.Name)]
public sealed partial class ReadPolicyTests(ApiFixture fixture)
{
    /// <summary>The reads the issue names; the walk must meet each, so a document that lost one fails here.</summary>
    /// <summary>The one name the API answers to: the address its clients use (the factory's Kestrel, on the loopback).</summary>
    private const string AllowedHost = "127.0.0.1";

    private static readonly string[] KnownReads = ["/alerts", "/alerts/{tx_id}", "/alerts/stream", "/stats", "/rules", "/rules/versions", "/models", "/metrics"];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task No_endpoint_of_the_openapi_document_escapes_the_read_policy(bool readsNeedKey)
    {
        await using var factory = fixture.StartApi(("Api:RequireKeyForReads", readsNeedKey.ToString()), ("Api:AllowedHosts:0", AllowedHost));
        using var api = factory.CreateClient();
        var document = await api.GetJsonAsync("/openapi/v1.json");   // the description holds no data: always readable
        var operations = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(operation => (Method: operation.Name.ToUpperInvariant(), Path: path.Name, Operation: operation.Value)))
            .ToList();
        Assert.Superset(KnownReads.Where(path => path != "/metrics").ToHashSet(), operations.Where(op => op.Method == "GET").Select(op => op.Path).ToHashSet());

        var walked = new List<string>();
        foreach (var (method, path, operation) in operations.Append(("GET", "/metrics", default)))
        {
            // A read of data, as opposed to a GET that needs more than reading (GET /keys an admin, GET /me a key by
            // nature), which the description marks as secured even when reads are open.
            bool read = method is "GET" or "HEAD"
                && (readsNeedKey || operation.ValueKind != JsonValueKind.Object || !operation.TryGetProperty("security", out _));
            using var anonymous = await SendAsync(api, method, path, key: null);
            if (read && !readsNeedKey)
            {
                Assert.True(anonymous.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden), $"{method} {path} refused a read without a key: {anonymous.StatusCode}");
            }
            else
            {
                Assert.True(anonymous.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} answered {anonymous.StatusCode} without a key");
                Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
                if (operation.ValueKind == JsonValueKind.Object)
                {
                    Assert.True(operation.TryGetProperty("security", out _), $"{method} {path} needs a key but its description does not say so");
                }
            }

            if (method is "GET" or "HEAD")
            {
                using var withKey = await SendAsync(api, method, path, fixture.ApiKey);
                Assert.True(withKey.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden), $"{method} {path} refused the admin key: {withKey.StatusCode}");
            }

            walked.Add(path);
        }

        Assert.Superset(KnownReads.ToHashSet(), walked.ToHashSet());
        // The probes carry no key, and the console's page must load before it can ask for one, whatever the setting.
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/alive")).StatusCode);

        await AssertOnlyTheAllowedHostIsServedAsync(factory, api);
    }

    /// <summary>A browser on another site whose name points at the API (DNS rebinding) gets a 400, counted as a refusal;
    /// the probes and <c>/metrics</c>, reached by pod IP in a cluster, still answer.</summary>
    private async Task AssertOnlyTheAllowedHostIsServedAsync(FraudApiFactory factory, HttpClient api)
    {
        Assert.Equal(AllowedHost, api.BaseAddress!.Host);
        using var refusals = new RefusalCounts(factory.Services);
        foreach (var path in new[] { "/alerts", "/", "/openapi/v1.json" })
        {
            using var refused = await SendWithHostAsync(api, path, "rebound.example");
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }

        foreach (var path in new[] { "/health", "/alive", "/metrics" })
        {
            using var answered = await SendWithHostAsync(api, path, $"10.1.2.3:{api.BaseAddress.Port}");
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        }

        Assert.Equal(3, refusals.Of("unknown_host"));
    }

    private async Task<HttpResponseMessage> SendWithHostAsync(HttpClient api, string path, string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = host;
        request.Headers.Add("X-Api-Key", fixture.ApiKey);
        return await api.SendAsync(request);
    }

    /// <summary>Sends one request, with path parameters filled with values that match nothing; reads only up to the headers (the stream never ends).</summary>
    private static async Task<HttpResponseMessage> SendAsync(HttpClient api, string method, string path, string? key)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), PathParameter().Replace(path, "no-such-item"));
        if (key is not null)
        {
            request.Headers.Add("X-Api-Key", key);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var response = await api.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        if (response.Content.Headers.ContentType?.MediaType != "text/event-stream")
        {
            await response.Content.LoadIntoBufferAsync(timeout.Token);
        }

        return response;
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex PathParameter();
}
