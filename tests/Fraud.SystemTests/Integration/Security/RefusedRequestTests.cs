using System.Net;
using Fraud.SystemTests.Integration.Api;

namespace Fraud.SystemTests.Integration.Security;

/// <summary>Bad credentials get a problem body, never a 500, and every refusal is counted by its reason.</summary>
[Collection(FraudSystemCollection.Name)]
public sealed class RefusedRequestTests(FraudSystemFixture system)
{
    private const string Refused = "fraud_api_requests_refused_total";

    [Fact]
    public async Task A_key_in_the_query_string_is_refused_and_counted()
    {
        var before = await system.Api.ReadByLabelAsync(Refused, "reason");

        var response = await system.Api.GetAsync($"/alerts?limit=1&api_key={system.ApiKey}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("X-Api-Key header only", await response.Content.ReadAsStringAsync());
        await CountedAsync(before, "key_in_query");
    }

    [Fact]
    public async Task A_missing_or_unknown_key_on_a_write_is_a_401_or_403_problem_counted_by_reason()
    {
        var before = await system.Api.ReadByLabelAsync(Refused, "reason");

        var missing = await system.Api.PutAsync("/rules", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        using var wrong = new HttpRequestMessage(HttpMethod.Put, "/rules") { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
        wrong.Headers.Add("X-Api-Key", "not-a-key-of-this-api-0123456789abcdef");
        var unknown = await system.Api.SendAsync(wrong);

        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, unknown.StatusCode);
        Assert.All(new[] { missing, unknown }, response => Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType));
        await CountedAsync(before, "missing_key");
        await CountedAsync(before, "invalid_key");
    }

    /// <summary>Waits (the exporter caches a scrape for a moment) until the counter of <paramref name="reason"/> rose.</summary>
    private async Task CountedAsync(Dictionary<string, double> before, string reason) =>
        await FraudSystem.EventuallyAsync(
            async () => (await system.Api.ReadByLabelAsync(Refused, "reason")).GetValueOrDefault(reason) > before.GetValueOrDefault(reason) ? "counted" : null,
            $"{Refused}{{reason=\"{reason}\"}} to count the refusal", TimeSpan.FromSeconds(10));
}
