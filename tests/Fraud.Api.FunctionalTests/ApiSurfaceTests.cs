using System.Net;
using System.Text.Json;

namespace Fraud.Api.FunctionalTests;

/// <summary>What surrounds the endpoints: the OpenAPI document and its reference page, the console's files,
/// problem+json for unknown routes and for methods the probes do not answer, and CORS closed by default.</summary>
[Collection(ApiCollection.Name)]
public sealed class ApiSurfaceTests(ApiFixture fixture)
{
    [Fact]
    public async Task The_openapi_document_describes_every_endpoint_and_the_api_key()
    {
        var document = await fixture.Api.GetJsonAsync("/openapi/v1.json");

        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/alerts", "/alerts/{tx_id}", "/alerts/{tx_id}/feedback", "/alerts/stream", "/stats" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"OpenAPI describes {path}");
        }
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal("X-Api-Key", scheme.GetProperty("name").GetString());
        Assert.True(paths.GetProperty("/alerts/{tx_id}/feedback").GetProperty("post").TryGetProperty("security", out _), "feedback needs the key");
        var alert = document.GetProperty("components").GetProperty("schemas").GetProperty("Alert").GetProperty("properties");
        Assert.Equal("string", alert.GetProperty("amount").GetProperty("type").GetString());
    }

    [Fact]
    public async Task The_interactive_reference_and_the_console_are_served_locally()
    {
        var reference = await fixture.Api.GetAsync("/scalar/");
        var console = await fixture.Api.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, reference.StatusCode);
        Assert.Contains("scalar.js", await reference.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, console.StatusCode);
        Assert.Equal("text/html", console.Content.Headers.ContentType?.MediaType);
        Assert.Contains("default-src 'self'", console.Headers.GetValues("Content-Security-Policy").Single());
        foreach (var asset in new[] { "/console.js", "/console.css", "/favicon.svg" })
        {
            Assert.Equal(HttpStatusCode.OK, (await fixture.Api.GetAsync(asset)).StatusCode);
        }
    }

    [Fact]
    public async Task An_unknown_route_is_a_404_problem()
    {
        var response = await fixture.Api.GetAsync("/no/such/thing");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(404, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetInt32());
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/alive")]
    public async Task Probes_answer_reads_and_any_other_method_is_a_405_problem(string path)
    {
        using var head = new HttpRequestMessage(HttpMethod.Head, path);
        var headResponse = await fixture.Api.SendAsync(head);
        var postResponse = await fixture.Api.PostAsync(path, new StringContent("{}"));

        Assert.Equal(HttpStatusCode.OK, (await fixture.Api.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, headResponse.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, postResponse.StatusCode);
        Assert.Equal("application/problem+json", postResponse.Content.Headers.ContentType?.MediaType);
        Assert.Contains("GET", postResponse.Content.Headers.Allow);
    }

    [Fact]
    public async Task Cross_origin_requests_are_answered_without_a_cors_grant()
    {
        var user = TestAlerts.NewUserId();
        var alert = TestAlerts.NewAlert(user, DateTimeOffset.UtcNow);
        await fixture.InsertAsync(alert);
        using var preflight = new HttpRequestMessage(HttpMethod.Options, $"/alerts/{alert.TxId}/feedback");
        preflight.Headers.Add("Origin", "https://elsewhere.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "x-api-key,content-type");
        using var read = new HttpRequestMessage(HttpMethod.Get, $"/alerts?limit=1&user_id={user}");
        read.Headers.Add("Origin", "https://elsewhere.example");

        var preflightResponse = await fixture.Api.SendAsync(preflight);
        var readResponse = await fixture.Api.SendAsync(read);

        // The read is served as to anyone with the key (so a 404 or 500 cannot pass for "no grant"); only the grant is missing.
        Assert.Equal(HttpStatusCode.OK, readResponse.StatusCode);
        var alerts = JsonDocument.Parse(await readResponse.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(alert.TxId, Assert.Single(alerts.EnumerateArray()).GetProperty("tx_id").GetString());
        Assert.False(readResponse.Headers.Contains("Access-Control-Allow-Origin"));
        // No endpoint accepts a preflight without CORS, so routing refuses it as a method the route does not answer.
        Assert.Equal(HttpStatusCode.MethodNotAllowed, preflightResponse.StatusCode);
        Assert.Equal("application/problem+json", preflightResponse.Content.Headers.ContentType?.MediaType);
        Assert.Contains("POST", preflightResponse.Content.Headers.Allow);
        Assert.False(preflightResponse.Headers.Contains("Access-Control-Allow-Origin"));
    }
}
